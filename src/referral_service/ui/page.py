"""What every page under /ui/ shares: the template renderer, the signed-in session, form reading.

Every page calls the same service functions as the API (reports, referrals, events) with the
principal of the signed-in key, so the pages add no access rule of their own: what a key may see and
do here is exactly what it may see and do through /v1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from referral_service.agencies import service as agencies
from referral_service.auth.principal import Principal
from referral_service.db.driver import Db, pooled
from referral_service.errors import ProblemError, RateLimited
from referral_service.problem_texts import localized_text
from referral_service.region_list import official_regions
from referral_service.ui import sessions
from referral_service.ui.i18n import LANG_COOKIE, local_datetime, long_date, pick_language, translate
from referral_service.ui.labels import label

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
DEFAULT_TIMEZONE = "Asia/Makassar"


@asynccontextmanager
async def open_db(request: Request, *, transaction: bool = False) -> AsyncIterator[Db]:
    async with pooled(request.app.state.pool) as db:
        if not transaction:
            yield db
            return
        async with db.transaction():
            yield db


class Page:
    """What every template gets: the language, the signed-in session, and helpers."""

    def __init__(self, request: Request, session: sessions.UiSession | None) -> None:
        self.request = request
        self.session = session
        self.lang = pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
        # Presenting mode: every identity and free text is replaced by `concealed` (ui.presenting).
        self.presenting = sessions.is_presenting(request, session)

    def t(self, key: str, **values: Any) -> str:
        return translate(self.lang, key, **values)

    def label(self, kind: str, code: str | None, **values: Any) -> str:
        """The name of a code (an event type, a state, a category...): ui.labels."""
        return label(self.lang, kind, code, **values)

    def when(self, moment: datetime | None, timezone: str) -> str:
        return local_datetime(self.lang, moment, timezone)

    def day(self, value: date | None) -> str:
        return long_date(self.lang, value)

    def region(self, code: str | None) -> str:
        """`Kota Samarinda (64.72)`: the Kemendagri name with its code."""
        if not code:
            return "—"
        region = official_regions().by_code.get(code)
        return f"{region.name} ({code})" if region else code

    @property
    def concealed(self) -> Markup:
        """What presenting mode shows in place of an identity or a free text."""
        return Markup('<span class="concealed">{}</span>').format(self.t("concealed"))

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

    def csrf_ok(self, form: dict[str, str]) -> bool:
        """The form carries the signed-in session's CSRF token."""
        return self.session is not None and sessions.csrf_matches(self.session.csrf_secret, form.get("csrf"))

    def problem_text(self, problem: ProblemError) -> str:
        """What a refusal of the API's services says, in the page's language: `title: detail`."""
        title = localized_text(problem.title, self.lang)
        return f"{title}: {localized_text(problem.detail, self.lang)}" if problem.detail else title

    def error(self, status_code: int, title_key: str, message: str) -> HTMLResponse:
        return self.render("error.html", status_code, title=self.t(title_key), message=message)

    def csrf_refused(self) -> HTMLResponse:
        return self.error(403, "forbidden_title", self.t("csrf_failed"))

    def not_found(self) -> HTMLResponse:
        return self.error(404, "not_found_title", self.t("not_found_text"))

    def forbidden(self) -> HTMLResponse:
        return self.error(403, "forbidden_title", self.t("forbidden_text"))

    def too_many(self, retry_after: int) -> HTMLResponse:
        response = self.error(429, "too_many_title", self.t("too_many_text", seconds=retry_after))
        response.headers["Retry-After"] = str(retry_after)
        return response


async def signed_in(request: Request, db: Db) -> sessions.UiSession | None:
    return await sessions.lookup(db, request.cookies.get(sessions.SESSION_COOKIE))


async def signed_in_page(request: Request, db: Db) -> Page | Response:
    """The page of the signed-in caller, or the answer to send instead: to the sign-in form, or 429.

    A page view counts against the signed-in key's rate limit like one of its API requests: the web
    view is another way to use the key, not a way around its limit."""
    session = await signed_in(request, db)
    if session is None:
        return to_sign_in(request)
    page = Page(request, session)
    limiter = request.app.state.rate_limiter
    try:
        await limiter.take(
            request,
            limiter.key_policy(page.principal.role, page.principal.rate_limit_per_minute),
            page.principal.key_id,
        )
    except RateLimited as refused:
        return page.too_many(refused.retry_after)
    return page


def to_sign_in(request: Request, *, expired: bool | None = None) -> RedirectResponse:
    """Back to the sign-in form; `expired` (by default: a session cookie was sent) says why."""
    if expired is None:
        expired = sessions.SESSION_COOKIE in request.cookies
    target = "/ui/sign-in" + ("?expired=1" if expired else "")
    response = RedirectResponse(target, status_code=303)
    if expired:
        response.delete_cookie(sessions.SESSION_COOKIE, path="/ui")
    return response


async def read_form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def home_of(principal: Principal) -> str:
    return "/ui/figures" if principal.is_ombudsman_side else "/ui/queue"


async def agency_names(db: Db, codes: Iterable[str]) -> dict[str, str]:
    return await agencies.names(db, codes)
