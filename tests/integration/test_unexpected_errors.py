"""An unexpected error in a route is answered in full and leaves the connection usable.

Starlette's error middleware answers 500 and then raises the error again; uvicorn, seeing an error
after a complete response, closed the connection without having said `Connection: close`, so a
client's next request on that keep-alive connection failed. Over a real socket to a real uvicorn.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from tests.conftest import BOOTSTRAP_ADMIN_KEY


class Boom(Exception):
    pass


@pytest.fixture(scope="module")
def server_address(database_url, settings):
    import uvicorn

    from referral_service.main import create_app

    app = create_app(settings, database_url=database_url)

    async def fails() -> None:
        raise Boom("an error no handler expects")

    app.add_api_route("/v1/failing-for-a-test", fails, methods=["GET"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield ("127.0.0.1", port)
    server.should_exit = True
    thread.join(10)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length body; status 0 when the server closed instead."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return 0, {}, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def test_an_unexpected_error_is_a_500_problem_and_the_connection_stays_usable(server_address):
    request = (
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + BOOTSTRAP_ADMIN_KEY + "\r\n\r\n"
    ).encode()
    with socket.create_connection(server_address, timeout=10) as sock:
        sock.sendall(request.replace(b"{path}", b"/v1/failing-for-a-test"))
        status, headers, body = read_response(sock)
        assert status == 500
        assert headers["content-type"] == "application/problem+json"
        problem = json.loads(body)
        assert problem["type"].endswith("/internal-error") and problem["request_id"] == headers["x-request-id"]
        assert "Boom" not in body.decode() and "Traceback" not in body.decode()
        if headers.get("connection", "").lower() == "close":
            return  # said so: a client opens a new connection
        # Kept alive without saying otherwise: the next request on it must be answered.
        sock.sendall(request.replace(b"{path}", b"/healthz"))
        status, _, body = read_response(sock)
        assert status == 200, "the server closed a keep-alive connection after a complete 500 without saying so"
