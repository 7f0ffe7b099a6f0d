"""The settings that bound what receiving a request body may cost: time, and concurrent uploads.

A group of `Settings` (config.py) of its own; docs/configuration.md lists it after the others.
"""

from pydantic import Field
from pydantic_settings import BaseSettings


class TransferSettings(BaseSettings):
    body_grace_seconds: float = Field(
        default=10.0,
        gt=0,
        validation_alias="REFERRAL_BODY_GRACE_SECONDS",
        description="A request body (an upload, a JSON body) may take this long (seconds) before "
        "`REFERRAL_BODY_MIN_BYTES_PER_SECOND` applies: a client that has sent nothing by then gets 408.",
    )
    body_min_bytes_per_second: int = Field(
        default=20_000,
        gt=0,
        validation_alias="REFERRAL_BODY_MIN_BYTES_PER_SECOND",
        description="After the grace period a body must keep arriving at this rate at least (bytes a second, "
        "counted from the start of the request): slower, and it is refused with 408 `request-timeout` and the "
        "connection closed, so a stalled upload holds no connection, memory or upload slot.",
    )
    body_timeout_seconds: float = Field(
        default=600.0,
        gt=0,
        validation_alias="REFERRAL_BODY_TIMEOUT_SECONDS",
        description="Longest time (seconds) any request body may take to arrive, whatever its rate (408 after it).",
    )
    uploads_per_key: int = Field(
        default=4,
        ge=1,
        validation_alias="REFERRAL_UPLOADS_PER_KEY",
        description="Attachment uploads one API key may have in progress at once in one API process (signed "
        "uploads: one source address); another is refused with 429 `too-many-uploads` and `Retry-After`.",
    )
    uploads_per_process: int = Field(
        default=32,
        ge=1,
        validation_alias="REFERRAL_UPLOADS_PER_PROCESS",
        description="Attachment uploads one API process receives at once, from everyone; another is refused "
        "with 503 `uploads-busy` and `Retry-After`. Each holds at most 64 KiB in memory (the rest is spooled to a "
        "temporary file).",
    )
