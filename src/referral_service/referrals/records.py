"""A referral and its complaint as the service's code holds them: typed records built from a row.

The referral is mutable because a transition changes it in memory and then writes every changed
column in one statement (repository.update); the complaint is read-only context (its identity and
region decide who may see the referral and what a webhook body holds).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from referral_service.db.driver import Row


@dataclass(slots=True)
class ReferralRecord:
    id: uuid.UUID
    complaint_id: uuid.UUID
    agency_code: str
    state: str
    instructions: str | None
    forwarded_at: datetime | None
    due_at: datetime | None
    due_working_days: int | None
    deadline_started_at: datetime | None
    due_soon_notified_for: datetime | None
    overdue_notified_for: datetime | None
    first_responded_at: datetime | None
    first_response_working_days: int | None
    first_response_on_time: bool | None
    acknowledged_at: datetime | None
    external_ref: str | None
    response: dict[str, Any] | None
    resolution: str | None
    closed_at: datetime | None
    follow_up_count: int
    version: int
    event_seq: int
    updated_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, row: Row, prefix: str = "") -> ReferralRecord:
        return cls(**{name: row[prefix + name] for name in REFERRAL_RECORD_FIELDS})


@dataclass(frozen=True, slots=True)
class ComplaintRecord:
    id: uuid.UUID
    reference: str
    channel: str
    received_at: datetime
    complainant: dict[str, Any] | None
    identity_confidential: bool
    subject: str
    description: str
    category: str
    reported_party: dict[str, Any] | None
    region_code: str
    incident_date: date | None
    external_refs: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Row, prefix: str = "") -> ComplaintRecord:
        return cls(**{name: row[prefix + name] for name in COMPLAINT_RECORD_FIELDS})


REFERRAL_RECORD_FIELDS = tuple(field.name for field in fields(ReferralRecord))
COMPLAINT_RECORD_FIELDS = tuple(field.name for field in fields(ComplaintRecord))
