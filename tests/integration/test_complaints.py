"""Complaints on real PostgreSQL: intake, region scope, idempotency, keyset listing, merge-patch updates."""

from __future__ import annotations

import asyncio
import random
import re
import string
import uuid
from datetime import UTC, datetime

import asyncpg
import orjson
import pytest
from sqlalchemy import func, select

from referral_service.complaints.models import Complaint
from tests.conftest import Api, complaint_body, create_complaint

PROBLEM = "application/problem+json"
REFERENCE = re.compile(r"^(\d{2})-(\d{4})-(\d{6,})$")
MERGE_PATCH = "application/merge-patch+json"


def token() -> str:
    """A word no other test uses, to find exactly this test's complaints through `q`."""
    return "tok" + "".join(random.choices(string.ascii_lowercase, k=14))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"]
    return body


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


# ---------------------------------------------------------------------------------------------
# Intake


async def test_create_returns_201_with_location_etag_and_reference(ombudsman):
    response = await ombudsman.post("/v1/complaints", json=complaint_body())
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/complaints/{created['id']}"
    assert response.headers["etag"] == '"1"'
    match = REFERENCE.match(created["reference"])
    assert match, created["reference"]
    assert match.group(1) == "64"
    assert int(match.group(2)) == datetime.fromisoformat(created["received_at"]).astimezone(UTC).year

    fetched = await ombudsman.get(response.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == created
    assert fetched.headers["etag"] == response.headers["etag"]


async def test_reference_uses_province_and_year_received(ombudsman):
    created = await create_complaint(ombudsman, region_code="63.71", received_at="2025-03-01T10:00:00+08:00")
    assert re.fullmatch(r"63-2025-\d{6,}", created["reference"]), created["reference"]


async def test_references_are_unique(ombudsman, ombudsman_kaltim, admin):
    results = await asyncio.gather(
        *(api.post("/v1/complaints", json=complaint_body()) for api in [ombudsman, ombudsman_kaltim, admin] * 5)
    )
    assert all(r.status_code == 201 for r in results), [r.text for r in results if r.status_code != 201]
    references = [r.json()["reference"] for r in results]
    assert len(set(references)) == len(references)
    assert all(REFERENCE.match(ref) for ref in references)


# ---------------------------------------------------------------------------------------------
# Region scope


@pytest.mark.parametrize("region", ["64", "64.72", "64.01", "64.11"])
async def test_region_key_creates_inside_its_region(ombudsman_kaltim, region):
    created = await create_complaint(ombudsman_kaltim, region_code=region)
    assert created["region_code"] == region


# Not on the Kemendagri list: a province that does not exist, a regency number Kalimantan Timur does
# not use, and codes below regency level (a kecamatan, a village), which the list does not go down to.
@pytest.mark.parametrize(
    "region", ["99", "64.05", "64.72.01", "64.01.02.2001"], ids=["province", "regency", "district", "village"]
)
async def test_a_region_not_on_the_official_list_is_422_on_create_and_patch(app, ombudsman, region):
    word = token()
    problem = assert_problem(
        await ombudsman.post("/v1/complaints", json=complaint_body(region_code=region, subject=word)), 422
    )
    assert [error["loc"] for error in problem["errors"]] == [["body", "region_code"]], problem
    assert await count_rows(app, subject=word) == 0
    created = await create_complaint(ombudsman, region_code="64.72")
    problem = assert_problem(await patch(ombudsman, created["id"], {"region_code": region}, '"1"'), 422)
    assert [error["loc"][-1] for error in problem["errors"]] == ["region_code"], problem
    assert (await ombudsman.get(f"/v1/complaints/{created['id']}")).json() == created


@pytest.mark.parametrize("region", ["63.71", "63", "65.01", "11"])
async def test_region_key_cannot_create_outside_its_region(app, ombudsman_kaltim, region):
    word = token()
    response = await ombudsman_kaltim.post("/v1/complaints", json=complaint_body(region_code=region, subject=word))
    assert_problem(response, 403)
    assert await count_rows(app, subject=word) == 0


async def test_region_key_does_not_see_other_regions(ombudsman, ombudsman_kaltim):
    word = token()
    outside = await create_complaint(ombudsman, region_code="63.71", subject=word)
    inside = await create_complaint(ombudsman, region_code="64.72", subject=word)

    assert_problem(await ombudsman_kaltim.get(f"/v1/complaints/{outside['id']}"), 404)
    assert_problem(await ombudsman_kaltim.get(f"/v1/complaints/{outside['id']}/events"), 404)
    assert_problem(await patch(ombudsman_kaltim, outside["id"], {"subject": "x"}, '"1"'), 404)
    assert (await ombudsman_kaltim.get(f"/v1/complaints/{inside['id']}")).status_code == 200

    seen = {c["id"] for c in await list_all(ombudsman_kaltim, q=word)}
    assert seen == {inside["id"]}
    assert await list_all(ombudsman_kaltim, q=word, region_code="63") == []
    assert await list_all(ombudsman_kaltim, region_code="63.71") == []
    everything = await list_all(ombudsman_kaltim, limit=100)
    assert all(c["region_code"] == "64" or c["region_code"].startswith("64.") for c in everything)
    assert outside["id"] not in {c["id"] for c in everything}

    national = {c["id"] for c in await list_all(ombudsman, q=word)}
    assert national == {inside["id"], outside["id"]}
    # The outside complaint was not touched by the refused patch.
    assert (await ombudsman.get(f"/v1/complaints/{outside['id']}")).headers["etag"] == '"1"'


async def test_region_key_cannot_patch_a_complaint_out_of_its_region(ombudsman_kaltim, ombudsman):
    created = await create_complaint(ombudsman_kaltim, region_code="64.72")
    response = await patch(ombudsman_kaltim, created["id"], {"region_code": "63.71"}, '"1"')
    assert_problem(response, 403)
    assert (await ombudsman.get(f"/v1/complaints/{created['id']}")).json()["region_code"] == "64.72"


async def test_agency_keys_cannot_list_or_read_complaints(samarinda, bontang, ombudsman):
    created = await create_complaint(ombudsman, region_code="64.72")
    for agency in (samarinda, bontang):
        assert_problem(await agency.get("/v1/complaints"), 403)
        assert_problem(await agency.get(f"/v1/complaints/{created['id']}"), 403)
        assert_problem(await agency.get(f"/v1/complaints/{created['id']}/events"), 403)
        assert_problem(await agency.post("/v1/complaints", json=complaint_body()), 403)


# ---------------------------------------------------------------------------------------------
# Idempotency-Key


async def test_idempotent_replay_returns_the_first_response(app, ombudsman):
    word = token()
    body = complaint_body(subject=word)
    headers = {"Idempotency-Key": f"idem-{uuid.uuid4()}"}
    first = await ombudsman.post("/v1/complaints", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    second = await ombudsman.post("/v1/complaints", json=body, headers=headers)
    assert second.status_code == 201, second.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"].startswith("application/json")
    assert await count_rows(app, subject=word) == 1


async def test_same_key_different_body_is_422(app, ombudsman):
    key = f"idem-{uuid.uuid4()}"
    word = token()
    first = await ombudsman.post("/v1/complaints", json=complaint_body(subject=word), headers={"Idempotency-Key": key})
    assert first.status_code == 201
    other = await ombudsman.post(
        "/v1/complaints", json=complaint_body(subject=word + " changed"), headers={"Idempotency-Key": key}
    )
    problem = assert_problem(other, 422)
    assert problem["type"].endswith("/idempotency-key-reused")
    assert await count_rows(app, subject=word) == 1
    assert await count_rows(app, subject=word + " changed") == 0


async def test_idempotency_keys_are_scoped_per_caller(app, ombudsman, ombudsman_kaltim):
    key = f"shared-{uuid.uuid4()}"
    word = token()
    body = complaint_body(subject=word)
    a = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    b = await ombudsman_kaltim.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201
    assert "idempotent-replayed" not in b.headers
    assert a.json()["id"] != b.json()["id"]
    assert await count_rows(app, subject=word) == 2
    # And each still replays its own.
    a2 = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    b2 = await ombudsman_kaltim.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    assert (a2.json()["id"], b2.json()["id"]) == (a.json()["id"], b.json()["id"])
    assert a2.headers["idempotent-replayed"] == b2.headers["idempotent-replayed"] == "true"


async def test_in_flight_duplicate_is_409(app, database_url, ombudsman):
    """Hold the request's advisory lock from another connection: that is exactly 'first request still running'."""
    key = f"inflight-{uuid.uuid4()}"
    word = token()
    body = complaint_body(subject=word)
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        tx = conn.transaction()
        await tx.start()
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", f"idem:{ombudsman.key_id}:{key}")
        blocked = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
        problem = assert_problem(blocked, 409)
        assert problem["type"].endswith("/idempotency-key-in-use")
        assert await count_rows(app, subject=word) == 0
        # A different key from the same caller is not blocked.
        other = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key + "-other"})
        assert other.status_code == 201
        await tx.rollback()
    finally:
        await conn.close()
    after = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    assert after.status_code == 201
    assert "idempotent-replayed" not in after.headers
    assert await count_rows(app, subject=word) == 2


