"""Helpers shared by the complaint tests: a word to find a test's own complaints, row counts,
every page of a listing, and a merge patch with If-Match."""

from __future__ import annotations

import random
import string

import orjson
from sqlalchemy import func, select

from referral_service.complaints.models import Complaint
from tests.conftest import Api

MERGE_PATCH = "application/merge-patch+json"


def token() -> str:
    """A word no other test uses, to find exactly this test's complaints through `q`."""
    return "tok" + "".join(random.choices(string.ascii_lowercase, k=14))


async def count_rows(app, **where) -> int:
    async with app.state.sessionmaker() as session:
        stmt = select(func.count()).select_from(Complaint)
        for name, value in where.items():
            stmt = stmt.where(getattr(Complaint, name) == value)
        return await session.scalar(stmt)


async def list_all(api: Api, **params) -> list[dict]:
    """Every page of a listing, in order."""
    items: list[dict] = []
    cursor = None
    for _ in range(1000):
        response = await api.get("/v1/complaints", params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return items
    raise AssertionError("pagination did not terminate")


async def patch(api: Api, complaint_id: str, doc, if_match: str | None, content_type: str = MERGE_PATCH):
    headers = {"Content-Type": content_type}
    if if_match is not None:
        headers["If-Match"] = if_match
    return await api.patch(f"/v1/complaints/{complaint_id}", content=orjson.dumps(doc), headers=headers)
