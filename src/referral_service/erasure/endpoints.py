"""`POST /v1/complaints/{complaint_id}/erase`: a route under the complaints' path and tag, served by erasure."""

import uuid

from fastapi import APIRouter, Depends, Response

from referral_service.audit.identity import access_reason
from referral_service.auth.dependencies import AdminPrincipal
from referral_service.complaints.representation import complaint_out
from referral_service.complaints.schemas import ComplaintOut, EraseRequest
from referral_service.db.driver import DbDep
from referral_service.erasure import service
from referral_service.events.draft import Actor
from referral_service.json_encoding import dumps
from referral_service.openapi_docs import problem_responses
from referral_service.preconditions import etag

router = APIRouter(prefix="/v1/complaints", tags=["complaints"], dependencies=[Depends(access_reason)])


@router.post(
    "/{complaint_id}/erase",
    response_model=ComplaintOut,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422),
)
async def erase(complaint_id: uuid.UUID, body: EraseRequest, principal: AdminPrincipal, db: DbDep) -> Response:
    """Erase the complainant's personal data now (admin keys): the identity, subject and description,
    the referrals' instructions and answers, the free text of the timeline (notes, answers, follow-up
    reasons, closing notes: `[erased]` from then on), identity documents, and the same fields in every
    stored body, whatever values they held (idempotent replays, inbound pushes, webhook bodies, the
    event feed); receivers' answers to its webhooks are dropped. Every stored body stays valid JSON.
    Reference, category, region, dates and every figure are kept, so reports do not change. Records a
    `complaint.erased` event. Refused with 409 while a referral is not closed, unless `force` is true.
    Erasing an erased complaint changes nothing. See docs/administration.md, "Retention and erasure"."""
    row = await service.erase_complaint(db, complaint_id, Actor.of(principal), reason=body.reason, force=body.force)
    return Response(dumps(complaint_out(row)), media_type="application/json", headers={"ETag": etag(row["version"])})
