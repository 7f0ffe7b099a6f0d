"""The web pages at the HTTP level: sessions, CSRF, expiry, revocation, stale forms, scoping."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import httpx
import pytest

from referral_service import clock
from tests.conftest import Api, create_complaint, issue_key

BASE = "http://127.0.0.1"  # the suite's REFERRAL_PUBLIC_BASE_URL: plain HTTP, cookies without `Secure`


@pytest.fixture
async def browser(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


def hidden(text: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', text)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


async def sign_in(client: httpx.AsyncClient, key: str) -> httpx.Response:
    form = await client.get("/ui/sign-in")
    assert form.status_code == 200
    return await client.post("/ui/sign-in", data={"csrf": hidden(form.text, "csrf"), "api_key": key})


async def forwarded_referral(ombudsman: Api, agency_code: str = "inspektorat-64.72", *, forward: bool = True) -> str:
    complaint = await create_complaint(ombudsman)
    created = await ombudsman.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": agency_code})
    assert created.status_code == 201, created.text
    referral_id = created.json()["id"]
    if forward:
        assert (await ombudsman.post(f"/v1/referrals/{referral_id}/forward", json={})).status_code == 200
    return referral_id


async def test_sign_in_sets_a_strict_http_only_cookie_and_stores_only_a_hash(browser, app, ombudsman_kaltim):
    response = await sign_in(browser, ombudsman_kaltim.key)
    assert response.status_code == 303 and response.headers["location"] == "/ui/figures"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("ui_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie  # an http:// public address
    token = cookie.split(";")[0].split("=", 1)[1]
    async with app.state.pool.acquire() as conn:
        stored = await conn.fetch("SELECT token_hash FROM ui_sessions")
    assert all(token.encode() not in bytes(row["token_hash"]) for row in stored)
    page = await browser.get("/ui/figures?from=2026-01-01&to=2026-12-31&region=64")
    assert page.status_code == 200 and "Kinerja instansi" in page.text and "Inspektorat Kota Samarinda" in page.text
    assert "<svg" in page.text


@pytest.mark.parametrize(
    ("public_base_url", "secure"),
    [(None, True), ("https://rujukan.ombudsman.go.id", True), ("http://127.0.0.1:8000", False)],
)
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "rujukan.ombudsman.go.id"])
async def test_cookies_are_secure_by_the_public_address_whatever_host_a_request_names(
    settings, database_url, public_base_url, secure, host
):
    """Behind a reverse proxy that forwards HTTPS as plain HTTP with `Host: localhost`, cookies must
    stay `Secure`: the setting decides, HTTPS when unset, never the request."""
    from referral_service.main import create_app

    app = create_app(settings.model_copy(update={"public_base_url": public_base_url}), database_url=database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{host}") as client:
        form = await client.get("/ui/sign-in")  # sets the sign-in form's CSRF cookie
    assert form.status_code == 200
    cookie = next(c for c in form.headers.get_list("set-cookie") if c.startswith("ui_login_csrf="))
    assert ("Secure" in cookie) is secure, cookie


async def test_unknown_key_and_bootstrap_key_do_not_sign_in(browser, admin):
    assert (await sign_in(browser, "not-a-key")).status_code == 401
    assert (await sign_in(browser, admin.key)).status_code == 401  # the bootstrap key has no row to bind to


async def test_sign_in_without_the_login_csrf_cookie_is_refused(browser, ombudsman_kaltim):
    form = await browser.get("/ui/sign-in")
    browser.cookies.clear()
    response = await browser.post(
        "/ui/sign-in", data={"csrf": hidden(form.text, "csrf"), "api_key": ombudsman_kaltim.key}
    )
    assert response.status_code == 403 and "ui_session" not in response.headers.get("set-cookie", "")


async def test_forms_without_the_session_csrf_token_change_nothing(browser, ombudsman_kaltim):
    referral_id = await forwarded_referral(ombudsman_kaltim, forward=False)
    await sign_in(browser, ombudsman_kaltim.key)
    page = await browser.get(f"/ui/referrals/{referral_id}")
    etag = hidden(page.text, "etag")
    for csrf in (None, "wrong"):
        data = {"etag": etag, "act": "forward", **({"csrf": csrf} if csrf else {})}
        response = await browser.post(f"/ui/referrals/{referral_id}", data=data)
        assert response.status_code == 403
    assert (await ombudsman_kaltim.get(f"/v1/referrals/{referral_id}")).json()["state"] == "received"
    # Sign-out is a form too.
    assert (await browser.post("/ui/sign-out", data={"csrf": "wrong"})).status_code == 403
    assert (await browser.get("/ui/figures")).status_code == 200
    # With the token it works.
    response = await browser.post(
        f"/ui/referrals/{referral_id}", data={"etag": etag, "csrf": hidden(page.text, "csrf"), "act": "forward"}
    )
    assert response.status_code == 303
    assert (await ombudsman_kaltim.get(f"/v1/referrals/{referral_id}")).json()["state"] == "forwarded"


async def test_session_expires(browser, app, ombudsman_kaltim):
    start = datetime.now(UTC)
    with clock.frozen_at(start) as frozen:
        await sign_in(browser, ombudsman_kaltim.key)
        assert (await browser.get("/ui/figures")).status_code == 200
        frozen.advance(app.state.settings.ui_session_hours * 3600 - 60)
        assert (await browser.get("/ui/figures")).status_code == 200
        frozen.advance(120)
        response = await browser.get("/ui/figures")
    assert response.status_code == 303 and response.headers["location"] == "/ui/sign-in?expired=1"


async def test_sign_out_ends_the_session(browser, ombudsman_kaltim):
    await sign_in(browser, ombudsman_kaltim.key)
    page = await browser.get("/ui/figures")
    token = browser.cookies["ui_session"]
    assert (await browser.post("/ui/sign-out", data={"csrf": hidden(page.text, "csrf")})).status_code == 303
    browser.cookies.set("ui_session", token, domain="127.0.0.1", path="/ui")  # a copied cookie is dead too
    assert (await browser.get("/ui/figures")).status_code == 303


async def test_revoking_the_key_ends_its_sessions(browser, admin, kaltim):
    key = await issue_key(admin, "ombudsman", region_code="64")
    await sign_in(browser, key.key)
    assert (await browser.get("/ui/figures")).status_code == 200
    assert (await admin.delete(f"/v1/api-keys/{key.key_id}")).status_code == 204
    response = await browser.get("/ui/figures")
    assert response.status_code == 303 and response.headers["location"].startswith("/ui/sign-in")


async def test_a_stale_form_changes_nothing(app, ombudsman_kaltim):
    referral_id = await forwarded_referral(ombudsman_kaltim, forward=False)
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as first,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as second,
    ):
        await sign_in(first, ombudsman_kaltim.key)
        await sign_in(second, ombudsman_kaltim.key)
        page_one = await first.get(f"/ui/referrals/{referral_id}")
        page_two = await second.get(f"/ui/referrals/{referral_id}")
        note = {"csrf": hidden(page_one.text, "csrf"), "etag": hidden(page_one.text, "etag"), "instructions": "Satu"}
        note["act"] = "forward"
        assert (await first.post(f"/ui/referrals/{referral_id}", data=note)).status_code == 303
        stale = {
            "csrf": hidden(page_two.text, "csrf"),
            "etag": hidden(page_two.text, "etag"),
            "resolution": "duplicate",
            "note": "Sama dengan pengaduan lain.",
            "act": "close",
        }
        response = await second.post(f"/ui/referrals/{referral_id}", data=stale)
        assert response.status_code == 409
        assert "diubah oleh orang lain" in response.text
        assert (await ombudsman_kaltim.get(f"/v1/referrals/{referral_id}")).json()["state"] == "forwarded"
        # What was typed is kept in the form, which now carries the current ETag: sent again, it acts.
        kept = response.text.split('id="form-close"', 1)[1].split("</form>", 1)[0]
        assert "Sama dengan pengaduan lain.</textarea>" in kept and '<option value="duplicate" selected>' in kept
        assert hidden(kept, "etag") != stale["etag"] and "Kirim ulang" in kept
        resent = {**stale, "etag": hidden(kept, "etag")}
        assert (await second.post(f"/ui/referrals/{referral_id}", data=resent)).status_code == 303
    assert (await ombudsman_kaltim.get(f"/v1/referrals/{referral_id}")).json()["state"] == "closed"


async def test_agency_sees_its_queue_and_not_other_agencies_referrals(browser, ombudsman_kaltim, bontang, samarinda):
    referral_id = await forwarded_referral(ombudsman_kaltim)
    await sign_in(browser, samarinda.key)
    queue = await browser.get("/ui/queue")
    assert queue.status_code == 200 and referral_id in queue.text
    browser.cookies.clear()
    response = await sign_in(browser, bontang.key)
    assert response.headers["location"] == "/ui/queue"
    assert referral_id not in (await browser.get("/ui/queue?state=")).text
    assert (await browser.get(f"/ui/referrals/{referral_id}")).status_code == 404
    assert (await browser.get("/ui/referrals/not-a-uuid")).status_code == 404


async def test_confidential_identity_is_hidden_from_the_agency_page(browser, ombudsman_kaltim, samarinda):
    complaint = await create_complaint(
        ombudsman_kaltim, identity_confidential=True, complainant={"name": "Rahasia Pelapor"}
    )
    created = await ombudsman_kaltim.post(
        f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": "inspektorat-64.72"}
    )
    referral_id = created.json()["id"]
    await ombudsman_kaltim.post(f"/v1/referrals/{referral_id}/forward", json={})
    await sign_in(browser, ombudsman_kaltim.key)
    assert "Rahasia Pelapor" in (await browser.get(f"/ui/referrals/{referral_id}")).text
    browser.cookies.clear()
    await sign_in(browser, samarinda.key)
    page = await browser.get(f"/ui/referrals/{referral_id}")
    assert page.status_code == 200 and "Rahasia Pelapor" not in page.text and "dirahasiakan" in page.text


async def test_csv_and_language_switch(browser, ombudsman_kaltim):
    await sign_in(browser, ombudsman_kaltim.key)
    csv = await browser.get("/ui/figures.csv?from=2026-01-01&to=2026-12-31&region=64")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.startswith("agency_code,agency_name,region_code,")
    english = await browser.get("/ui/figures?lang=en")
    assert "Agency performance" in english.text and '<html lang="en">' in english.text
    assert "Agency performance" in (await browser.get("/ui/figures")).text  # the cookie keeps it
    assert (await browser.get("/ui/figures?from=2026-12-31&to=2026-01-01")).status_code == 422


async def test_deadline_lists_count_working_days_per_agency(browser, ombudsman_kaltim):
    # Monday 7 December 2026, 09:00 WITA: one referral due in 1 working day, one in 3.
    monday = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    with clock.frozen_at(monday) as frozen:
        late = await forwarded_referral(ombudsman_kaltim, forward=False)
        assert (
            await ombudsman_kaltim.post(f"/v1/referrals/{late}/forward", json={"due_working_days": 1})
        ).status_code == 200
        soon = await forwarded_referral(ombudsman_kaltim, "inspektorat-64.74", forward=False)
        assert (
            await ombudsman_kaltim.post(f"/v1/referrals/{soon}/forward", json={"due_working_days": 3})
        ).status_code == 200
        frozen.advance(2 * 24 * 3600)  # Wednesday 09:00 WITA: `late` was due Tuesday, `soon` is due Thursday
        await sign_in(browser, ombudsman_kaltim.key)
        page = await browser.get("/ui/deadlines")
    assert page.status_code == 200
    overdue_part, soon_part = page.text.split('id="soon-h"')
    assert f"/ui/referrals/{late}" in overdue_part and f"/ui/referrals/{soon}" in soon_part
    row = re.search(rf'/ui/referrals/{late}.*?<td class="num">(-?\d+)</td>', overdue_part, re.S)
    assert row and row.group(1) == "1"  # one working day overdue (Wednesday)
    row = re.search(rf'/ui/referrals/{soon}.*?<td class="num">(-?\d+)</td>', soon_part, re.S)
    assert row and row.group(1) == "1"  # Thursday: one working day left
    assert "Inspektorat Kota Samarinda" in overdue_part and "Inspektorat Kota Bontang" in soon_part
    assert "8 Desember 2026 23.59 WITA" in overdue_part


async def test_ombudsman_actions_and_a_refused_form(browser, ombudsman_kaltim, samarinda):
    referral_id = await forwarded_referral(ombudsman_kaltim)
    assert (
        await samarinda.post(
            f"/v1/referrals/{referral_id}/respond", json={"outcome": "action_taken", "summary": "Selesai."}
        )
    ).status_code == 200
    await sign_in(browser, ombudsman_kaltim.key)

    async def act(action: str, **fields: str) -> httpx.Response:
        page = await browser.get(f"/ui/referrals/{referral_id}")
        data = {"csrf": hidden(page.text, "csrf"), "etag": hidden(page.text, "etag"), **fields}
        return await browser.post(f"/ui/referrals/{referral_id}", data={**data, "act": action})

    page = await browser.get(f"/ui/referrals/{referral_id}")
    # The forms offered are the transition table's allowed_actions for this key and state.
    assert re.findall(r'name="act" value="(\w+)"', page.text) == ["add_note", "close", "request_follow_up"]
    refused = await act("request_follow_up", reason="", due_working_days="0")
    assert refused.status_code == 422 and "Isian tidak sah" in refused.text
    assert (await act("request_follow_up", reason="Lampirkan salinan izin.", due_working_days="5")).status_code == 303
    assert (await act("add_note", text="Dibahas di rapat koordinasi.")).status_code == 303
    not_allowed = await act("respond", outcome="action_taken", summary="x")  # an agency's action
    assert not_allowed.status_code == 403
    assert (await act("close", resolution="resolved", note="Selesai.")).status_code == 303
    body = (await ombudsman_kaltim.get(f"/v1/referrals/{referral_id}")).json()
    assert body["state"] == "closed" and body["follow_up_count"] == 1
    events = (await ombudsman_kaltim.get(f"/v1/referrals/{referral_id}/events")).json()
    assert [e["type"] for e in events][-3:] == [
        "referral.follow_up_requested",
        "referral.note_added",
        "referral.closed",
    ]
    # The timeline tells the channel: the agency answered through the API, the officer acted on the pages.
    assert [(e["type"], e["via"]) for e in events][-4] == ("referral.responded", "api")
    assert [e["via"] for e in events][-3:] == ["web", "web", "web"]
    closed = await browser.get(f"/ui/referrals/{referral_id}")
    assert "Tidak ada tindakan yang dapat Anda lakukan sekarang." in closed.text


async def test_queue_pages_newest_first_without_repeats(browser, ombudsman_kaltim, admin, kaltim):
    agency = await issue_key(admin, "agency", agency_code="inspektorat-64.09")
    made = [await forwarded_referral(ombudsman_kaltim, "inspektorat-64.09") for _ in range(23)]
    await sign_in(browser, agency.key)
    seen: list[str] = []
    url = "/ui/queue?state=forwarded"
    while url:
        page = await browser.get(url)
        assert page.status_code == 200
        seen += re.findall(r'href="/ui/referrals/([0-9a-f-]{36})"', page.text)
        next_link = re.search(r'href="(/ui/queue\?[^"]+)" rel="next"', page.text)
        url = html.unescape(next_link.group(1)) if next_link else None
    assert len(seen) == len(set(seen))
    assert seen[: len(made)] == list(reversed(made))
    assert (await browser.get("/ui/queue?cursor=garbage")).status_code == 200  # a mangled link: the first page


async def test_a_stale_form_whose_action_is_gone_shows_the_text_to_copy(app, ombudsman_kaltim, samarinda):
    referral_id = await forwarded_referral(ombudsman_kaltim)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as browser:
        await sign_in(browser, samarinda.key)
        page = await browser.get(f"/ui/referrals/{referral_id}")
        # Meanwhile the agency's own system answers through the API.
        answer = {"outcome": "action_taken", "summary": "Sudah dijawab lewat sistem."}
        assert (await samarinda.post(f"/v1/referrals/{referral_id}/respond", json=answer)).status_code == 200
        typed = {
            "csrf": hidden(page.text, "csrf"),
            "etag": hidden(page.text, "etag"),
            "act": "respond",
            "outcome": "action_taken",
            "summary": "Jawaban yang diketik di halaman.",
        }
        response = await browser.post(f"/ui/referrals/{referral_id}", data=typed)
    assert response.status_code == 409 and "diubah oleh orang lain" in response.text
    assert 'id="form-respond"' not in response.text  # no longer offered ...
    kept = response.text.split('id="kept"', 1)[1].split("</div>", 1)[0]
    assert "Jawaban yang diketik di halaman." in kept  # ... but what was typed is there to copy
    body = (await samarinda.get(f"/v1/referrals/{referral_id}")).json()
    assert body["response"]["summary"] == "Sudah dijawab lewat sistem."


async def test_a_refused_page_form_speaks_the_page_language(browser, ombudsman_kaltim):
    referral_id = await forwarded_referral(ombudsman_kaltim, forward=False)
    await sign_in(browser, ombudsman_kaltim.key)
    page = await browser.get(f"/ui/referrals/{referral_id}?lang=en")
    stale = {"csrf": hidden(page.text, "csrf"), "etag": '"0"', "act": "forward", "instructions": "Tolong dicek."}
    response = await browser.post(f"/ui/referrals/{referral_id}", data=stale)
    assert response.status_code == 409 and "Someone else changed this referral" in response.text
    assert "Tolong dicek.</textarea>" in response.text and "Send again (current version)" in response.text
