import uuid

from fastapi import APIRouter, Request, Response, status

from referral_service.auth import repository, service
from referral_service.auth.dependencies import AdminPrincipal
from referral_service.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from referral_service.db.driver import DbDep
from referral_service.errors import NotFound, UnprocessableEntity
from referral_service.openapi_docs import problem_responses
from referral_service.webhooks.service import disable_endpoints_of_key

router = APIRouter(prefix="/v1/api-keys", tags=["api-keys"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated, responses=problem_responses(401, 403, 422)
)
async def create(body: ApiKeyCreate, request: Request, _: AdminPrincipal, db: DbDep) -> ApiKeyCreated:
    """Issue an API key. The key itself is returned once, in this response, and stored only as a hash.

    `agency` keys are bound to one agency and see only what was forwarded to it; `ombudsman` keys may be
    limited to a region with `region_code`; `admin` keys operate the platform.
    """
    if body.agency_code is not None and not await repository.agency_exists(db, body.agency_code):
        raise UnprocessableEntity(f"Agency {body.agency_code!r} does not exist.")
    key, row = await service.issue(
        db, name=body.name, role=body.role, agency_code=body.agency_code, region_code=body.region_code
    )
    # Every process hears of the new key through the insert trigger's NOTIFY, and until then refuses
    # it from memory (it is not among the active keys it read). This process makes it usable at once:
    # the client may use it as soon as it has this answer, before the notification comes back.
    request.app.state.key_cache.forget(row.key_hash)
    return ApiKeyCreated.model_validate({**ApiKeyOut.model_validate(row).model_dump(), "key": key})


@router.get("", response_model=list[ApiKeyOut], responses=problem_responses(401, 403))
async def list_(_: AdminPrincipal, db: DbDep) -> list[ApiKeyOut]:
    """List every API key (never the keys themselves), newest first."""
    return [ApiKeyOut.model_validate(row) for row in await repository.list_all(db)]


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401, 403, 404))
async def revoke(key_id: uuid.UUID, request: Request, _: AdminPrincipal, db: DbDep) -> Response:
    """Revoke a key. It stops working with the next request, and the webhook subscriptions it created
    are disabled for good (the Ombudsman-side subscribers get `webhook.endpoint_disabled`)."""
    async with db.transaction():
        revoked_hash = await repository.revoke(db, key_id)
        if revoked_hash is None:
            raise NotFound("No active API key with this id.")
        # Every process, this one included, drops the key when the trigger's NOTIFY arrives after the
        # commit. Dropping it here as well means this process refuses it on the very next request,
        # without waiting for its own notification to come back. (A request racing this transaction may
        # still read the old row and remember it; the notification removes it again on commit.)
        request.app.state.key_cache.forget(revoked_hash)
        await disable_endpoints_of_key(db, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
