"""`attachment.added` as agencies see it on a referral's timeline."""

from __future__ import annotations

from typing import Any

from referral_service.db.driver import Db
from referral_service.referrals.repository import COMPLAINT_PREFIX

EVENT_TYPE = "attachment.added"


async def hide_identity_documents(db: Db, referral_row: Any, events: list[Any]) -> list[Any]:
    """Drop `attachment.added` events of identity documents while the complainant is confidential
    (checked now, so a complaint made confidential later hides the earlier announcements too)."""
    if not referral_row[COMPLAINT_PREFIX + "identity_confidential"]:
        return events
    return [e for e in events if not (e["type"] == EVENT_TYPE and (e["data"] or {}).get("contains_identity"))]