async def test_concurrent_identical_requests_create_one_record(app, ombudsman):
    key = f"race-{uuid.uuid4()}"
    word = token()
    body = complaint_body(subject=word)
    responses = await asyncio.gather(
        *(ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key}) for _ in range(12))
    )
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, [r.text for r in responses]
    originals = [r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    replays = [r for r in responses if r.status_code == 201 and r.headers.get("idempotent-replayed") == "true"]
    assert len(originals) == 1
    assert {r.json()["id"] for r in replays} <= {originals[0].json()["id"]}
    for conflict in (r for r in responses if r.status_code == 409):
        assert_problem(conflict, 409)
    assert await count_rows(app, subject=word) == 1
    # Once settled, a retry is a replay.
    retry = await ombudsman.post("/v1/complaints", json=body, headers={"Idempotency-Key": key})
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["id"] == originals[0].json()["id"]


async def test_failed_request_does_not_bind_the_key(app, ombudsman_kaltim):
    key = f"fail-{uuid.uuid4()}"
    word = token()
    refused = await ombudsman_kaltim.post(
        "/v1/complaints", json=complaint_body(region_code="63.71", subject=word), headers={"Idempotency-Key": key}
    )
    assert refused.status_code == 403
    ok = await ombudsman_kaltim.post(
        "/v1/complaints", json=complaint_body(region_code="64.72", subject=word), headers={"Idempotency-Key": key}
    )
    assert ok.status_code == 201, ok.text
    assert "idempotent-replayed" not in ok.headers
    assert await count_rows(app, subject=word) == 1


@pytest.mark.parametrize("bad_key", ["x" * 256, "", "caf\u00e9"], ids=["too-long", "empty", "non-ascii"])
async def test_bad_idempotency_key_is_a_4xx_problem(ombudsman, bad_key):
    try:
        response = await ombudsman.post(
            "/v1/complaints", json=complaint_body(), headers={"Idempotency-Key": bad_key.encode("utf-8")}
        )
    except (UnicodeEncodeError, ValueError):
        pytest.skip("the HTTP client refuses this header value")
    assert response.status_code in (400, 422), response.text
    assert_problem(response, response.status_code)


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


# ---------------------------------------------------------------------------------------------
# PATCH (JSON merge patch with If-Match)


async def test_patch_requires_if_match(ombudsman):
    created = await create_complaint(ombudsman)
    assert_problem(await patch(ombudsman, created["id"], {"subject": "New"}, None), 428)
    assert_problem(await patch(ombudsman, created["id"], {"subject": "New"}, "   "), 428)
    fetched = await ombudsman.get(f"/v1/complaints/{created['id']}")
    assert fetched.json()["subject"] == created["subject"]
    assert fetched.headers["etag"] == '"1"'


@pytest.mark.parametrize("stale", ['"0"', '"2"', 'W/"1"', "1", '"1 "', '"abc", "7"'])
async def test_patch_with_stale_etag_is_412(ombudsman, stale):
    created = await create_complaint(ombudsman)
    problem = assert_problem(await patch(ombudsman, created["id"], {"subject": "New"}, stale), 412)
    assert problem.get("current_etag") in (None, '"1"')
    assert (await ombudsman.get(f"/v1/complaints/{created['id']}")).json()["subject"] == created["subject"]


@pytest.mark.parametrize("if_match", ['"0"', None], ids=["stale", "missing"])
async def test_patch_with_invalid_body_is_422_before_any_precondition(ombudsman, if_match):
    """A patch that could never apply is reported as such, whatever If-Match says."""
    created = await create_complaint(ombudsman)
    problem = assert_problem(await patch(ombudsman, created["id"], {"category": "not-a-category"}, if_match), 422)
    assert any("category" in str(error.get("loc")) for error in problem["errors"])


async def test_patch_with_current_etag_updates_and_bumps_etag(ombudsman):
    created = await create_complaint(ombudsman)
    response = await patch(ombudsman, created["id"], {"subject": "Izin usaha sudah lima bulan"}, '"1"')
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert response.headers["content-type"].startswith("application/json")
    updated = response.json()
    assert updated["subject"] == "Izin usaha sudah lima bulan"
    assert updated["description"] == created["description"]
    assert updated["reference"] == created["reference"] and updated["id"] == created["id"]
    assert updated["updated_at"] > created["updated_at"]
    fetched = await ombudsman.get(f"/v1/complaints/{created['id']}")
    assert fetched.json() == updated
    assert fetched.headers["etag"] == '"2"'
    # The old ETag is now stale.
    assert_problem(await patch(ombudsman, created["id"], {"subject": "Again"}, '"1"'), 412)
    again = await patch(ombudsman, created["id"], {"subject": "Again"}, '"2"')
    assert again.status_code == 200 and again.headers["etag"] == '"3"'


async def test_patch_accepts_plain_json_content_type(ombudsman):
    created = await create_complaint(ombudsman)
    response = await patch(ombudsman, created["id"], {"subject": "Plain"}, '"1"', content_type="application/json")
    assert response.status_code == 200, response.text


async def test_null_removes_optional_fields(ombudsman):
    created = await create_complaint(
        ombudsman,
        incident_date="2026-01-15",
        reported_party={"name": "Dinas Penanaman Modal", "agency_code": "inspektorat-64.72"},
    )
    assert created["incident_date"] == "2026-01-15"
    assert created["complainant"]["email"] == "budi@example.org"
    response = await patch(
        ombudsman, created["id"], {"incident_date": None, "reported_party": None, "complainant": {"email": None}}, '"1"'
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["incident_date"] is None
    assert updated["reported_party"] is None
    assert updated["complainant"]["email"] is None
    assert updated["complainant"]["name"] == "Budi Santoso"  # siblings survive a nested merge
    assert updated["complainant"]["phone"] == "+62 812 0000 1111"
    stored = (await ombudsman.get(f"/v1/complaints/{created['id']}")).json()
    assert stored == updated


async def test_nested_merge_changes_one_member(ombudsman):
    created = await create_complaint(ombudsman, reported_party={"name": "Dinas A", "agency_code": "inspektorat-64.72"})
    response = await patch(ombudsman, created["id"], {"reported_party": {"name": "Dinas B"}}, '"1"')
    assert response.status_code == 200, response.text
    assert response.json()["reported_party"] == {"name": "Dinas B", "agency_code": "inspektorat-64.72"}


@pytest.mark.parametrize(
    "doc",
    [
        {"status": "closed"},
        {"reference": "64-2026-999999"},
        {"id": str(uuid.uuid4())},
        {"complainant": {"nickname": "x"}},
        {"version": 7},
    ],
    ids=["status", "reference", "id", "nested", "version"],
)
async def test_patch_unknown_field_is_422(ombudsman, doc):
    created = await create_complaint(ombudsman)
    problem = assert_problem(await patch(ombudsman, created["id"], doc, '"1"'), 422)
    assert problem.get("errors"), problem
    after = await ombudsman.get(f"/v1/complaints/{created['id']}")
    assert after.headers["etag"] == '"1"' and after.json()["reference"] == created["reference"]


@pytest.mark.parametrize(
    "doc, field",
    [
        ({"subject": None}, "subject"),
        ({"subject": ""}, "subject"),
        ({"category": "bogus"}, "category"),
        ({"channel": None}, "channel"),
        ({"complainant": None}, "complainant"),
        ({"complainant": {"name": None}}, "name"),
        ({"complainant": {"email": "not-an-email"}}, "email"),
        ({"region_code": "64.7"}, "region_code"),
        ({"received_at": "2026-01-01T00:00:00"}, "received_at"),
        ({"identity_confidential": "perhaps"}, "identity_confidential"),
        ({"external_refs": [{"system": "lapor"}]}, "id"),
    ],
    ids=[
        "subject-null",
        "subject-empty",
        "category",
        "channel-null",
        "complainant-null",
        "name-null",
        "email",
        "region",
        "naive-received-at",
        "bool",
        "external-ref",
    ],
)
async def test_patch_with_invalid_result_is_422_with_field_errors(ombudsman, doc, field):
    created = await create_complaint(ombudsman)
    problem = assert_problem(await patch(ombudsman, created["id"], doc, '"1"'), 422)
    assert isinstance(problem.get("errors"), list) and problem["errors"]
    assert any(field in [str(part) for part in error["loc"]] for error in problem["errors"]), problem["errors"]
    after = await ombudsman.get(f"/v1/complaints/{created['id']}")
    assert after.headers["etag"] == '"1"'
    assert after.json() == created


@pytest.mark.parametrize("doc", [[], [{"op": "replace", "path": "/subject", "value": "x"}], "subject", 5, None])
async def test_patch_that_is_not_an_object_is_422(ombudsman, doc):
    created = await create_complaint(ombudsman)
    assert_problem(await patch(ombudsman, created["id"], doc, '"1"'), 422)


async def test_patch_unknown_complaint_is_404(ombudsman):
    assert_problem(await patch(ombudsman, str(uuid.uuid4()), {"subject": "x"}, '"1"'), 404)


async def test_patch_records_complaint_updated_event(ombudsman, ombudsman_kaltim):
    created = await create_complaint(ombudsman)
    events = (await ombudsman.get(f"/v1/complaints/{created['id']}/events")).json()
    assert [e["type"] for e in events] == ["complaint.created"]

    response = await patch(ombudsman_kaltim, created["id"], {"subject": "Baru", "category": "tidak_patut"}, '"1"')
    assert response.status_code == 200, response.text
    events_response = await ombudsman.get(f"/v1/complaints/{created['id']}/events")
    assert events_response.status_code == 200
    events = events_response.json()
    assert [e["type"] for e in events] == ["complaint.created", "complaint.updated"]
    updated = events[-1]
    assert updated["complaint_id"] == created["id"]
    assert updated["sequence"] == events[0]["sequence"] + 1
    assert sorted(updated["data"]["changed_fields"]) == ["category", "subject"]
    assert updated["data"]["version"] == 2
    assert updated["actor"]["key_id"] == ombudsman_kaltim.key_id
    assert updated["actor"]["role"] == "ombudsman"
    # Field names only: the new values (possibly personal data) are not in the timeline.
    assert "Baru" not in orjson.dumps(updated["data"]).decode()


async def test_refused_patches_record_no_event(ombudsman):
    created = await create_complaint(ombudsman)
    await patch(ombudsman, created["id"], {"subject": "x"}, None)
    await patch(ombudsman, created["id"], {"subject": "x"}, '"9"')
    await patch(ombudsman, created["id"], {"nope": 1}, '"1"')
    await patch(ombudsman, created["id"], {"subject": ""}, '"1"')
    events = (await ombudsman.get(f"/v1/complaints/{created['id']}/events")).json()
    assert [e["type"] for e in events] == ["complaint.created"]


# ---------------------------------------------------------------------------------------------
# Plausible dates: received from 2000 on and not more than a day ahead of the service clock; the
# incident on or after 17 August 1945 and not after the day it was received (in UTC) plus one.

FROZEN_NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "received_at",
    [
        "0001-01-01T00:00:00Z",
        "1999-12-31T23:59:59.999999Z",
        "2000-01-01T06:59:59+07:00",
        "2026-06-02T03:00:00.000001Z",
        "2999-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
    ],
    ids=["year-1", "just-before-2000", "before-2000-in-utc", "a-day-and-a-moment-ahead", "year-2999", "year-9999"],
)
async def test_implausible_received_at_is_422_and_records_nothing(app, ombudsman, received_at):
    from referral_service import clock

    word = token()
    with clock.frozen_at(FROZEN_NOW):
        response = await ombudsman.post("/v1/complaints", json=complaint_body(received_at=received_at, subject=word))
    problem = assert_problem(response, 422)
    assert [error["loc"] for error in problem["errors"]] == [["body", "received_at"]], problem
    assert await count_rows(app, subject=word) == 0


@pytest.mark.parametrize(
    "received_at, year",
    [("2000-01-01T00:00:00Z", "2000"), ("2026-06-02T03:00:00Z", "2026")],
    ids=["first", "a-day-ahead"],
)
async def test_received_at_at_the_bounds_is_accepted(ombudsman, received_at, year):
    from referral_service import clock

    with clock.frozen_at(FROZEN_NOW):
        created = await create_complaint(ombudsman, received_at=received_at)
    assert created["reference"].split("-")[1] == year


@pytest.mark.parametrize(
    "overrides",
    [
        {"incident_date": "1945-08-16"},
        {"incident_date": "0001-01-01"},
        # Received 1 March 23:30 UTC (2 March in WITA): the incident may be on the 2nd, not the 3rd.
        {"received_at": "2026-03-01T23:30:00Z", "incident_date": "2026-03-03"},
        # Without received_at the complaint is received now (1 June, frozen).
        {"incident_date": "2026-06-03"},
        {"incident_date": "9999-12-31"},
        {"incident_date": 0},
    ],
    ids=["before-1945-08-17", "year-1", "after-received", "after-tomorrow", "year-9999", "a-number"],
)
async def test_implausible_incident_date_is_422(app, ombudsman, overrides):
    from referral_service import clock

    word = token()
    with clock.frozen_at(FROZEN_NOW):
        response = await ombudsman.post("/v1/complaints", json=complaint_body(subject=word, **overrides))
    problem = assert_problem(response, 422)
    assert any("incident_date" in error["loc"] for error in problem["errors"]), problem
    assert await count_rows(app, subject=word) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"incident_date": "1945-08-17"},
        {"received_at": "2026-03-01T23:30:00Z", "incident_date": "2026-03-02"},
        {"incident_date": "2026-06-02"},
    ],
    ids=["proclamation-day", "received-day-in-wita", "tomorrow"],
)
async def test_incident_date_at_the_bounds_is_accepted(ombudsman, overrides):
    from referral_service import clock

    with clock.frozen_at(FROZEN_NOW):
        created = await create_complaint(ombudsman, **overrides)
    assert created["incident_date"] == overrides["incident_date"]


