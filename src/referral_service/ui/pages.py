"""The web pages under /ui/: server-rendered (Jinja2), working without JavaScript.

Every page calls the same service functions as the API (reports, referrals, events) with the
principal of the signed-in key, so the pages add no access rule of their own: what a key may see and
do here is exactly what it may see and do through /v1.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import BaseModel, TypeAdapter, ValidationError

from referral_service import clock
from referral_service.audit.identity import record as audit_identity_reads
from referral_service.audit.identity import shown_identities
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.complaints.representation import etag
from referral_service.db.driver import Db
from referral_service.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ProblemError,
    TransitionConflict,
)
from referral_service.events.service import list_referral_events
from referral_service.json_encoding import dumps
from referral_service.referrals import service as referrals
from referral_service.referrals.calendar import MAX_YEAR, MIN_YEAR
from referral_service.referrals.deadlines import current_calendar
from referral_service.referrals.domain import ReferralAction, ReferralState, Resolution, ResponseOutcome
from referral_service.referrals.representation import has_running_deadline, referral_out
from referral_service.referrals.schemas import (
    AcknowledgeRequest,
    CloseRequest,
    FollowUpRequest,
    ForwardRequest,
    NoteRequest,
    RespondRequest,
)
from referral_service.reports import service as reports
from referral_service.reports.endpoints import CSV_MEDIA_TYPE, MAX_WINDOW_DAYS, to_csv
from referral_service.reports.service import AgencyFigures
from referral_service.schemas import RegionCode, decode_cursor, encode_cursor
from referral_service.ui import sessions
from referral_service.ui.charts import Bar, bar_chart
from referral_service.ui.i18n import LANG_COOKIE, local_datetime, pick_language, translate, zone_name

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
STATIC_FILES = {"ui.css": "text/css"}
templates = Jinja2Templates(directory=HERE / "templates")

router = APIRouter(prefix="/ui", include_in_schema=False)

# The forms of the referral page: action -> (request body model, path segment).
ACTION_FORMS: dict[ReferralAction, type[BaseModel]] = {
    ReferralAction.FORWARD: ForwardRequest,
    ReferralAction.ACKNOWLEDGE: AcknowledgeRequest,
    ReferralAction.RESPOND: RespondRequest,
    ReferralAction.REQUEST_FOLLOW_UP: FollowUpRequest,
    ReferralAction.CLOSE: CloseRequest,
    ReferralAction.ADD_NOTE: NoteRequest,
}
_INT_FIELDS = {"due_working_days"}
DUE_SOON_WORKING_DAYS = 3
QUEUE_PAGE_SIZE = 20
DEFAULT_TIMEZONE = "Asia/Makassar"
_REGION = TypeAdapter(RegionCode)


# --- plumbing -----------------------------------------------------------------------------------


@asynccontextmanager
async def _db(request: Request, *, transaction: bool = False) -> AsyncIterator[Db]:
    async with request.app.state.pool.acquire() as conn:
        if not transaction:
            yield Db(conn)
            return
        async with conn.transaction():
            yield Db(conn)


class Page:
    """What every template gets: the language, the signed-in session, and helpers."""

    def __init__(self, request: Request, session: sessions.UiSession | None) -> None:
        self.request = request
        self.session = session
        self.lang = pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))

    def t(self, key: str, **values: Any) -> str:
        return translate(self.lang, key, **values)

    def when(self, moment: datetime | None, timezone: str) -> str:
        return local_datetime(self.lang, moment, timezone)

    def lang_url(self, lang: str) -> str:
        params = dict(self.request.query_params)
        params["lang"] = lang
        return f"{self.request.url.path}?{urlencode(params)}"

    @property
    def principal(self) -> Principal:
        """The signed-in caller. Pages that serve signed-in callers only (every page but sign-in) ask."""
        assert self.session is not None, "this page is served to signed-in callers only"
        return self.session.principal

    @property
    def is_ombudsman_side(self) -> bool:
        return self.session is not None and self.session.principal.is_ombudsman_side

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        response = templates.TemplateResponse(
            self.request, template, {"page": self, "t": self.t, **context}, status_code=status_code
        )
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; form-action 'self'; "
            "frame-ancestors 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        if self.request.query_params.get("lang") == self.lang:
            sessions.set_cookie(self.request, response, LANG_COOKIE, self.lang, 365 * 24 * 3600)
        return response


async def _signed_in(request: Request, db: Db) -> sessions.UiSession | None:
    return await sessions.lookup(db, request.cookies.get(sessions.SESSION_COOKIE))


def _to_sign_in(request: Request, *, expired: bool = False) -> RedirectResponse:
    target = "/ui/sign-in" + ("?expired=1" if expired else "")
    response = RedirectResponse(target, status_code=303)
    if expired:
        response.delete_cookie(sessions.SESSION_COOKIE, path="/ui")
    return response


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def _csrf_refused(page: Page) -> HTMLResponse:
    return page.render("error.html", 403, title=page.t("forbidden_title"), message=page.t("csrf_failed"))


def _not_found(page: Page) -> HTMLResponse:
    return page.render("error.html", 404, title=page.t("not_found_title"), message=page.t("not_found_text"))


def _forbidden(page: Page) -> HTMLResponse:
    return page.render("error.html", 403, title=page.t("forbidden_title"), message=page.t("forbidden_text"))


def _home(principal: Principal) -> str:
    return "/ui/figures" if principal.is_ombudsman_side else "/ui/queue"


# --- static -------------------------------------------------------------------------------------


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})


# --- sign-in / sign-out -------------------------------------------------------------------------


@router.get("")
@router.get("/")
async def index(request: Request) -> Response:
    async with _db(request) as db:
        session = await _signed_in(request, db)
    if session is None:
        return _to_sign_in(request)
    return RedirectResponse(_home(session.principal), status_code=303)


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    page = Page(request, None)
    return _sign_in_page(page, expired=request.query_params.get("expired") == "1")


def _sign_in_page(
    page: Page, *, error: str | None = None, expired: bool = False, status_code: int = 200
) -> HTMLResponse:
    token = sessions.new_login_csrf()
    response = page.render("sign_in.html", status_code, csrf=token, error=error, expired=expired)
    sessions.set_cookie(page.request, response, sessions.LOGIN_CSRF_COOKIE, token, 3600)
    return response


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    page = Page(request, None)
    form = await _form(request)
    if not sessions.csrf_matches(request.cookies.get(sessions.LOGIN_CSRF_COOKIE), form.get("csrf")):
        return _csrf_refused(page)
    lifetime = timedelta(hours=request.app.state.settings.ui_session_hours)
    async with _db(request, transaction=True) as db:
        opened = await sessions.sign_in(db, form.get("api_key", ""), lifetime)
    if opened is None:
        return _sign_in_page(page, error=page.t("sign_in_failed"), status_code=401)
    token, session = opened
    response = RedirectResponse(_home(session.principal), status_code=303)
    sessions.set_cookie(request, response, sessions.SESSION_COOKIE, token, int(lifetime.total_seconds()))
    response.delete_cookie(sessions.LOGIN_CSRF_COOKIE, path="/ui")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    form = await _form(request)
    async with _db(request, transaction=True) as db:
        session = await _signed_in(request, db)
        if session is None:
            return _to_sign_in(request)
        if not sessions.csrf_matches(session.csrf_secret, form.get("csrf")):
            return _csrf_refused(Page(request, session))
        await sessions.sign_out(db, request.cookies.get(sessions.SESSION_COOKIE))
    response = RedirectResponse("/ui/sign-in", status_code=303)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/ui")
    return response


# --- coordination figures -------------------------------------------------------------------------


def _period(page: Page) -> tuple[date, date, str | None, str | None]:
    """from, to, region and an error message (the same limits as the report endpoint)."""
    params = page.request.query_params
    today = clock.now().astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date()
    principal = page.principal
    region = params.get("region", principal.region_code or "") or None
    try:
        date_from = date.fromisoformat(params.get("from") or date(today.year, 1, 1).isoformat())
        date_to = date.fromisoformat(params.get("to") or today.isoformat())
    except ValueError:
        return today, today, region, page.t("invalid_period")
    if not (MIN_YEAR <= date_from.year <= MAX_YEAR and MIN_YEAR <= date_to.year <= MAX_YEAR):
        return date_from, date_to, region, page.t("invalid_period")
    if date_to < date_from or (date_to - date_from).days > MAX_WINDOW_DAYS:
        return date_from, date_to, region, page.t("invalid_period")
    if region is not None:
        try:
            region = _REGION.validate_python(region)
        except ValidationError:
            return date_from, date_to, region, page.t("invalid_input") + f": {page.t('region')}"
    return date_from, date_to, region, None


async def _figures_rows(
    request: Request, page: Page, date_from: date, date_to: date, region: str | None
) -> list[AgencyFigures]:
    async with request.app.state.sessionmaker() as session:
        return await reports.agency_performance(session, page.principal, date_from, date_to, region)


@router.get("/figures")
async def figures(request: Request) -> Response:
    async with _db(request) as db:
        session = await _signed_in(request, db)
    if session is None:
        return _to_sign_in(request, expired=sessions.SESSION_COOKIE in request.cookies)
    page = Page(request, session)
    date_from, date_to, region, error = _period(page)
    rows = [] if error else await _figures_rows(request, page, date_from, date_to, region)
    query = urlencode(
        {"from": date_from.isoformat(), "to": date_to.isoformat(), **({"region": region} if region else {})}
    )
    charts = _charts(page, rows) if rows else []
    return page.render(
        "figures.html",
        422 if error else 200,
        rows=rows,
        date_from=date_from,
        date_to=date_to,
        region=region or "",
        error=error,
        query=query,
        charts=charts,
        print_view=request.query_params.get("print") == "1",
        generated_at=page.when(clock.now(), DEFAULT_TIMEZONE),
    )


def _charts(page: Page, rows: list[AgencyFigures]) -> list[tuple[str, Markup]]:
    def pct(share: float | None) -> str:
        return "—" if share is None else f"{round(share * 100)} %"

    def days(median: float | None) -> str:
        return "—" if median is None else f"{median:g}"

    return [
        (
            page.t("chart_on_time"),
            bar_chart(
                page.t("chart_on_time"),
                [Bar(r.agency_name, r.share_on_time, pct(r.share_on_time)) for r in rows],
                maximum=1.0,
            ),
        ),
        (
            page.t("chart_median"),
            bar_chart(
                page.t("chart_median"),
                [
                    Bar(r.agency_name, r.median_working_days_to_respond, days(r.median_working_days_to_respond))
                    for r in rows
                ],
            ),
        ),
        (
            page.t("chart_open"),
            bar_chart(
                page.t("chart_open"),
                [Bar(r.agency_name, r.open, f"{r.open} / {r.open_overdue}", secondary=r.open_overdue) for r in rows],
                legend=(page.t("open"), page.t("open_overdue")),
            ),
        ),
    ]


@router.get("/figures.csv")
async def figures_csv(request: Request) -> Response:
    async with _db(request) as db:
        session = await _signed_in(request, db)
    if session is None:
        return _to_sign_in(request, expired=sessions.SESSION_COOKIE in request.cookies)
    page = Page(request, session)
    date_from, date_to, region, error = _period(page)
    if error:
        return page.render("error.html", 422, title=page.t("invalid_input"), message=error)
    rows = await _figures_rows(request, page, date_from, date_to, region)
    filename = f"agency-performance-{date_from.isoformat()}-{date_to.isoformat()}.csv"
    return Response(
        to_csv(rows),
        media_type=CSV_MEDIA_TYPE + "; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# --- deadlines --------------------------------------------------------------------------------------


async def _agency_names(db: Db, codes: Iterable[str]) -> dict[str, str]:
    rows = await db.fetch("SELECT code, name FROM agencies WHERE code = ANY($1::text[])", list(codes))
    return {row["code"]: row["name"] for row in rows}


@router.get("/deadlines")
async def deadlines(request: Request) -> Response:
    async with _db(request) as db:
        session = await _signed_in(request, db)
        if session is None:
            return _to_sign_in(request, expired=sessions.SESSION_COOKIE in request.cookies)
        page = Page(request, session)
        now = clock.now()
        overdue_rows, _ = await referrals.list_rows(
            db,
            page.principal,
            limit=500,
            cursor=None,
            state=ReferralState.FORWARDED,
            agency_code=None,
            complaint_id=None,
            overdue=True,
            due_before=None,
        )
        soon_rows, _ = await referrals.list_rows(
            db,
            page.principal,
            limit=500,
            cursor=None,
            state=ReferralState.FORWARDED,
            agency_code=None,
            complaint_id=None,
            overdue=False,
            due_before=now + timedelta(days=DUE_SOON_WORKING_DAYS + 7),
        )
        calendar = await current_calendar(db)
        names = await _agency_names(db, {r["agency_code"] for r in overdue_rows + soon_rows})

    def grouped(rows: list[Any], sign: int, limit: int | None) -> list[tuple[str, list[dict[str, Any]]]]:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            if row["due_at"] is None:
                continue
            remaining = calendar.working_days_remaining(now, row["due_at"], row["timezone"])
            if limit is not None and remaining > limit:
                continue
            groups[row["agency_code"]].append(
                {
                    "row": row,
                    "days": sign * remaining,
                    "subject": row["complaint__subject"],
                    "reference": row["complaint__reference"],
                }
            )
        for items in groups.values():
            items.sort(key=lambda item: item["row"]["due_at"])
        return [
            (names.get(code, code), items)
            for code, items in sorted(groups.items(), key=lambda g: names.get(g[0], g[0]))
        ]

    return page.render(
        "deadlines.html",
        overdue=grouped(overdue_rows, -1, None),
        soon=grouped(soon_rows, 1, DUE_SOON_WORKING_DAYS),
        due_soon_days=DUE_SOON_WORKING_DAYS,
    )


# --- queue --------------------------------------------------------------------------------------------


@router.get("/queue")
async def queue(request: Request) -> Response:
    params = request.query_params
    async with _db(request) as db:
        session = await _signed_in(request, db)
        if session is None:
            return _to_sign_in(request, expired=sessions.SESSION_COOKIE in request.cookies)
        page = Page(request, session)
        state_param = params.get("state", "forwarded" if not session.principal.is_ombudsman_side else "")
        try:
            state = ReferralState(state_param) if state_param else None
        except ValueError:
            state = None
        overdue = params.get("overdue") == "1"
        cursor = params.get("cursor") or None
        try:
            if cursor is not None:
                decode_cursor(cursor)
        except BadRequest:  # a mangled link: start from the first page
            cursor = None
        rows, more = await referrals.list_rows(
            db,
            page.principal,
            limit=QUEUE_PAGE_SIZE,
            cursor=cursor,
            state=state,
            agency_code=None,
            complaint_id=None,
            overdue=True if overdue else None,
            due_before=None,
        )
        calendar = await current_calendar(db) if any(has_running_deadline(r) for r in rows) else None
        now = clock.now()
        items = [
            referral_out(r, None, r["timezone"], page.principal, calendar, now) | {"timezone": r["timezone"]}
            for r in rows
        ]
        names = await _agency_names(db, {r["agency_code"] for r in rows})
    next_query = None
    if more and rows:
        next_params = {"state": state_param, **({"overdue": "1"} if overdue else {})}
        next_params["cursor"] = encode_cursor(rows[-1]["created_at"], rows[-1]["id"])
        next_query = urlencode(next_params)
    return page.render(
        "queue.html",
        items=items,
        names=names,
        state=state_param,
        overdue=overdue,
        next_query=next_query,
        paged=cursor is not None,
        states=[s.value for s in ReferralState],
    )


# --- one referral ---------------------------------------------------------------------------------


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
) -> HTMLResponse:
    try:
        row = await referrals.get_row(db, page.principal, referral_id)
    except NotFound:
        return _not_found(page)
    calendar = await current_calendar(db) if has_running_deadline(row) else None
    referral = referral_out(row, None, row["timezone"], page.principal, calendar)
    # The page shows the complaint as the API would: a confidential identity shown is audited alike.
    await audit_identity_reads(db, request, page.principal, shown_identities(dumps(referral)))
    hidden = ("referral.created",) if page.principal.role is Role.AGENCY else ()
    events = await list_referral_events(db, referral_id, hide_types=hidden)
    names = await _agency_names(db, [row["agency_code"]])
    return page.render(
        "referral.html",
        status_code,
        referral=referral,
        complaint=referral["complaint"],
        events=events,
        timezone=row["timezone"],
        zone=zone_name(row["timezone"]),
        etag=etag(row["version"]),
        agency_name=names.get(row["agency_code"], row["agency_code"]),
        message=message,
        message_kind=message_kind,
        actions=[ReferralAction(a) for a in referral["allowed_actions"]],
        values=values or {},
        outcomes=[o.value for o in ResponseOutcome],
        resolutions=[r.value for r in Resolution],
    )


@router.get("/referrals/{referral_id}")
async def referral_page(request: Request, referral_id: str) -> Response:
    async with _db(request) as db:
        session = await _signed_in(request, db)
        if session is None:
            return _to_sign_in(request, expired=sessions.SESSION_COOKIE in request.cookies)
        page = Page(request, session)
        parsed = _parse_id(referral_id)
        if parsed is None:
            return _not_found(page)
        done = request.query_params.get("done")
        message = page.t("done") if done else None
        return await _referral_page(request, db, page, parsed, message=message, message_kind="success")


@router.post("/referrals/{referral_id}/{action}")
async def referral_action(request: Request, referral_id: str, action: str) -> Response:
    form = await _form(request)
    async with _db(request) as db:
        session = await _signed_in(request, db)
        if session is None:
            return _to_sign_in(request, expired=sessions.SESSION_COOKIE in request.cookies)
        page = Page(request, session)
        if not sessions.csrf_matches(session.csrf_secret, form.get("csrf")):
            return _csrf_refused(page)
        parsed = _parse_id(referral_id)
        try:
            chosen = ReferralAction(action)
        except ValueError:
            chosen = None
        if parsed is None or chosen not in ACTION_FORMS:
            return _not_found(page)
        model = ACTION_FORMS[chosen]
        fields = {}
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
                parsed,
                message=f"{page.t('invalid_input')} — {problems}",
                message_kind="error",
                status_code=422,
                values=form,
            )
        refusal: tuple[str, int] | None = None
        try:
            async with db.conn.transaction():
                await referrals.transition(
                    db,
                    page.principal,
                    parsed,
                    chosen,
                    payload,
                    form.get("etag") or None,
                    default_due_working_days=request.app.state.settings.default_due_working_days,
                    via="api",
                )
        except NotFound:
            return _not_found(page)
        except Forbidden:
            return _forbidden(page)
        except PreconditionFailed:
            refusal = (page.t("stale"), 409)
        except TransitionConflict:
            refusal = (page.t("not_allowed"), 409)
        except ProblemError as exc:
            refusal = (f"{page.t('invalid_input')} — {exc.detail or exc.title}", exc.status)
        if refusal is not None:
            db.memo.clear()
            return await _referral_page(
                request, db, page, parsed, message=refusal[0], message_kind="error", status_code=refusal[1], values=form
            )
    return RedirectResponse(f"/ui/referrals/{parsed}?done={chosen.value}", status_code=303)
