"""Signing in to the web view with an API key, signing out, and the stylesheet.

These routes answer callers who are not signed in, so they count against the source address's limit
like the API's unauthenticated routes; a wrong key counts as a failed authentication, as a wrong
`Authorization` header does, and an address over that limit gets 429 for every further wrong key.
As in the API, a valid key still signs in from such an address (auth/dependencies.py says why)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from referral_service.auth.key_cache import ApiKeyCache
from referral_service.auth.keys import hash_api_key
from referral_service.errors import RateLimited
from referral_service.ratelimit import RateLimiter, client_address, limit_by_address
from referral_service.ui import sessions
from referral_service.ui.page import HERE, Page, home_of, open_db, read_form, signed_in, to_sign_in

STATIC = HERE / "static"
STATIC_FILES = {"ui.css": "text/css"}

router = APIRouter(prefix="/ui")
# The stylesheet answers a flood with the API's problem+json 429; the pages below with a page.
static_router = APIRouter(prefix="/ui", dependencies=[Depends(limit_by_address)])


async def _address_refusal(request: Request) -> HTMLResponse | None:
    """The 429 page for an address over its limit, or None: count this request and go on."""
    limiter: RateLimiter = request.app.state.rate_limiter
    try:
        await limiter.take(request, limiter.address, client_address(request))
    except RateLimited as refused:
        return Page(request, None).too_many(refused.retry_after)
    return None


@static_router.get("/static/{name}")
async def static_file(name: str) -> Response:
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})


@router.get("")
@router.get("/")
async def index(request: Request) -> Response:
    if over_limit := await _address_refusal(request):
        return over_limit
    async with open_db(request) as db:
        session = await signed_in(request, db)
    if session is None:
        return to_sign_in(request, expired=False)
    return RedirectResponse(home_of(session.principal), status_code=303)


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    if over_limit := await _address_refusal(request):
        return over_limit
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
    if over_limit := await _address_refusal(request):
        return over_limit
    page = Page(request, None)
    form = await read_form(request)
    if not sessions.csrf_matches(request.cookies.get(sessions.LOGIN_CSRF_COOKIE), form.get("csrf")):
        return page.csrf_refused()
    limiter: RateLimiter = request.app.state.rate_limiter
    address = client_address(request)
    key_cache: ApiKeyCache = request.app.state.key_cache
    if not key_cache.active:  # every key would be a query: an address over its limit is refused first
        blocked = limiter.blocked(limiter.auth_failures, address)
        if blocked:
            return page.too_many(blocked)
    api_key = form.get("api_key", "").strip()
    lifetime = timedelta(hours=request.app.state.settings.ui_session_hours)
    opened = None
    if api_key and not await key_cache.surely_inactive(hash_api_key(api_key)):
        async with open_db(request, transaction=True) as db:
            opened = await sessions.sign_in(db, api_key, lifetime)
    if opened is None:
        try:
            await limiter.take(request, limiter.auth_failures, address)
        except RateLimited as refused:
            return page.too_many(refused.retry_after)
        return _sign_in_page(page, error=page.t("sign_in_failed"), status_code=401)
    token, session = opened
    response = RedirectResponse(home_of(session.principal), status_code=303)
    sessions.set_cookie(request, response, sessions.SESSION_COOKIE, token, int(lifetime.total_seconds()))
    response.delete_cookie(sessions.LOGIN_CSRF_COOKIE, path="/ui")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    if over_limit := await _address_refusal(request):
        return over_limit
    form = await read_form(request)
    async with open_db(request, transaction=True) as db:
        session = await signed_in(request, db)
        if session is None:
            return to_sign_in(request, expired=False)
        page = Page(request, session)
        if not page.csrf_ok(form):
            return page.csrf_refused()
        await sessions.sign_out(db, request.cookies.get(sessions.SESSION_COOKIE))
    response = RedirectResponse("/ui/sign-in", status_code=303)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/ui")
    response.delete_cookie(sessions.PRESENTING_COOKIE, path="/ui")
    return response
