"""Presenting mode: for a screen shown to agencies at the coordination meeting, every page hides every
identity (the complainant, the reported official's name) and every free text (subjects, descriptions,
instructions, answers, notes, reasons, document names) until it is switched off again.

The switch is a form in the header of every page; its state is a cookie bound to the session
(`sessions.presenting_token`), so it lasts until switched off or signed out. Pages pass what they
show through the functions below, which replace the hidden values with `Page.concealed`: the
templates cannot show what they were never given. The page of a referral then shows no identity,
so it records no identity read either.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from referral_service import clock
from referral_service.ui import sessions
from referral_service.ui.page import Page, open_db, read_form, signed_in_page

router = APIRouter(prefix="/ui")

# The complaint's free text; its identity (`complainant`) is handled on its own.
_COMPLAINT_TEXT = ("subject", "description")
_REFERRAL_TEXT = ("instructions",)
_RESPONSE_TEXT = ("summary", "actions_taken")


def conceal_complaint(page: Page, complaint: dict[str, Any]) -> dict[str, Any]:
    """The complaint as the page may show it: unchanged, or in presenting mode without identity or text.
    `complainant_concealed` tells the template that an identity was there."""
    if not page.presenting:
        return complaint
    shown = {**complaint, "complainant": None, "complainant_concealed": complaint.get("complainant") is not None}
    for key in _COMPLAINT_TEXT:
        if shown.get(key):
            shown[key] = page.concealed
    party = shown.get("reported_party")
    if isinstance(party, dict) and party.get("name"):
        shown["reported_party"] = {**party, "name": page.concealed}
    return shown


def conceal_referral(page: Page, referral: dict[str, Any]) -> dict[str, Any]:
    """A referral body (`referral_out`) with its embedded complaint, concealed like `conceal_complaint`."""
    if not page.presenting:
        return referral
    shown = copy.copy(referral)
    for key in _REFERRAL_TEXT:
        if shown.get(key):
            shown[key] = page.concealed
    if shown.get("response"):
        shown["response"] = {
            key: page.concealed if key in _RESPONSE_TEXT and value else value
            for key, value in shown["response"].items()
        }
    shown["complaint"] = conceal_complaint(page, referral["complaint"])
    return shown


def conceal_text(page: Page, text: str | None) -> Any:
    """One free text (a subject in a list, a note on the timeline)."""
    return page.concealed if page.presenting and text else text


def _back_to(target: str | None) -> str:
    """Where the switch returns to: a page of the web view, never another site."""
    if not target:
        return "/ui/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/ui/") or "\\" in target:
        return "/ui/"
    return target


@router.post("/presenting")
async def switch(request: Request) -> Response:
    form = await read_form(request)
    async with open_db(request) as db:
        page = await signed_in_page(request, db)
    if not isinstance(page, Page):
        return page
    if not page.csrf_ok(form):
        return page.csrf_refused()
    session = page.session
    assert session is not None
    response = RedirectResponse(_back_to(form.get("next")), status_code=303)
    if form.get("presenting") == "on":
        remaining = max(int((session.expires_at - clock.now()).total_seconds()), 1)
        sessions.set_cookie(
            request, response, sessions.PRESENTING_COOKIE, sessions.presenting_token(session), remaining
        )
    else:
        response.delete_cookie(sessions.PRESENTING_COOKIE, path="/ui")
    return response
