"""A referral as the caller may see it: embedded complaint redacted for agencies, deadline figures.

`referral_out` is the one representation of a referral in responses (list, GET, create and the
transitions). It builds the `ReferralOut` body directly from stored columns (a Core row mapping on
the read paths, the ORM entities' columns after a write) without a pydantic round trip; tests check
every body against `ReferralOut.model_validate(body).model_dump(mode="json")`.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from referral_service import clock
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.complaints.representation import complaint_dict, complaint_out
from referral_service.db.driver import Row
from referral_service.referrals import domain
from referral_service.referrals.calendar import WorkingCalendar
from referral_service.referrals.domain import ReferralState
from referral_service.referrals.repository import COMPLAINT_PREFIX
from referral_service.referrals.service import ReferralView, referral_dict

_FORWARDED = ReferralState.FORWARDED.value
_RESPONSE_KEYS = ("outcome", "summary", "actions_taken")


def has_running_deadline(m: Row) -> bool:
    return m["state"] == _FORWARDED and m["due_at"] is not None


@functools.lru_cache(maxsize=64)
def _allowed_actions(state: str, role: Role) -> tuple[str, ...]:
    return tuple(action.value for action in domain.allowed_actions(ReferralState(state), role))


def _response_out(response: dict[str, Any] | None) -> dict[str, Any] | None:
    if response is None:
        return None
    out = {key: response.get(key) for key in _RESPONSE_KEYS}
    # Stored as an ISO string; the response carries it as an instant (UTC written with `Z`).
    responded_at = response["responded_at"]
    out["responded_at"] = datetime.fromisoformat(responded_at) if isinstance(responded_at, str) else responded_at
    return out


def referral_out(
    m: Row,
    complaint: Row | None,
    timezone: str,
    principal: Principal,
    calendar: WorkingCalendar | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The `ReferralOut` body. `m` holds the referral's columns; `complaint` the complaint's columns,
    or None when they are in `m` under `COMPLAINT_PREFIX` (the read query's row). `calendar` may be
    None when the referral has no running deadline."""
    now = now or clock.now()
    state = m["state"]
    due_at = m["due_at"]
    running = state == _FORWARDED and due_at is not None
    redact = principal.role is Role.AGENCY
    remaining = None
    if running:
        assert calendar is not None, "the caller passes the calendar whenever a deadline runs"
        remaining = calendar.working_days_remaining(now, due_at, timezone)
    if complaint is None:
        embedded = complaint_out(m, redact=redact, prefix=COMPLAINT_PREFIX)
    else:
        embedded = complaint_out(complaint, redact=redact)
    return {
        "id": m["id"],
        "complaint_id": m["complaint_id"],
        "agency_code": m["agency_code"],
        "state": state,
        "instructions": m["instructions"],
        "forwarded_at": m["forwarded_at"],
        "due_at": due_at,
        "acknowledged_at": m["acknowledged_at"],
        "external_ref": m["external_ref"],
        "response": _response_out(m["response"]),
        "resolution": m["resolution"],
        "closed_at": m["closed_at"],
        "follow_up_count": m["follow_up_count"],
        "overdue": running and due_at < now,
        "working_days_remaining": remaining,
        "allowed_actions": list(_allowed_actions(state, principal.role)),
        "created_at": m["created_at"],
        "updated_at": m["updated_at"],
        "complaint": embedded,
    }


def view_out(
    view: ReferralView, principal: Principal, calendar: WorkingCalendar | None, now: datetime | None = None
) -> dict[str, Any]:
    """`referral_out` of a view loaded as ORM entities (the write paths)."""
    return referral_out(
        referral_dict(view.referral), complaint_dict(view.complaint), view.timezone, principal, calendar, now
    )
