"""Subscription API: validation, SSRF refusal at save time, scoping (BOLA), rotation, OpenAPI."""

from referral_service.events.catalogue import EVENT_TYPE_NAMES
from tests.conftest import issue_key

URL = "http://127.0.0.1:9/hook"


async def test_create_returns_secret_once_and_validates(ombudsman, subscribe):
    created = await subscribe(
        ombudsman, URL, description="SIMPEL", event_types=["complaint.created", "complaint.created"]
    )
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["complaint.created"]
    assert created["owner"] == {"role": "ombudsman", "agency_code": None, "region_code": None}
    fetched = (await ombudsman.get(f"/v1/webhook-endpoints/{created['id']}")).json()
    assert "secret" not in fetched

    unknown = await ombudsman.post("/v1/webhook-endpoints", json={"url": URL, "event_types": ["referral.exploded"]})
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    extra = await ombudsman.post("/v1/webhook-endpoints", json={"url": URL, "secret": "mine"})
    assert extra.status_code == 422


async def test_ssrf_refused_at_save_time(ombudsman):
    for url in (
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest",
        "ftp://127.0.0.1/x",
        "http://user:pw@127.0.0.1/x",
        "http://[::ffff:10.0.0.1]/x",
        "http://0.0.0.0/x",
    ):
        response = await ombudsman.post("/v1/webhook-endpoints", json={"url": url})
        assert response.status_code == 422, (url, response.text)
        assert response.json()["type"].endswith("unprocessable-entity")


async def test_agency_cannot_see_or_change_another_agencys_endpoint(samarinda, bontang, admin, ombudsman, subscribe):
    mine = await subscribe(samarinda, URL)
    assert mine["owner"] == {"role": "agency", "agency_code": "inspektorat-64.72", "region_code": None}
    path = f"/v1/webhook-endpoints/{mine['id']}"
    for call in (
        bontang.get(path),
        bontang.patch(path, json={"disabled": True}),
        bontang.delete(path),
        bontang.post(f"{path}/rotate-secret", json={}),
        bontang.post(f"{path}/test"),
        bontang.get(f"{path}/deliveries"),
        bontang.post(f"{path}/recover", json={"since": "2020-01-01T00:00:00Z"}),
        ombudsman.get(path),  # ombudsman keys manage ombudsman endpoints only
    ):
        assert (await call).status_code == 404
    assert mine["id"] not in [e["id"] for e in (await bontang.get("/v1/webhook-endpoints")).json()]
    assert mine["id"] in [e["id"] for e in (await samarinda.get("/v1/webhook-endpoints")).json()]
    assert (await admin.get(path)).status_code == 200


async def test_regional_ombudsman_sees_only_its_region(admin, ombudsman, subscribe, kaltim):
    kaltim_key = await issue_key(admin, "ombudsman", region_code="64")
    samarinda_key = await issue_key(admin, "ombudsman", region_code="64.72")
    kalsel_key = await issue_key(admin, "ombudsman", region_code="63")
    inner = await subscribe(samarinda_key, URL)
    national = await subscribe(ombudsman, URL)
    assert (await kaltim_key.get(f"/v1/webhook-endpoints/{inner['id']}")).status_code == 200
    assert (await kalsel_key.get(f"/v1/webhook-endpoints/{inner['id']}")).status_code == 404
    assert (await kaltim_key.get(f"/v1/webhook-endpoints/{national['id']}")).status_code == 404
    assert (await ombudsman.get(f"/v1/webhook-endpoints/{inner['id']}")).status_code == 200


async def test_patch_rotate_delete(ombudsman, subscribe):
    created = await subscribe(ombudsman, URL)
    path = f"/v1/webhook-endpoints/{created['id']}"
    patched = await ombudsman.patch(
        path, json={"description": "changed", "event_types": ["referral.closed"], "disabled": True}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["disabled"] is True and patched.json()["event_types"] == ["referral.closed"]
    assert (await ombudsman.patch(path, json={"url": "http://192.168.1.1/x"})).status_code == 422
    assert (await ombudsman.post(f"{path}/test")).status_code == 409  # disabled
    resumed = await ombudsman.patch(path, json={"disabled": False})
    assert resumed.json()["disabled"] is False and resumed.json()["disabled_reason"] is None

    rotated = await ombudsman.post(f"{path}/rotate-secret", json={"overlap_hours": 2})
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != created["secret"] and rotated.json()["previous_secret_expires_at"]
    assert (await ombudsman.post(f"{path}/rotate-secret", json={"overlap_hours": 169})).status_code == 422

    assert (await ombudsman.delete(path)).status_code == 204
    assert (await ombudsman.get(path)).status_code == 404


async def test_delivery_log_cursor_and_retry_scoping(ombudsman, samarinda, subscribe):
    created = await subscribe(ombudsman, URL)
    path = f"/v1/webhook-endpoints/{created['id']}"
    ids = [(await ombudsman.post(f"{path}/test")).json()["delivery_id"] for _ in range(3)]
    first = (await ombudsman.get(f"{path}/deliveries", params={"limit": 2})).json()
    assert [d["id"] for d in first["items"]] == ids[::-1][:2]
    assert first["items"][0]["event_type"] == "webhook.test" and first["items"][0]["status"] == "pending"
    second = (await ombudsman.get(f"{path}/deliveries", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [d["id"] for d in second["items"]] == [ids[0]] and second["next_cursor"] is None
    assert (await ombudsman.get(f"{path}/deliveries", params={"cursor": "garbage!"})).status_code == 400
    assert (await ombudsman.get(f"{path}/deliveries", params={"status": "lost"})).status_code == 422
    assert (await samarinda.post(f"/v1/webhook-deliveries/{ids[0]}/retry")).status_code == 404
    assert (await ombudsman.post(f"/v1/webhook-deliveries/{ids[0]}/retry")).status_code == 202


async def test_openapi_publishes_every_event_type(raw_client):
    document = (await raw_client.get("/openapi.json")).json()
    assert set(document["webhooks"]) == set(EVENT_TYPE_NAMES)
    body_ref = document["webhooks"]["referral.forwarded"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]["$ref"]
    schema = document["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) >= {"type", "timestamp", "data"}
    enum = document["components"]["schemas"]["WebhookEndpointCreate"]["properties"]["event_types"]["items"]["enum"]
    assert set(enum) == set(EVENT_TYPE_NAMES)