@pytest.mark.parametrize(
    "doc, field",
    [
        ({"received_at": "1999-12-31T00:00:00Z"}, "received_at"),
        ({"received_at": "2999-01-01T00:00:00Z"}, "received_at"),
        ({"incident_date": "1900-01-01"}, "incident_date"),
        ({"incident_date": "2026-06-03"}, "incident_date"),
        # Moving received_at before a recorded incident is refused as well.
        ({"received_at": "2026-05-01T00:00:00Z"}, "incident_date"),
    ],
    ids=[
        "received-before-2000",
        "received-2999",
        "incident-1900",
        "incident-after-received",
        "received-before-incident",
    ],
)
async def test_patch_to_an_implausible_date_is_422(ombudsman, doc, field):
    from referral_service import clock

    with clock.frozen_at(FROZEN_NOW):
        created = await create_complaint(ombudsman, received_at="2026-06-01T00:00:00Z", incident_date="2026-05-20")
        problem = assert_problem(await patch(ombudsman, created["id"], doc, '"1"'), 422)
    assert any(field in error["loc"] for error in problem["errors"]), problem
    assert (await ombudsman.get(f"/v1/complaints/{created['id']}")).json() == created


async def test_a_stored_implausible_received_at_is_a_422_on_patch_until_corrected(app, ombudsman):
    """A complaint recorded before the bounds (here: year 1, which PostgreSQL holds as -infinity)."""
    from sqlalchemy import text

    created = await create_complaint(ombudsman)
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(
            text("UPDATE complaints SET received_at = '-infinity' WHERE id = :id"), {"id": created["id"]}
        )
    problem = assert_problem(await patch(ombudsman, created["id"], {"subject": "Diubah"}, '"1"'), 422)
    assert [error["loc"][-1] for error in problem["errors"]] == ["received_at"], problem
    fixed = await patch(
        ombudsman, created["id"], {"subject": "Diubah", "received_at": "2026-01-05T09:00:00+08:00"}, '"1"'
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["received_at"] == "2026-01-05T01:00:00Z"
