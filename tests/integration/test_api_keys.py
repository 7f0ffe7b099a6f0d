"""API keys: issued once with their metadata, at least 32 random bytes, stored only as a hash, listed
without the secret, revoked at once, and invalid requests refused."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import uuid

import pytest

from tests.conftest import Api, issue_key
from tests.integration.problem_support import assert_problem


def _common_prefix(values: list[str]) -> str:
    return os.path.commonprefix(values)  # noqa: RUF071 - key strings, not paths: character-wise is meant


# ---------------------------------------------------------------------------------------------
# API keys


async def test_bootstrap_admin_key_works(admin):
    response = await admin.get("/v1/api-keys")
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list)


async def test_create_key_returns_it_once_with_metadata(admin, kaltim):
    response = await admin.post(
        "/v1/api-keys", json={"role": "ombudsman", "name": "SIMPEL Kaltim", "region_code": "64"}
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert {"id", "key", "role", "name", "agency_code", "region_code", "created_at"} <= set(data)
    assert data["role"] == "ombudsman" and data["name"] == "SIMPEL Kaltim"
    assert data["region_code"] == "64" and data["agency_code"] is None
    uuid.UUID(data["id"])
    assert data["created_at"]

    agency = await admin.post(
        "/v1/api-keys", json={"role": "agency", "name": "Samarinda", "agency_code": "inspektorat-64.72"}
    )
    assert agency.status_code == 201, agency.text
    assert agency.json()["agency_code"] == "inspektorat-64.72" and agency.json()["region_code"] is None

    # The new key works straight away, with its role.
    ombudsman = Api(admin.client, data["key"], "ombudsman")
    assert (await ombudsman.get("/v1/complaints")).status_code == 200
    assert (await ombudsman.get("/v1/api-keys")).status_code == 403


async def test_keys_have_at_least_32_random_bytes(admin):
    keys = [(await issue_key(admin, "ombudsman")).key for _ in range(8)]
    assert len(set(keys)) == len(keys)
    for key in keys:
        assert re.fullmatch(r"[A-Za-z0-9_\-]+", key), key  # safe in a header, no padding
    prefix = _common_prefix(keys)
    assert len(prefix) <= 8, prefix  # a short fixed tag at most; the rest differs
    for key in keys:
        secret = key[len(prefix) :]
        raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
        assert len(raw) >= 32, (key, len(raw))
        assert len(set(secret)) >= 16  # not a counter or a repeated pattern
    # Across keys, each position varies: nothing but the prefix is constant.
    positions = min(len(k) for k in keys)
    constant = [i for i in range(len(prefix), positions) if len({k[i] for k in keys}) == 1]
    assert len(constant) <= 4, constant


async def test_key_is_never_shown_again(admin):
    issued = await issue_key(admin, "ombudsman")
    listing = await admin.get("/v1/api-keys")
    assert listing.status_code == 200
    rows = listing.json()
    assert all("key" not in row for row in rows)
    mine = [row for row in rows if row["id"] == issued.key_id]
    assert len(mine) == 1
    assert mine[0]["role"] == "ombudsman" and mine[0]["revoked_at"] is None
    assert issued.key not in listing.text
    # Whatever prefix is shown to recognise the key is too short to be the key.
    assert len(mine[0].get("key_prefix", "")) < len(issued.key) // 2


async def test_keys_are_stored_only_as_a_hash(app, admin):
    issued = await issue_key(admin, "ombudsman")
    async with app.state.pool.acquire() as connection:
        row = dict(await connection.fetchrow("SELECT * FROM api_keys WHERE id = $1", uuid.UUID(issued.key_id)))
        dump = [record[0] for record in await connection.fetch("SELECT row_to_json(k)::text FROM api_keys k")]
    secret_part = issued.key[8:]
    for value in row.values():
        if isinstance(value, (bytes, memoryview)):
            value = bytes(value)
            assert issued.key.encode() not in value
            assert value.hex() != issued.key
        else:
            assert issued.key not in str(value)
            assert secret_part not in str(value)
    assert all(issued.key not in line and secret_part not in line for line in dump)
    # And what is stored really is a one-way digest of the key.
    assert bytes(row["key_hash"]) == hashlib.sha256(issued.key.encode()).digest()


async def test_revoked_key_fails_on_its_very_next_request(admin):
    issued = await issue_key(admin, "ombudsman")
    other = await issue_key(admin, "ombudsman")
    assert (await issued.get("/v1/agencies")).status_code == 200  # it works (and any cache is warm)
    deleted = await admin.delete(f"/v1/api-keys/{issued.key_id}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(await issued.get("/v1/agencies"), 401)
    assert_problem(await issued.get("/v1/complaints"), 401)
    assert (await other.get("/v1/agencies")).status_code == 200
    listed = {row["id"]: row for row in (await admin.get("/v1/api-keys")).json()}
    assert listed[issued.key_id]["revoked_at"] is not None
    assert listed[other.key_id]["revoked_at"] is None


async def test_revoking_twice_or_unknown_is_404(admin):
    issued = await issue_key(admin, "ombudsman")
    assert (await admin.delete(f"/v1/api-keys/{issued.key_id}")).status_code == 204
    assert_problem(await admin.delete(f"/v1/api-keys/{issued.key_id}"), 404)
    assert_problem(await admin.delete(f"/v1/api-keys/{uuid.uuid4()}"), 404)
    assert_problem(await admin.delete("/v1/api-keys/not-a-uuid"), 422)


async def test_admin_key_can_revoke_itself_and_then_is_locked_out(admin):
    second_admin = await issue_key(admin, "admin")
    assert (await second_admin.delete(f"/v1/api-keys/{second_admin.key_id}")).status_code == 204
    assert_problem(await second_admin.get("/v1/api-keys"), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"role": "agency", "name": "no agency"},
        {"role": "ombudsman", "name": "bound", "agency_code": "inspektorat-64.72"},
        {"role": "agency", "name": "regional agency", "agency_code": "inspektorat-64.72", "region_code": "64"},
        {"role": "admin", "name": "regional admin", "region_code": "64"},
        {"role": "agency", "name": "ghost", "agency_code": "inspektorat-99.99"},
        {"role": "ombudsman", "name": "bad region", "region_code": "Kaltim"},
        {"role": "ombudsman", "name": "unknown region", "region_code": "99"},
        {"role": "ombudsman", "name": "district", "region_code": "64.72.01"},
        {"role": "root", "name": "root"},
        {"role": "ombudsman", "name": ""},
        {"role": "ombudsman"},
        {"role": "ombudsman", "name": "x", "expires": "never"},
    ],
    ids=[
        "agency-no-code",
        "ombudsman-with-agency",
        "agency-with-region",
        "admin-with-region",
        "unknown-agency",
        "bad-region",
        "unknown-region",
        "district-region",
        "bad-role",
        "empty-name",
        "no-name",
        "unknown-field",
    ],
)
async def test_invalid_key_requests_are_422(admin, kaltim, body):
    before = len((await admin.get("/v1/api-keys")).json())
    assert_problem(await admin.post("/v1/api-keys", json=body), 422)
    assert len((await admin.get("/v1/api-keys")).json()) == before
