"""Pieces every feature's schemas share: strict input models, safe text, cursors, pages."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar

import orjson
from annotated_types import GroupedMetadata
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from referral_service import clock
from referral_service.errors import BadRequest
from referral_service.json_encoding import rfc3339_utc
from referral_service.region_list import is_official_region


def _no_nul(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold U+0000; refuse it as a validation error, not a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


@dataclass(frozen=True, slots=True)
class TextLimits(GroupedMetadata):
    """Stripped text of bounded length without NUL: `Annotated[str, TextLimits(200, 1)]`."""

    max_length: int
    min_length: int = 0

    def __iter__(self) -> Iterator[object]:
        yield StringConstraints(strip_whitespace=True, min_length=self.min_length, max_length=self.max_length)
        yield AfterValidator(_no_nul)


def _utc_representable(value: datetime) -> datetime:
    # 0001-01-01T00:00+14:00 is valid ISO 8601 but has no UTC form in Python; the driver would raise (a 500).
    try:
        value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("must fall between years 1 and 9999 in UTC") from exc
    return value


def _refuse_numbers(expected: str) -> Any:
    # Pydantic reads numbers (and numeric strings such as `?due_before=0.5`) as Unix timestamps; the
    # document promises RFC 3339 text, so anything else is a 422, not an instant in 1970.
    def check(value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(f"must be {expected}")
        if isinstance(value, str):
            try:
                float(value)
            except ValueError:
                return value
            raise ValueError(f"must be {expected}")
        return value

    return check


# A timezone-aware RFC 3339 instant that can be converted to UTC (and so stored and compared in PostgreSQL).
UtcDateTime = Annotated[
    AwareDatetime,
    BeforeValidator(_refuse_numbers("an RFC 3339 date-time, e.g. 2026-11-27T08:00:00+08:00")),
    AfterValidator(_utc_representable),
]

# An instant in a response model, written the way `json_encoding` writes response bodies: UTC with `Z`,
# also when the value is naive (asyncpg's stand-in for +-infinity) or aware in another zone.
UtcInstant = Annotated[
    datetime, PlainSerializer(rfc3339_utc, when_used="json"), WithJsonSchema({"type": "string", "format": "date-time"})
]

# Plausible dates of a complaint. Anything outside them is a typo (2999 for 2029, a year 1 from an
# empty date picker), and a year is part of the complaint's reference: catch it at intake.

# The Ombudsman began as the Komisi Ombudsman Nasional in 2000 (Keppres 44/2000): no complaint it
# handles was received before.
EARLIEST_RECEIVED_AT = datetime(2000, 1, 1, tzinfo=UTC)
# How far `received_at` may lie ahead of the service clock: enough for a clerk's clock that runs fast
# or a local time sent with the wrong offset, not for a date in the future.
RECEIVED_AT_MAX_AHEAD = timedelta(days=1)
# The proclamation of independence: no Indonesian public service, so no incident complained about,
# predates it.
EARLIEST_INCIDENT_DATE = date(1945, 8, 17)
# `incident_date` is a calendar date in Indonesia (UTC+7 to UTC+9), `received_at` an instant: a complaint
# received at 23:30 UTC on 1 March was received on 2 March in WITA and may be about that day.
INCIDENT_DATE_MAX_AFTER_RECEIVED = timedelta(days=1)


def _plausible_received_at(value: datetime) -> datetime:
    if value < EARLIEST_RECEIVED_AT:
        raise ValueError(f"must not be before {EARLIEST_RECEIVED_AT.date().isoformat()} (UTC)")
    if value > clock.now() + RECEIVED_AT_MAX_AHEAD:
        raise ValueError("must not be more than one day ahead of the current time")
    return value


def _not_before_independence(value: date) -> date:
    if value < EARLIEST_INCIDENT_DATE:
        raise ValueError(f"must not be before {EARLIEST_INCIDENT_DATE.isoformat()}")
    return value


def latest_incident_date(received_at: datetime | None) -> date:
    """The last date an incident can have happened on for a complaint received at `received_at` (now if None)."""
    received = (received_at or clock.now()).astimezone(UTC)
    return received.date() + INCIDENT_DATE_MAX_AFTER_RECEIVED


ReceivedAt = Annotated[UtcDateTime, AfterValidator(_plausible_received_at)]
# The upper bound depends on `received_at`: checked by the complaint model (`latest_incident_date`).
IncidentDate = Annotated[
    date,
    BeforeValidator(_refuse_numbers("an ISO 8601 date, e.g. 2026-11-27")),
    AfterValidator(_not_before_independence),
]

ShortText = Annotated[str, TextLimits(200, 1)]


def _on_the_official_list(code: str) -> str:
    if not is_official_region(code):
        raise ValueError("must be a province or regency/city code on the Kemendagri list (GET /v1/regions)")
    return code


# A province (`64`) or regency/city (`64.72`) on the Kemendagri list the service ships
# (region_list.py). A region is a regional government: districts and villages below it are
# not listed, so their codes are refused along with codes that do not exist.
RegionCode = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{2}(\.[0-9]{2})?$"), AfterValidator(_on_the_official_list)
]
ProvinceCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$"), AfterValidator(_on_the_official_list)]
AGENCY_CODE_PATTERN = r"^[a-z0-9][a-z0-9.\-]{1,62}[a-z0-9]$"
# A path segment that can name an agency (routes that answer alike for malformed and unknown codes).
AGENCY_CODE_IN_PATH = re.compile(AGENCY_CODE_PATTERN)
AgencyCode = Annotated[str, StringConstraints(pattern=AGENCY_CODE_PATTERN)]


class InputModel(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, newest first. Follow `next_cursor` until it is null."""

    # A docstring is not inherited by `Page[X]`; the config is.
    model_config = ConfigDict(
        json_schema_extra={"description": "One page of a list, newest first. Follow `next_cursor` until it is null."}
    )

    items: list[T]
    next_cursor: str | None = Field(
        None,
        description="Pass as `cursor` to get the next page; null on the last page.",
        examples=[
            "WyIyMDI2LTExLTI3VDAyOjU2OjIzLjI3MzA1NCswMDowMCIsIjY1ODgxMTk3LWEzN2EtNDI3ZS1iOWIzLWQ1OTk4ZjQ3ZDlmZCJd"
        ],
    )


LimitQuery = Annotated[int, Field(ge=1, le=100, description="Page size, 1-100.")]

# The largest value of a PostgreSQL bigint (event and delivery ids). An integer parameter without an
# upper bound lets a client send a number asyncpg cannot encode: a 500 instead of a 422.
BIGINT_MAX = 2**63 - 1


def encode_cursor(created_at: datetime, row_id: Any) -> str:
    raw = orjson.dumps([created_at.isoformat(), str(row_id)])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_CURSOR_LENGTH = 200  # a real cursor is about 100 characters


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadRequest("The cursor is not valid; start again without one.")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, row_id = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        position = datetime.fromisoformat(created_at)
        if position.tzinfo is None:
            raise ValueError("naive timestamp")
        position.astimezone(UTC)  # a forged cursor may name an instant with no UTC form
        return position, uuid.UUID(row_id)
    except (
        ValueError,
        TypeError,
        AttributeError,
        OverflowError,
        binascii.Error,
        UnicodeEncodeError,
        orjson.JSONDecodeError,
    ) as exc:
        raise BadRequest("The cursor is not valid; start again without one.") from exc
