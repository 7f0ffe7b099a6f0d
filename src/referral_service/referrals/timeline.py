"""A referral's timeline as a key may see it: `GET /v1/referrals/{id}/events` and the web view's
referral page both read it here, so the two show the same events to the same key.

Which events a key sees is auth/scope.py's rule (`timeline_clause`, the SQL form of
`timeline_event_visible`): an agency sees the timeline from the forward on (never
`referral.created`), and never the announcement of an identity document while the complainant is
confidential.
"""

from __future__ import annotations

from typing import Any

from referral_service.auth.principal import Principal
from referral_service.auth.scope import timeline_clause
from referral_service.db.driver import Db
from referral_service.db.sql import Sql
from referral_service.events.service import MAX_EVENTS_PER_PAGE
from referral_service.referrals.repository import COMPLAINT_PREFIX

_EVENTS = (
    "SELECT e.id, e.complaint_id, e.referral_id, e.sequence, e.type, e.occurred_at, e.actor_key_id, e.actor_role,"
    " e.actor_agency_code, e.via, e.from_state, e.to_state, e.data"
    " FROM events e WHERE e.referral_id = :referral_id AND e.id > :after_id AND "
)
_ORDER = " ORDER BY e.id LIMIT :limit"


async def visible_events(
    db: Db, principal: Principal, referral_row: Any, *, after_id: int | None = None, limit: int = MAX_EVENTS_PER_PAGE
) -> list[Any]:
    """The timeline rows of a referral the caller may see (`referral_row`: from `service.get_row`),
    oldest first; continue a long one with `after_id` = the last id you got."""
    visible = timeline_clause(principal, confidential=bool(referral_row[COMPLAINT_PREFIX + "identity_confidential"]))
    query = _EVENTS + visible + Sql(_ORDER, limit=limit)
    return await db.fetch(query.bind(referral_id=referral_row["id"], after_id=after_id or 0))
