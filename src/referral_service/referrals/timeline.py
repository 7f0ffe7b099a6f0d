"""A referral's timeline as a key may see it: `GET /v1/referrals/{id}/events` and the web view's
referral page both read it here, so the two show the same events to the same key.

An agency sees the timeline from the forward on (never `referral.created`), and never the
announcement of an identity document while the complainant is confidential.
"""

from __future__ import annotations

from typing import Any

from referral_service.attachments.events import hide_identity_documents
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.db.driver import Db
from referral_service.events.service import MAX_EVENTS_PER_PAGE, list_referral_events

_HIDDEN_FROM_AGENCIES = ("referral.created",)


async def visible_events(
    db: Db, principal: Principal, referral_row: Any, *, after_id: int | None = None, limit: int = MAX_EVENTS_PER_PAGE
) -> list[Any]:
    """The timeline rows of a referral the caller may see (`referral_row`: from `service.get_row`)."""
    agency = principal.role is Role.AGENCY
    rows = await list_referral_events(
        db, referral_row["id"], hide_types=_HIDDEN_FROM_AGENCIES if agency else (), after_id=after_id, limit=limit
    )
    if agency:
        rows = await hide_identity_documents(db, referral_row, rows)
    return rows
