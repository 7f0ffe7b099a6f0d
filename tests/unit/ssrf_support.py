"""Shared by the SSRF guard tests: the egress policies they use, a fake resolver, and a network
backend that records what it is asked to dial and connects nowhere."""

import socket

import httpcore

from referral_service.webhooks import ssrf
from referral_service.webhooks.ssrf import EgressPolicy

DEFAULT = EgressPolicy()
LOOPBACK_OK = EgressPolicy.from_strings(True, "127.0.0.0/8")
HTTP_ONLY = EgressPolicy(allow_http=True)


def _fake_dns(monkeypatch, answers):
    calls = []

    async def fake(host, port):
        calls.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(ssrf, "_getaddrinfo", fake)
    return calls


class RecordingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self):
        self.hosts = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.hosts.append(host)
        raise httpcore.ConnectError("recording backend does not connect")

    async def sleep(self, seconds):
        pass
