import uuid

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import func, select, update

from referral_service.agencies.models import Agency
from referral_service.auth.dependencies import AdminPrincipal
from referral_service.auth.keys import display_prefix, generate_api_key, hash_api_key
from referral_service.auth.models import ApiKey
from referral_service.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from referral_service.db.driver import db_of
from referral_service.db.session import SessionDep
from referral_service.errors import NotFound, UnprocessableEntity
from referral_service.openapi_docs import problem_responses
from referral_service.webhooks.service import disable_endpoints_of_key

router = APIRouter(prefix="/v1/api-keys", tags=["api-keys"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated, responses=problem_responses(401, 403, 422)
)
async def create(body: ApiKeyCreate, request: Request, session: SessionDep, _: AdminPrincipal) -> ApiKeyCreated:
    """Issue an API key. The key itself is returned once, in this response, and stored only as a hash.

    `agency` keys are bound to one agency and see only what was forwarded to it; `ombudsman` keys may be
    limited to a region with `region_code`; `admin` keys operate the platform.
    """
    if body.agency_code is not None and await session.get(Agency, body.agency_code) is None:
        raise UnprocessableEntity(f"Agency {body.agency_code!r} does not exist.")
    key = generate_api_key()
    row = ApiKey(
        name=body.name,
        role=body.role.value,
        agency_code=body.agency_code,
        region_code=body.region_code,
        key_prefix=display_prefix(key),
        key_hash=hash_api_key(key),
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    # Every process hears of the new key through the insert trigger's NOTIFY, and until then refuses
    # it from memory (it is not among the active keys it read). This process makes it usable at once:
    # the client may use it as soon as it has this answer, before the notification comes back.
    request.app.state.key_cache.forget(row.key_hash)
    return ApiKeyCreated.model_validate({**ApiKeyOut.model_validate(row).model_dump(), "key": key})


@router.get("", response_model=list[ApiKeyOut], responses=problem_responses(401, 403))
async def list_(session: SessionDep, _: AdminPrincipal) -> list[ApiKeyOut]:
    """List every API key (never the keys themselves), newest first."""
    rows = await session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id))
    return [ApiKeyOut.model_validate(row) for row in rows]


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401, 403, 404))
async def revoke(key_id: uuid.UUID, request: Request, session: SessionDep, _: AdminPrincipal) -> Response:
    """Revoke a key. It stops working with the next request, and the webhook subscriptions it created
    are disabled for good (the Ombudsman-side subscribers get `webhook.endpoint_disabled`)."""
    revoked_hash = await session.scalar(
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=func.now())
        .returning(ApiKey.key_hash)
    )
    if revoked_hash is None:
        raise NotFound("No active API key with this id.")
    # Every process, this one included, drops the key when the trigger's NOTIFY arrives after the
    # commit. Dropping it here as well means this process refuses it on the very next request,
    # without waiting for its own notification to come back. (A request racing this transaction may
    # still read the old row and remember it; the notification removes it again on commit.)
    request.app.state.key_cache.forget(revoked_hash)
    await disable_endpoints_of_key(await db_of(session), key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
