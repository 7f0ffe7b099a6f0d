from tests.conftest import complaint_body, create_complaint


async def test_health_and_ready(raw_client):
    assert (await raw_client.get("/healthz")).json() == {"status": "ok"}
    ready = await raw_client.get("/readyz")
    assert ready.status_code == 200, ready.text


async def test_create_and_read_complaint(ombudsman):
    created = await create_complaint(ombudsman)
    assert created["reference"].startswith("64-")
    fetched = await ombudsman.get(f"/v1/complaints/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.headers["etag"] == '"1"'
    assert fetched.json()["complainant"]["name"] == complaint_body()["complainant"]["name"]
