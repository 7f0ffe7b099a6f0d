"""One referral: its state, complaint, attachments and timeline, and a form per action the caller may take.

The forms post to the page's own address (the action in a field), through the same
`referrals.transition` as the API, with the page's `ETag` as If-Match, so a page left open while
someone else acted is refused as stale rather than overwriting their change. A refused form is
answered with the page as it is now, at its own address, with what was typed kept in the form and
the current ETag in it: sending it again acts on the current version. The upload form posts to
`attachments` below the page (ui.attachments).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from referral_service.attachments import service as attachment_service
from referral_service.audit.identity import record as audit_identity_reads
from referral_service.audit.identity import shown_identities
from referral_service.db.driver import Db
from referral_service.errors import Forbidden, NotFound, PreconditionFailed, ProblemError, TransitionConflict
from referral_service.json_encoding import dumps
from referral_service.preconditions import etag
from referral_service.referrals import service as referrals
from referral_service.referrals.deadlines import current_calendar
from referral_service.referrals.domain import ReferralAction, Resolution, ResponseOutcome
from referral_service.referrals.representation import has_running_deadline, referral_out
from referral_service.referrals.schemas import (
    AcknowledgeRequest,
    CloseRequest,
    FollowUpRequest,
    ForwardRequest,
    NoteRequest,
    RespondRequest,
)
from referral_service.referrals.timeline import visible_events
from referral_service.ui import attachments as evidence
from referral_service.ui.i18n import zone_name
from referral_service.ui.page import Page, agency_names, open_db, read_form, signed_in_page
from referral_service.ui.presenting import conceal_referral
from referral_service.ui.timeline import entries

# The forms of the referral page: action -> request body model.
ACTION_FORMS: dict[ReferralAction, type[BaseModel]] = {
    ReferralAction.FORWARD: ForwardRequest,
    ReferralAction.ACKNOWLEDGE: AcknowledgeRequest,
    ReferralAction.RESPOND: RespondRequest,
    ReferralAction.REQUEST_FOLLOW_UP: FollowUpRequest,
    ReferralAction.CLOSE: CloseRequest,
    ReferralAction.ADD_NOTE: NoteRequest,
}
_INT_FIELDS = {"due_working_days"}
# What the page says after a form succeeded (`?done=`): the upload's own word, else "Saved."
_DONE_TEXTS = {"attached": "attached"}
# A refused form's fields shown back (label text, field) when its action is no longer offered.
_KEPT_FIELDS = (
    ("instructions", "instructions"),
    ("external_ref", "external_ref"),
    ("summary", "summary"),
    ("actions_taken", "actions_taken"),
    ("reason", "reason"),
    ("note", "note"),
    ("note", "text"),
)

router = APIRouter(prefix="/ui")


def _parse_id(referral_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(referral_id)
    except ValueError:
        return None


async def _referral_page(
    request: Request,
    db: Db,
    page: Page,
    referral_id: uuid.UUID,
    *,
    message: str | None = None,
    message_kind: str = "info",
    status_code: int = 200,
    values: dict[str, str] | None = None,
    retry: ReferralAction | None = None,
) -> HTMLResponse:
    try:
        row = await referrals.get_row(db, page.principal, referral_id)
    except NotFound:
        return page.not_found()
    calendar = await current_calendar(db) if has_running_deadline(row) else None
    # What the page shows: the API's representation, concealed in presenting mode.
    referral = conceal_referral(page, referral_out(row, None, row["timezone"], page.principal, calendar))
    # A confidential identity shown is audited as the API audits it (none is shown in presenting mode).
    await audit_identity_reads(db, request, page.principal, shown_identities(dumps(referral)))
    events = await visible_events(db, page.principal, row)
    complaint = referral["complaint"]
    party = complaint.get("reported_party") if isinstance(complaint.get("reported_party"), dict) else None
    names = await agency_names(
        db, {row["agency_code"], *([party["agency_code"]] if party and party.get("agency_code") else [])}
    )
    return page.render(
        "referral.html",
        status_code,
        referral=referral,
        complaint=complaint,
        reported_party=party,
        timeline=entries(page, events, row["timezone"]),
        timezone=row["timezone"],
        zone=zone_name(row["timezone"]),
        etag=etag(row["version"]),
        agency_name=names.get(row["agency_code"], row["agency_code"]),
        names=names,
        message=message,
        message_kind=message_kind,
        actions=[ReferralAction(a) for a in referral["allowed_actions"]],
        values=values or {},
        retry=retry,
        kept_fields=_KEPT_FIELDS,
        attachments=await evidence.listed(db, page, referral_id),
        accept=evidence.ACCEPT,
        outcomes=[o.value for o in ResponseOutcome],
        resolutions=[r.value for r in Resolution],
    )


@router.get("/referrals/{referral_id}")
async def referral_page(request: Request, referral_id: str) -> Response:
    async with open_db(request) as db:
        page = await signed_in_page(request, db)
        if not isinstance(page, Page):
            return page
        parsed = _parse_id(referral_id)
        if parsed is None:
            return page.not_found()
        done = request.query_params.get("done")
        message = page.t(_DONE_TEXTS.get(done, "done")) if done else None
        return await _referral_page(request, db, page, parsed, message=message, message_kind="success")


@router.post("/referrals/{referral_id}/attachments")
async def attach(request: Request, referral_id: str) -> Response:
    """The upload form: the file stored as `POST /v1/referrals/{id}/attachments` stores it."""
    parsed = _parse_id(referral_id)
    async with open_db(request) as db:
        page = await signed_in_page(request, db)
        if not isinstance(page, Page):
            return page
        if parsed is None:
            return page.not_found()
        try:
            # 404 before a byte of the file is read, as the API does.
            target = await attachment_service.referral_target(db, page.principal, parsed)
        except NotFound:
            return page.not_found()
    # No connection is held while the file arrives.
    refused = await evidence.attach_from_form(request, page, target)
    if isinstance(refused, Response):
        return refused
    if refused is None:
        return RedirectResponse(f"/ui/referrals/{parsed}?done=attached#attachments-h", status_code=303)
    async with open_db(request) as db:
        return await _referral_page(
            request, db, page, parsed, message=refused.message, message_kind="error", status_code=refused.status
        )


@router.post("/referrals/{referral_id}")
async def referral_action(request: Request, referral_id: str) -> Response:
    """A form of the page: the action it takes in its `act` field."""
    form = await read_form(request)
    async with open_db(request) as db:
        page = await signed_in_page(request, db)
        if not isinstance(page, Page):
            return page
        if not page.csrf_ok(form):
            return page.csrf_refused()
        parsed = _parse_id(referral_id)
        try:
            chosen = ReferralAction(form.get("act", ""))
        except ValueError:
            chosen = None
        if parsed is None or chosen is None or chosen not in ACTION_FORMS:
            return page.not_found()
        return await _act(request, db, page, parsed, chosen, form)


async def _act(
    request: Request, db: Db, page: Page, referral_id: uuid.UUID, chosen: ReferralAction, form: dict[str, str]
) -> Response:
    """Validate the form as the API validates its body, then transition; a refusal keeps what was typed."""
    model = ACTION_FORMS[chosen]
    fields: dict[str, object] = {}
    for name in model.model_fields:
        raw = form.get(name, "").strip()
        if raw == "":
            continue
        fields[name] = int(raw) if name in _INT_FIELDS and raw.lstrip("-").isdigit() else raw
    try:
        payload = model.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{page.t(str(e['loc'][0])) if e['loc'] else ''}: {e['msg']}" for e in exc.errors())
        return await _referral_page(
            request,
            db,
            page,
            referral_id,
            message=f"{page.t('invalid_input')} — {problems}",
            message_kind="error",
            status_code=422,
            values=form,
            retry=chosen,
        )
    refusal: tuple[str, int] | None = None
    try:
        async with db.transaction():
            await referrals.transition(
                db,
                page.principal,
                referral_id,
                chosen,
                payload,
                form.get("etag") or None,
                default_due_working_days=request.app.state.settings.default_due_working_days,
                via="web",
            )
    except NotFound:
        return page.not_found()
    except Forbidden:
        return page.forbidden()
    except PreconditionFailed:
        refusal = (page.t("stale"), 409)
    except TransitionConflict:
        refusal = (page.t("not_allowed"), 409)
    except ProblemError as exc:
        refusal = (page.problem_text(exc), exc.status)
    if refusal is not None:
        db.memo.clear()
        return await _referral_page(
            request,
            db,
            page,
            referral_id,
            message=refusal[0],
            message_kind="error",
            status_code=refusal[1],
            values=form,
            retry=chosen,
        )
    return RedirectResponse(f"/ui/referrals/{referral_id}?done={chosen.value}", status_code=303)
