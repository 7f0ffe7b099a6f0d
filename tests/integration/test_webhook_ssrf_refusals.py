"""A refused subscriber URL is refused by naming the rule, never the address its host resolved to:
in the 422 when it is saved, and in the attempt log when a delivery is refused or fails to connect.
DNS answers are simulated; the test settings allow http and 127.0.0.0/8 only."""

from __future__ import annotations

import asyncio
import socket

import pytest

from referral_service.webhooks import ssrf

NOT_PUBLIC = "This URL cannot receive webhooks: the host resolves to an address that is not public."


@pytest.fixture
def dns(monkeypatch):
    """dns[name] = [addresses]: what the service's resolver answers for those names."""
    answers: dict[str, list[str]] = {}
    real = ssrf._getaddrinfo

    async def fake(host, port):
        if host not in answers:
            return await real(host, port)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(ssrf, "_getaddrinfo", fake)
    return answers


async def _wait_failed(api, endpoint_id: str, timeout: float = 10.0) -> tuple[dict, str]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries", params={"status": "failed"})
        assert response.status_code == 200, response.text
        if response.json()["items"]:
            return response.json()["items"][0], response.text
        assert asyncio.get_running_loop().time() < deadline, "the delivery did not fail in time"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("address", ["10.1.2.3", "169.254.169.254", "fd00::17"])
async def test_saving_a_url_whose_host_resolves_inside_names_the_rule_only(ombudsman, subscribe, dns, address):
    dns["runsc"] = [address]
    response = await ombudsman.post("/v1/webhook-endpoints", json={"url": "https://runsc/"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == NOT_PUBLIC
    assert address not in response.text

    # Changing an existing endpoint's URL is checked, and answered, the same way.
    dns["public.test"] = ["93.184.215.14"]
    endpoint = await subscribe(ombudsman, "https://public.test/hook")
    response = await ombudsman.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"url": "https://runsc/hook"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == NOT_PUBLIC
    assert address not in response.text


async def test_a_literal_address_is_refused_without_repeating_it(ombudsman):
    response = await ombudsman.post("/v1/webhook-endpoints", json={"url": "https://10.1.2.3/hook"})
    assert response.status_code == 422, response.text
    assert (
        response.json()["detail"] == "This URL cannot receive webhooks: the host is an IP address that is not public."
    )
    assert "10.1.2.3" not in response.text


async def test_a_delivery_refused_after_rebinding_logs_the_rule_only(ombudsman, subscribe, worker, dns):
    dns["rebind.test"] = ["93.184.215.14"]  # public when saved...
    endpoint = await subscribe(ombudsman, "https://rebind.test/hook")
    dns["rebind.test"] = ["10.1.2.3"]  # ...internal when delivered
    worker()
    assert (await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")).status_code == 202
    delivery, text = await _wait_failed(ombudsman, endpoint["id"])
    assert {attempt["error"] for attempt in delivery["attempts"]} == {
        "refused by the egress policy: the host resolves to an address that is not public"
    }
    assert "10.1.2.3" not in text


async def test_a_failed_connection_does_not_name_the_address_dialled(ombudsman, subscribe, worker, dns):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    dns["partner.test"] = ["127.0.0.1"]  # allowed by the test allow-list
    endpoint = await subscribe(ombudsman, f"http://partner.test:{closed_port}/hook")
    worker()
    assert (await ombudsman.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")).status_code == 202
    delivery, text = await _wait_failed(ombudsman, endpoint["id"])
    assert {attempt["error"] for attempt in delivery["attempts"]} == {"ConnectError: could not connect to the host"}
    assert "127.0.0.1" not in text
