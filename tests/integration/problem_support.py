"""The RFC 9457 problem check shared by the complaint, API key and agency tests."""

from __future__ import annotations

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"]
    return body
