"""Issuing and revoking API keys, each one unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from referral_service.api_keys.schemas import ApiKeyCreate
from referral_service.auth import service
from referral_service.db.driver import Db
from referral_service.errors import NotFound, UnprocessableEntity
from referral_service.webhooks.service import disable_endpoints_of_key


async def issue(db: Db, body: ApiKeyCreate) -> tuple[str, service.ApiKeyRecord]:
    """A new key for `body`: the key itself (returned once) and its stored row."""
    if body.agency_code is not None and not await service.agency_exists(db, body.agency_code):
        raise UnprocessableEntity(f"Agency {body.agency_code!r} does not exist.")
    return await service.issue(
        db, name=body.name, role=body.role, agency_code=body.agency_code, region_code=body.region_code
    )


async def revoke(db: Db, key_id: uuid.UUID, forget: Callable[[bytes], None]) -> None:
    """Revoke the key and disable the webhook subscriptions it created, together.

    Every process, this one included, drops the key when the trigger's NOTIFY arrives after the
    commit. `forget` (the process's key cache) drops it here as well, before the commit, so this
    process refuses it on the very next request without waiting for its own notification to come
    back. (A request racing this transaction may still read the old row and remember it; the
    notification removes it again on commit.)
    """
    async with db.transaction():
        revoked_hash = await service.revoke(db, key_id)
        if revoked_hash is None:
            raise NotFound("No active API key with this id.")
        forget(revoked_hash)
        await disable_endpoints_of_key(db, key_id)
