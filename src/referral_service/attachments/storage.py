"""Where attachment bytes live: one small interface, two implementations.

- `PostgresBlobStore` (the default): chunks of 256 KiB in `blob_chunks`, so the embedded setup needs
  nothing more than the database it already has.
- `S3BlobStore`: any S3-compatible service (`REFERRAL_BLOB_STORE=s3://bucket/prefix`), spoken to with
  httpx (already a dependency) and AWS Signature Version 4 (`sigv4.py`). Uploads reach the store from
  a spooled file whose SHA-256 is already known, so the payload is signed without a second pass and
  PutObject gets its Content-Length.

Both stream: a read yields chunks, never the whole blob.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import IO, Any, Protocol
from urllib.parse import quote, urlsplit

import httpx

from referral_service import clock
from referral_service.attachments import repository, sigv4
from referral_service.db.driver import Db

CHUNK_SIZE = 256 * 1024


class BlobNotFound(Exception):
    pass


class BlobStore(Protocol):
    async def put(self, key: str, file: IO[bytes], size: int, sha256_hex: str) -> None: ...

    def get_stream(self, key: str) -> AsyncIterator[bytes]: ...

    def get_range(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes `start` to `end`, both inclusive."""
        ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


# An asyncpg connection (or anything with its `execute`/`fetch`/`fetchval`), one per use.
ConnectionSource = Callable[[], AbstractAsyncContextManager[Any]]


class PostgresBlobStore:
    """Blobs as rows of `blob_chunks` (blob_key, seq, data). Each read fetches one chunk at a time on a
    connection taken for that statement only, so a slow download holds no connection."""

    def __init__(self, connect: ConnectionSource, chunk_size: int = CHUNK_SIZE) -> None:
        self.connect = connect
        self.chunk_size = chunk_size

    async def put(self, key: str, file: IO[bytes], size: int, sha256_hex: str) -> None:
        async with self.connect() as conn, conn.transaction():
            seq = 0
            while True:
                data = file.read(self.chunk_size)
                if not data and seq > 0:
                    break
                await Db(conn).execute(repository.INSERT_CHUNK.bind(blob_key=key, seq=seq, data=data))
                seq += 1
                if not data:
                    break

    async def _chunk(self, key: str, seq: int) -> bytes | None:
        async with self.connect() as conn:
            data: bytes | None = await Db(conn).fetchval(repository.CHUNK.bind(blob_key=key, seq=seq))
            return data

    async def get_stream(self, key: str) -> AsyncIterator[bytes]:
        seq = 0
        while True:
            data = await self._chunk(key, seq)
            if data is None:
                if seq == 0:
                    raise BlobNotFound(key)
                return
            if data:
                yield data
            seq += 1

    async def get_range(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        seq = start // self.chunk_size
        offset = start - seq * self.chunk_size
        remaining = end - start + 1
        while remaining > 0:
            data = await self._chunk(key, seq)
            if data is None:
                raise BlobNotFound(key)
            piece = data[offset : offset + remaining]
            if not piece:
                return
            yield piece
            remaining -= len(piece)
            offset = 0
            seq += 1

    async def delete(self, key: str) -> None:
        async with self.connect() as conn:
            await Db(conn).execute(repository.DELETE_CHUNKS.bind(blob_key=key))

    async def close(self) -> None:
        return None


class S3BlobStore:
    """Objects `<prefix>/<key>` in one bucket, path-style URLs (`<endpoint>/<bucket>/<object>`)."""

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str,
        endpoint_url: str,
        region: str,
        access_key_id: str,
        secret_access_key: str,
        timeout: float = 60.0,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url.rstrip("/")
        self.region = region
        self.credentials = sigv4.Credentials(access_key_id, secret_access_key)
        self.client = httpx.AsyncClient(timeout=timeout)

    def _path(self, key: str) -> str:
        name = f"{self.prefix}/{key}" if self.prefix else key
        return "/" + quote(self.bucket, safe="") + "/" + quote(name, safe="/-_.~")

    def _signed(
        self, method: str, key: str, payload_sha256: str, headers: dict[str, str] | None = None
    ) -> tuple[str, dict[str, str]]:
        url = self.endpoint_url + self._path(key)
        host = urlsplit(self.endpoint_url).netloc
        signed = sigv4.sign(
            method=method,
            host=host,
            path=urlsplit(url).path,
            query="",
            headers=headers or {},
            payload_sha256=payload_sha256,
            credentials=self.credentials,
            region=self.region,
            service="s3",
            now=clock.wall_now(),
        )
        return url, signed

    async def put(self, key: str, file: IO[bytes], size: int, sha256_hex: str) -> None:
        url, headers = self._signed("PUT", key, sha256_hex, {"content-length": str(size)})

        async def body() -> AsyncIterator[bytes]:
            while data := file.read(CHUNK_SIZE):
                yield data

        response = await self.client.put(url, content=body(), headers=headers)
        if response.status_code // 100 != 2:
            raise RuntimeError(f"S3 PUT {key} failed: {response.status_code} {response.text[:200]}")

    async def _get(self, key: str, extra: dict[str, str]) -> AsyncIterator[bytes]:
        url, headers = self._signed("GET", key, sigv4.EMPTY_SHA256, extra)
        async with self.client.stream("GET", url, headers=headers) as response:
            if response.status_code == 404:
                raise BlobNotFound(key)
            if response.status_code // 100 != 2:
                await response.aread()
                raise RuntimeError(f"S3 GET {key} failed: {response.status_code} {response.text[:200]}")
            async for data in response.aiter_raw(CHUNK_SIZE):
                yield data

    def get_stream(self, key: str) -> AsyncIterator[bytes]:
        return self._get(key, {})

    def get_range(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        return self._get(key, {"range": f"bytes={start}-{end}"})

    async def delete(self, key: str) -> None:
        url, headers = self._signed("DELETE", key, sigv4.EMPTY_SHA256)
        response = await self.client.delete(url, headers=headers)
        if response.status_code not in (200, 204, 404):
            raise RuntimeError(f"S3 DELETE {key} failed: {response.status_code} {response.text[:200]}")

    async def close(self) -> None:
        await self.client.aclose()


def make_store(settings: Any, connect: ConnectionSource) -> BlobStore:
    """The store `REFERRAL_BLOB_STORE` names: `postgresql` (default) or `s3://bucket/prefix`."""
    spec = (settings.blob_store or "postgresql").strip()
    if spec == "postgresql":
        return PostgresBlobStore(connect)
    if spec.startswith("s3://"):
        parts = urlsplit(spec)
        if not parts.netloc:
            raise ValueError("REFERRAL_BLOB_STORE s3:// URL needs a bucket: s3://bucket/prefix")
        if not settings.s3_endpoint_url:
            raise ValueError("REFERRAL_S3_ENDPOINT_URL is required with an s3:// blob store")
        return S3BlobStore(
            bucket=parts.netloc,
            prefix=parts.path,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id.get_secret_value() if settings.s3_access_key_id else "",
            secret_access_key=settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else "",
        )
    raise ValueError(f"REFERRAL_BLOB_STORE must be `postgresql` or an s3:// URL, not {spec!r}")
