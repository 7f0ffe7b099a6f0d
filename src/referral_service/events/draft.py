"""What a change records on the timeline: who did it (`Actor`) and what happened (`EventDraft`).

Plain data, shared by the event recorder (events.service) and the outbox that turns an event into
webhook bodies (events.outbox, events.payloads): both import it from here, so neither has to
import the other's module to name it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from referral_service.auth.principal import Principal


@dataclass(frozen=True, slots=True)
class Actor:
    key_id: uuid.UUID | None
    role: str | None
    agency_code: str | None
    via: str = "api"

    @classmethod
    def of(cls, principal: Principal, via: str = "api") -> Actor:
        return cls(principal.key_id, principal.role.value, principal.agency_code, via)


SYSTEM = Actor(key_id=None, role=None, agency_code=None, via="system")


@dataclass(slots=True)
class EventDraft:
    type: str
    complaint_id: uuid.UUID
    sequence: int
    region_code: str
    # The referred agency's region when it differs from the complaint's (a cross-region referral):
    # region-limited Ombudsman subscribers of either region receive the event.
    agency_region_code: str | None = None
    referral_id: uuid.UUID | None = None
    agency_code: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # Whether the referral's agency may see this event (never before the first forward).
    agency_visible: bool = False
