"""The officers' work lists: deadlines running out (by agency) and the referral queue (paged)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from referral_service import clock
from referral_service.auth.principal import Principal
from referral_service.db.driver import Db
from referral_service.errors import BadRequest
from referral_service.referrals import service as referrals
from referral_service.referrals.deadlines import current_calendar
from referral_service.referrals.domain import ReferralState
from referral_service.referrals.representation import has_running_deadline, referral_out
from referral_service.reminders.due_soon import due_soon_horizon, is_due_soon
from referral_service.schemas import decode_cursor, encode_cursor
from referral_service.ui.page import Page, agency_names, open_db, signed_in_page
from referral_service.ui.presenting import conceal_referral, conceal_text

QUEUE_PAGE_SIZE = 20
DEADLINE_ROWS = 500

router = APIRouter(prefix="/ui")


async def _forwarded(db: Db, principal: Principal, *, overdue: bool, due_before: datetime | None) -> list[Any]:
    """Forwarded referrals in the caller's scope, overdue or not, due before a moment; the page's first
    DEADLINE_ROWS of each."""
    rows, _ = await referrals.list_rows(
        db,
        principal,
        limit=DEADLINE_ROWS,
        cursor=None,
        state=ReferralState.FORWARDED,
        agency_code=None,
        complaint_id=None,
        overdue=overdue,
        due_before=due_before,
    )
    return rows


@router.get("/deadlines")
async def deadlines(request: Request) -> Response:
    async with open_db(request) as db:
        page = await signed_in_page(request, db)
        if not isinstance(page, Page):
            return page
        now = clock.now()
        # Due soon means what it means for `referral.due_soon` (reminders/due_soon.py).
        soon_days = request.app.state.settings.due_soon_working_days
        calendar = await current_calendar(db)
        overdue_rows = await _forwarded(db, page.principal, overdue=True, due_before=None)
        soon_rows = await _forwarded(
            db, page.principal, overdue=False, due_before=due_soon_horizon(calendar, now, soon_days)
        )
        names = await agency_names(db, {r["agency_code"] for r in overdue_rows + soon_rows})

    def grouped(rows: list[Any], sign: int, soon: bool) -> list[tuple[str, list[dict[str, Any]]]]:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            if row["due_at"] is None:
                continue
            if soon and not is_due_soon(calendar, now, row["due_at"], row["timezone"], soon_days):
                continue
            remaining = calendar.working_days_remaining(now, row["due_at"], row["timezone"])
            groups[row["agency_code"]].append(
                {
                    "row": row,
                    "days": sign * remaining,
                    "subject": conceal_text(page, row["complaint__subject"]),
                    "confidential": row["complaint__identity_confidential"],
                    "reference": row["complaint__reference"],
                }
            )
        for items in groups.values():
            items.sort(key=lambda item: item["row"]["due_at"])
        return [
            (names.get(code, code), items)
            for code, items in sorted(groups.items(), key=lambda g: names.get(g[0], g[0]))
        ]

    return page.render(
        "deadlines.html",
        overdue=grouped(overdue_rows, -1, soon=False),
        soon=grouped(soon_rows, 1, soon=True),
        due_soon_days=soon_days,
    )


@router.get("/queue")
async def queue(request: Request) -> Response:
    params = request.query_params
    async with open_db(request) as db:
        page = await signed_in_page(request, db)
        if not isinstance(page, Page):
            return page
        state_param = params.get("state", "forwarded" if not page.is_ombudsman_side else "")
        try:
            state = ReferralState(state_param) if state_param else None
        except ValueError:
            state = None
        overdue = params.get("overdue") == "1"
        cursor = params.get("cursor") or None
        try:
            if cursor is not None:
                decode_cursor(cursor)
        except BadRequest:  # a mangled link: start from the first page
            cursor = None
        rows, more = await referrals.list_rows(
            db,
            page.principal,
            limit=QUEUE_PAGE_SIZE,
            cursor=cursor,
            state=state,
            agency_code=None,
            complaint_id=None,
            overdue=True if overdue else None,
            due_before=None,
        )
        calendar = await current_calendar(db) if any(has_running_deadline(r) for r in rows) else None
        now = clock.now()
        items = [
            conceal_referral(page, referral_out(r, None, r["timezone"], page.principal, calendar, now))
            | {"timezone": r["timezone"]}
            for r in rows
        ]
        names = await agency_names(db, {r["agency_code"] for r in rows})
    next_query = None
    if more and rows:
        next_params = {"state": state_param, **({"overdue": "1"} if overdue else {})}
        next_params["cursor"] = encode_cursor(rows[-1]["created_at"], rows[-1]["id"])
        next_query = urlencode(next_params)
    return page.render(
        "queue.html",
        items=items,
        names=names,
        state=state_param,
        overdue=overdue,
        next_query=next_query,
        paged=cursor is not None,
        states=[s.value for s in ReferralState],
    )
