"""How the service writes JSON: response bodies, webhook bodies and jsonb columns all go through
`dumps`, and single instants through `rfc3339_utc`, so every instant leaves the service one way:
RFC 3339 in UTC, written with `Z` (`2026-11-27T02:56:23.273054Z`), as pydantic writes it too.

Instants reach the encoder as aware UTC datetimes (asyncpg returns timestamptz in UTC; the service
clock is UTC) or, in one case, naive: asyncpg hands PostgreSQL's `-infinity` and `infinity` back as
`datetime.min` and `datetime.max` without a zone (and writes those two values as the infinities, so
`0001-01-01T00:00:00Z` once went in as `-infinity` and came out offset-less). A timestamptz is UTC,
so a naive value read from one is UTC as well.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def _default(value: Any) -> Any:
    # asyncpg hands uuid columns back as its own UUID type (equal to, but not, a `uuid.UUID`).
    if isinstance(value, uuid.UUID) or type(value).__name__ == "UUID":
        return str(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """JSON the way pydantic's `model_dump(mode="json")` writes it, every instant in UTC with `Z`."""
    return orjson.dumps(value, default=_default, option=JSON_OPTIONS)


def rfc3339_utc(moment: datetime) -> str:
    """One instant as `dumps` writes it (aware values in any zone are converted to UTC first)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return dumps(moment)[1:-1].decode("ascii")


def rfc3339_utc_text(value: Any) -> Any:
    """An instant stored as text (in jsonb) rewritten with `Z`; anything else is returned as it is.
    Rows written before every writer used `dumps` hold `+00:00`, and the timeline cannot be rewritten."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return rfc3339_utc(moment)
