"""A referral as the caller may see it: embedded complaint redacted for agencies, deadline figures."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.complaints.representation import complaint_dict, redact_for_agency
from referral_service.referrals import domain
from referral_service.referrals.calendar import WorkingCalendar
from referral_service.referrals.domain import ReferralState
from referral_service.referrals.service import ReferralView, referral_dict


def is_overdue(state: str, due_at: datetime | None, now: datetime) -> bool:
    return state == ReferralState.FORWARDED.value and due_at is not None and due_at < now


def referral_out(view: ReferralView, principal: Principal, calendar: WorkingCalendar, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(timezone.utc)
    referral = view.referral
    complaint = complaint_dict(view.complaint)
    if principal.role is Role.AGENCY:
        complaint = redact_for_agency(complaint)
    running = referral.state == ReferralState.FORWARDED.value and referral.due_at is not None
    return {
        **referral_dict(referral),
        "overdue": is_overdue(referral.state, referral.due_at, now),
        "working_days_remaining": (
            calendar.working_days_remaining(now, referral.due_at, view.timezone) if running else None
        ),
        "allowed_actions": domain.allowed_actions(ReferralState(referral.state), principal.role),
        "complaint": complaint,
    }
