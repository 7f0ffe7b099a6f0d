"""Helpers shared by the foundation error tests: a strict RFC 9457 problem check (the exact media
type, `type` and `title` strings, `detail` a string when present), a request with raw bytes and any
Content-Type, and the per-field `errors` of a 422."""

from __future__ import annotations

import httpx

from tests.conftest import Api
from tests.integration.problem_support import PROBLEM


def assert_problem(response: httpx.Response, status: int) -> dict:
    """The response is an RFC 9457 problem with the given status."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].split(";")[0].strip() == PROBLEM, response.headers
    body = response.json()
    assert isinstance(body, dict)
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    if "detail" in body:
        assert isinstance(body["detail"], str)
    return body


async def send_raw(
    api: Api,
    method: str,
    url: str,
    content: bytes | None,
    content_type: str | None = "application/json",
    extra: dict[str, str] | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api.key}", **(extra or {})}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return await api.client.request(method, url, content=content, headers=headers)


def field_locs(problem: dict) -> list[list]:
    assert isinstance(problem.get("errors"), list) and problem["errors"], problem
    for error in problem["errors"]:
        assert isinstance(error["loc"], list)
        assert isinstance(error["message"], str) and error["message"]
        assert isinstance(error["type"], str)
    return [error["loc"] for error in problem["errors"]]
