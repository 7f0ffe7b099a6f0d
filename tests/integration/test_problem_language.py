"""Problem details follow `Accept-Language`: Bahasa Indonesia for `id`, English by default, with
`Content-Language` on every problem, whichever layer wrote it (a handler, routing, the body guards)."""

from __future__ import annotations

import uuid

import httpx

from tests.integration.foundation_support import assert_problem, send_raw


async def test_an_api_problem_is_english_by_default_and_indonesian_when_asked(ombudsman):
    url = f"/v1/complaints/{uuid.uuid4()}"
    english = assert_problem(await ombudsman.get(url), 404)
    assert english["title"] == "Resource not found" and english["detail"] == "No complaint with this id."
    indonesian_response = await ombudsman.get(url, headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.8"})
    indonesian = assert_problem(indonesian_response, 404)
    assert indonesian_response.headers["content-language"] == "id"
    assert "Accept-Language" in indonesian_response.headers["vary"]
    assert indonesian["title"] == "Sumber daya tidak ditemukan"
    assert indonesian["detail"] == "Tidak ada pengaduan dengan id ini."
    # The machine-readable members do not change.
    assert indonesian["type"] == english["type"] and indonesian["status"] == 404
    assert set(indonesian) == set(english)
    assert indonesian_response.headers["content-length"] == str(len(indonesian_response.content))


async def test_a_browser_preferring_english_gets_english(ombudsman):
    response = await ombudsman.get(
        f"/v1/complaints/{uuid.uuid4()}", headers={"Accept-Language": "en-US,en;q=0.9,id;q=0.5"}
    )
    assert_problem(response, 404)
    assert response.headers["content-language"] == "en" and response.json()["title"] == "Resource not found"


async def test_a_detail_with_values_keeps_them(samarinda):
    response = await samarinda.post("/v1/agencies", json={"code": "x"}, headers={"Accept-Language": "id"})
    body = assert_problem(response, 403)
    assert body["title"] == "Tidak diizinkan untuk kunci API ini"
    assert body["detail"].startswith("Operasi ini memerlukan salah satu peran: ") and "admin" in body["detail"]


async def test_routing_and_guard_problems_are_translated_too(ombudsman, raw_client: httpx.AsyncClient):
    missing = await raw_client.get("/v1/no-such-thing", headers={"Accept-Language": "id"})
    assert assert_problem(missing, 404)["title"] == "Sumber daya tidak ditemukan"
    assert missing.headers["content-language"] == "id"
    unauthenticated = await raw_client.get("/v1/complaints", headers={"Accept-Language": "id"})
    assert assert_problem(unauthenticated, 401)["detail"] == "Kirim kunci API sebagai `Authorization: Bearer <key>`."
    not_json = await send_raw(ombudsman, "POST", "/v1/complaints", b"a=b", "text/plain", {"Accept-Language": "id"})
    assert assert_problem(not_json, 415)["detail"] == "Kirim isi permintaan sebagai application/json."


async def test_validation_problems_translate_their_title_and_detail_not_the_field_messages(ombudsman):
    response = await ombudsman.post("/v1/complaints", json={"subject": 1}, headers={"Accept-Language": "id"})
    body = assert_problem(response, 422)
    assert body["title"] == "Validasi permintaan gagal"
    assert body["detail"] == "Satu atau lebih isian tidak sah; lihat `errors`."
    assert body["errors"] and all(isinstance(e["message"], str) for e in body["errors"])  # pydantic's English


async def test_a_successful_answer_is_untouched(ombudsman):
    response = await ombudsman.get("/v1/complaints", headers={"Accept-Language": "id"})
    assert response.status_code == 200 and "content-language" not in response.headers
