"""`/docs` and `/redoc` work without the Internet; `GET /` is a small index of the service."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from referral_service import __version__

# Every absolute URL, and every protocol-relative one (`//cdn.example/x.js`) in an attribute.
ABSOLUTE_URL = re.compile(r"""(?:https?:)?//([A-Za-z0-9.-]+(?::\d+)?)""", re.IGNORECASE)
REFERENCED = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")

EXPECTED_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_documentation_pages_load_everything_from_the_service(raw_client, page: str) -> None:
    response = await raw_client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    own_host = urlsplit(str(response.url)).netloc
    foreign = {host for host in ABSOLUTE_URL.findall(html) if host != own_host}
    assert not foreign, f"{page} refers to other hosts: {sorted(foreign)}"

    referenced = {next(g for g in match if g) for match in REFERENCED.findall(html)}
    assets = {url for url in referenced if urlsplit(url).path.endswith(tuple(EXPECTED_TYPES))}
    assert any(url.split("?")[0].endswith(".js") for url in assets), referenced
    assert "/openapi.json" in assets, referenced
    if page == "/docs":
        assert any(url.split("?")[0].endswith(".css") for url in assets), referenced
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = await raw_client.get(urljoin(str(response.url), url))
        assert asset.status_code == 200, (url, asset.status_code)
        expected = EXPECTED_TYPES[urlsplit(url).path[urlsplit(url).path.rindex(".") :]]
        assert asset.headers["content-type"].startswith(expected), (url, asset.headers["content-type"])
        assert len(asset.content) > 1000, url


async def test_swagger_ui_sends_the_document_to_no_online_validator(raw_client) -> None:
    html = (await raw_client.get("/docs")).text
    assert '"validatorUrl": null' in html


async def test_an_unknown_asset_is_a_problem_404(raw_client) -> None:
    for path in ("/docs-assets/nothing.js", "/docs-assets/..%2Fcore.py", "/docs-assets/%2E%2E"):
        response = await raw_client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


async def test_the_index_links_docs_probes_and_metrics_without_authentication(raw_client) -> None:
    response = await raw_client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "referral-service" and body["version"] == __version__
    assert body["links"] == {
        "docs": "/docs",
        "redoc": "/redoc",
        "openapi": "/openapi.json",
        "healthz": "/healthz",
        "readyz": "/readyz",
        "metrics": "/metrics",
        "ui": "/ui/",
    }
    for name, link in body["links"].items():
        if name != "metrics":  # the metrics need credentials (test_metrics.py)
            # The web view sends a caller without a session on to its sign-in form.
            assert (await raw_client.get(link, follow_redirects=name == "ui")).status_code == 200, link


async def test_the_document_describes_request_ids_and_the_meta_operations(raw_client) -> None:
    document = (await raw_client.get("/openapi.json")).json()
    assert "X-Request-ID" in document["info"]["description"]
    assert "request_id" in document["components"]["schemas"]["Problem"]["properties"]
    assert "X-Request-ID" in document["components"]["headers"]
    for path, item in document["paths"].items():
        for operation in item.values():
            for code, response in operation["responses"].items():
                assert "X-Request-ID" in response.get("headers", {}), (path, code)
    assert document["paths"]["/"]["get"]["tags"] == ["meta"]
    assert "security" not in document["paths"]["/"]["get"]
    metrics = document["paths"]["/metrics"]["get"]
    assert metrics["security"] == [{"HTTPBearer": []}] and {"200", "401", "403"} <= set(metrics["responses"])
    assert list(metrics["responses"]["200"]["content"]) == ["text/plain"]
    assert "/docs" not in document["paths"] and "/redoc" not in document["paths"]
