"""`GET /`: a browser is sent to the web pages, an API client keeps the JSON index."""

from __future__ import annotations

import pytest

from referral_service.meta import prefers_html

CHROMIUM = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [CHROMIUM, FIREFOX, "text/html", "TEXT/HTML; q=1", "application/json;q=0.5, text/*"])
async def test_a_browser_is_sent_to_the_web_pages(raw_client, accept) -> None:
    response = await raw_client.get("/", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/"
    assert response.headers["vary"] == "Accept"
    # ... where a caller without a session finds the sign-in form.
    signed_out = await raw_client.get("/", headers={"Accept": accept}, follow_redirects=True)
    assert signed_out.status_code == 200 and signed_out.headers["content-type"].startswith("text/html")
    assert str(signed_out.url).endswith("/ui/sign-in")


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",  # curl, httpx
        "application/json",
        "application/json, text/html",  # a tie: the order given decides
        "text/html;q=0.5, application/json",
        "text/html;q=0, */*",
        "application/problem+json, application/json",
        "image/png",  # nothing we have: the JSON, as before
    ],
)
async def test_an_api_client_keeps_the_json_index(raw_client, accept) -> None:
    request = raw_client.build_request("GET", "/")
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept
    response = await raw_client.send(request)
    assert response.status_code == 200, accept
    assert response.headers["content-type"] == "application/json"
    assert response.headers["vary"] == "Accept"
    assert response.json()["links"]["ui"] == "/ui/"


def test_the_ranking() -> None:
    assert prefers_html("text/html;q=0.9, application/json;q=0.8")
    assert not prefers_html("text/html;q=0.8, application/json;q=0.9")
    assert not prefers_html("text/html;q=abc, application/json;q=0.1")  # a broken q counts as 0
    assert not prefers_html("")


async def test_the_document_describes_both_answers(raw_client) -> None:
    operation = (await raw_client.get("/openapi.json")).json()["paths"]["/"]["get"]
    assert set(operation["responses"]) >= {"200", "303"}
    assert "Location" in operation["responses"]["303"]["headers"]
    assert "text/html" in operation["description"]
