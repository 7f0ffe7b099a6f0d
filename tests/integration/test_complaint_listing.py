"""Listing complaints: keyset pages newest first, limits, no row skipped or repeated while others
insert, filters (region prefix, category, channel, received range, text) and bad filters or cursors."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import create_complaint
from tests.integration.complaint_support import list_all, token
from tests.integration.problem_support import assert_problem

# ---------------------------------------------------------------------------------------------
# Listing


async def test_default_page_is_20_newest_first_then_next_cursor(ombudsman):
    word = token()
    created = [(await create_complaint(ombudsman, subject=word))["id"] for _ in range(21)]
    first = await ombudsman.get("/v1/complaints", params={"q": word})
    assert first.status_code == 200
    page = first.json()
    assert len(page["items"]) == 20
    assert [c["id"] for c in page["items"]] == created[::-1][:20]
    assert page["next_cursor"]
    second = (await ombudsman.get("/v1/complaints", params={"q": word, "cursor": page["next_cursor"]})).json()
    assert [c["id"] for c in second["items"]] == [created[0]]
    assert second.get("next_cursor") is None


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
async def test_pages_cover_everything_once_in_order(ombudsman, limit):
    word = token()
    created = [(await create_complaint(ombudsman, subject=word))["id"] for _ in range(5)]
    items = await list_all(ombudsman, q=word, limit=limit)
    assert [c["id"] for c in items] == created[::-1]
    created_ats = [c["created_at"] for c in items]
    assert created_ats == sorted(created_ats, reverse=True)


async def test_limit_bounds(ombudsman):
    assert (await ombudsman.get("/v1/complaints", params={"limit": 1})).status_code == 200
    assert (await ombudsman.get("/v1/complaints", params={"limit": 100})).status_code == 200
    assert_problem(await ombudsman.get("/v1/complaints", params={"limit": 0}), 422)
    assert_problem(await ombudsman.get("/v1/complaints", params={"limit": 101}), 422)


async def test_no_row_skipped_or_repeated_while_inserting_between_pages(ombudsman):
    word = token()
    for _ in range(9):
        await create_complaint(ombudsman, subject=word)
    at_start = {c["id"] for c in await list_all(ombudsman, q=word, limit=100)}
    assert len(at_start) == 9

    seen: list[str] = []
    inserted: set[str] = set()
    cursor = None
    while True:
        params = {"q": word, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await ombudsman.get("/v1/complaints", params=params)).json()
        seen.extend(c["id"] for c in page["items"])
        cursor = page.get("next_cursor")
        # Others keep filing complaints (matching this very filter) between our pages.
        for _ in range(2):
            inserted.add((await create_complaint(ombudsman, subject=word))["id"])
        if not cursor:
            break
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert set(seen) == at_start, "a row was skipped, or a newer row slipped in"
    assert inserted.isdisjoint(seen)


async def test_no_row_repeated_with_truly_concurrent_inserts(ombudsman, admin):
    word = token()
    for _ in range(10):
        await create_complaint(ombudsman, subject=word)
    at_start = {c["id"] for c in await list_all(ombudsman, q=word, limit=100)}

    async def writer():
        for _ in range(15):
            await create_complaint(admin, subject=word)

    async def reader():
        return [c["id"] for c in await list_all(ombudsman, q=word, limit=3)]

    _, seen = await asyncio.gather(writer(), reader())
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert at_start <= set(seen), "a row that existed at the start was skipped"


async def test_filters(ombudsman):
    word = token()
    a = await create_complaint(
        ombudsman,
        subject=f"{word} jalan rusak",
        region_code="64.72",
        category="penundaan_berlarut",
        channel="web",
        received_at="2025-01-10T08:00:00+08:00",
    )
    b = await create_complaint(
        ombudsman,
        subject=word,
        description="Pungutan liar di kantor kelurahan",
        region_code="64.01",
        category="permintaan_imbalan",
        channel="letter",
        received_at="2025-02-10T08:00:00+08:00",
    )
    c = await create_complaint(
        ombudsman,
        subject=word,
        region_code="63.71",
        category="penundaan_berlarut",
        channel="web",
        received_at="2025-03-10T08:00:00+08:00",
    )

    async def ids(**params) -> list[str]:
        return [item["id"] for item in await list_all(ombudsman, q=f"{word} {params.pop('q', '')}".strip(), **params)]

    assert await ids() == [c["id"], b["id"], a["id"]]
    # region_code is a prefix over dot-separated codes
    assert await ids(region_code="64") == [b["id"], a["id"]]
    assert await ids(region_code="64.72") == [a["id"]]
    assert await ids(region_code="63") == [c["id"]]
    assert_problem(await ombudsman.get("/v1/complaints", params={"region_code": "64.72.01"}), 422)
    assert await ids(category="penundaan_berlarut") == [c["id"], a["id"]]
    assert await ids(channel="letter") == [b["id"]]
    # received_from inclusive, received_to exclusive
    assert await ids(received_from="2025-02-10T00:00:00Z") == [c["id"], b["id"]]
    assert await ids(received_from="2025-02-10T00:00:00Z", received_to="2025-03-10T00:00:00Z") == [b["id"]]
    assert await ids(received_to="2025-01-10T00:00:00Z") == []  # a was received at 08:00+08:00 = 00:00Z: exclusive
    assert await ids(received_to="2025-01-10T00:00:00.000001Z") == [a["id"]]
    assert await ids(received_from="2025-01-10T00:00:00.000001Z", received_to="2025-02-10T00:00:01Z") == [b["id"]]
    # q finds words in subject and in description
    assert await ids(q="jalan") == [a["id"]]
    assert await ids(q="pungutan") == [b["id"]]
    assert await ids(q="nonexistentword") == []
    # combined
    assert await ids(region_code="64", category="penundaan_berlarut", channel="web") == [a["id"]]


async def test_received_to_is_exclusive(ombudsman):
    word = token()
    exact = await create_complaint(ombudsman, subject=word, received_at="2024-06-01T00:00:00Z")
    assert [c["id"] for c in await list_all(ombudsman, q=word, received_to="2024-06-01T00:00:00Z")] == []
    assert [c["id"] for c in await list_all(ombudsman, q=word, received_from="2024-06-01T00:00:00Z")] == [exact["id"]]


@pytest.mark.parametrize(
    "params",
    [
        {"region_code": "6"},
        {"region_code": "64.7"},
        {"region_code": "99"},
        {"region_code": "64.72.01"},
        {"category": "nope"},
        {"channel": "fax"},
        {"received_from": "2025-01-01T00:00:00"},
        {"received_to": "yesterday"},
    ],
    ids=[
        "region-short",
        "region-partial",
        "region-unknown",
        "region-district",
        "category",
        "channel",
        "naive-datetime",
        "not-a-datetime",
    ],
)
async def test_bad_filters_are_422(ombudsman, params):
    assert_problem(await ombudsman.get("/v1/complaints", params=params), 422)


async def test_bad_cursor_is_400(ombudsman):
    problem = assert_problem(await ombudsman.get("/v1/complaints", params={"cursor": "not-a-cursor"}), 400)
    assert "cursor" in problem.get("detail", "")
