import uuid

from fastapi import APIRouter, Request, Response, status

from referral_service.api_keys import service
from referral_service.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from referral_service.auth import service as keys
from referral_service.auth.dependencies import AdminPrincipal
from referral_service.db.driver import DbDep
from referral_service.openapi_docs import problem_responses

router = APIRouter(prefix="/v1/api-keys", tags=["api-keys"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated, responses=problem_responses(401, 403, 422)
)
async def create(body: ApiKeyCreate, request: Request, _: AdminPrincipal, db: DbDep) -> ApiKeyCreated:
    """Issue an API key. The key itself is returned once, in this response, and stored only as a hash.

    `agency` keys are bound to one agency and see only what was forwarded to it; `ombudsman` keys may be
    limited to a region with `region_code`; `admin` keys operate the platform.
    """
    key, row = await service.issue(db, body)
    # Every process hears of the new key through the insert trigger's NOTIFY, and until then refuses
    # it from memory (it is not among the active keys it read). This process makes it usable at once:
    # the client may use it as soon as it has this answer, before the notification comes back.
    request.app.state.key_cache.forget(row.key_hash)
    return ApiKeyCreated.model_validate({**ApiKeyOut.model_validate(row).model_dump(), "key": key})


@router.get("", response_model=list[ApiKeyOut], responses=problem_responses(401, 403))
async def list_(_: AdminPrincipal, db: DbDep) -> list[ApiKeyOut]:
    """List every API key (never the keys themselves), newest first."""
    return [ApiKeyOut.model_validate(row) for row in await keys.list_keys(db)]


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401, 403, 404))
async def revoke(key_id: uuid.UUID, request: Request, _: AdminPrincipal, db: DbDep) -> Response:
    """Revoke a key. It stops working with the next request, and the webhook subscriptions it created
    are disabled for good (the Ombudsman-side subscribers get `webhook.endpoint_disabled`)."""
    await service.revoke(db, key_id, request.app.state.key_cache.forget)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
