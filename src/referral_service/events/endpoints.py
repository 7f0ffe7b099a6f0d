"""`GET /v1/events`: the event feed, for reconciling with what the webhooks delivered (events/feed.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from referral_service.audit import identity as audit
from referral_service.auth.dependencies import CurrentPrincipal
from referral_service.auth.principal import Principal
from referral_service.auth.scope import complainant_hidden
from referral_service.db.driver import Db
from referral_service.events import feed
from referral_service.openapi_docs import problem_responses
from referral_service.schemas import UtcInstant
from referral_service.webhooks import payloads
from referral_service.webhooks.catalogue import EventTypeName

router = APIRouter(prefix="/v1/events", tags=["events"], dependencies=[Depends(audit.access_reason)])


_ITEM_EXAMPLE: dict[str, Any] = {
    "id": 4242,
    "cursor": "ZXYxOjQyNDI",
    "type": "complaint.created",
    "timestamp": "2026-11-27T02:56:23.273054Z",
    "data": {
        "event_id": 4242,
        "complaint_id": "65881197-a37a-427e-b9b3-d5998f47d9fd",
        "referral_id": None,
        "agency_code": None,
        "state": None,
        "from_state": None,
        "sequence": 1,
        "details": {"reference": "64-2026-000042"},
        "complaint": {},
    },
}


class FeedItem(BaseModel):
    """One event, exactly as its webhook delivery to your key's subscription carries it, plus its position."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ITEM_EXAMPLE]})

    id: int = Field(description="The event id: the feed's order.")
    cursor: str = Field(description="Pass as `after` to continue after this event.")
    type: str = Field(examples=["referral.forwarded"])
    timestamp: UtcInstant
    data: dict[str, Any] = Field(description="The webhook body's `data` (see the `webhooks` section).")


class FeedPage(BaseModel):
    """Events after your cursor, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_ITEM_EXAMPLE], "next_cursor": "ZXYxOjQyNDI"}]}
    )

    items: list[FeedItem]
    next_cursor: str = Field(
        description="Save it and pass it as `after` next time. Never null: with no items it is the cursor you sent."
    )


@router.get("", response_model=FeedPage, name="feed", responses=problem_responses(400, 401, 422))
async def feed_(
    request: Request,
    principal: CurrentPrincipal,
    after: Annotated[
        str | None, Query(description="A `next_cursor` (or an item's `cursor`); none: from the start.", max_length=40)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE, description="At most this many events (1-1000).")] = 100,
    type_: Annotated[
        list[EventTypeName] | None, Query(alias="type", description="Only these event types (repeat the parameter).")
    ] = None,
    referral_id: Annotated[uuid.UUID | None, Query(description="Only this referral's events.")] = None,
    complaint_id: Annotated[
        uuid.UUID | None, Query(description="Only this complaint's events (its own and its referrals').")
    ] = None,
    wait: Annotated[
        int,
        Query(
            ge=0,
            le=feed.MAX_WAIT_SECONDS,
            description="Long poll: when nothing is new, wait up to this many seconds for an event.",
        ),
    ] = 0,
) -> Response:
    """Every timeline event your key may see, in event id order, each with the body its webhook delivery
    carries: reconcile with the webhooks, or consume events without running a receiver.

    You see what your subscriptions would receive: admin and national Ombudsman keys everything;
    a region-limited Ombudsman key the events of complaints in its region and of referrals to
    agencies in its region; an agency key the events of referrals forwarded to it, of the types
    agencies receive, with a confidential complainant removed.

    The order is stable and has no gaps: an event committed late by a slow transaction is never
    skipped, because the feed serves an event only once every transaction that could still commit an
    earlier one has ended. Save `next_cursor` and pass it back as `after`: the same cursor always
    means the same position, across restarts. With `wait`, an empty answer is held until an event
    arrives (at most `wait` seconds).
    """
    after_id = feed.decode_feed_cursor(after) if after is not None else 0
    where = feed.FeedFilter(types=type_, referral_id=referral_id, complaint_id=complaint_id)
    state = request.app.state

    async def audit_identities(db: Db, rows: list[Any]) -> None:  # in the reading transaction
        shown = list(
            dict.fromkeys(
                complaint_id
                for row in rows
                for complaint_id in audit.shown_identities(bytes(row["body"]), _confidential_now(row))
            )
        )
        await audit.record(db, request, principal, shown)

    rows = await feed.wait_for_page(
        state.pool,
        state.feed_horizon,
        state.feed_notifier,
        principal,
        after_id,
        limit,
        where,
        float(wait),
        on_rows=audit_identities,
    )
    return Response(feed.page_body(_as_served(rows, principal), after_id), media_type="application/json")


def _confidential_now(row: Any) -> tuple[uuid.UUID, ...]:
    """The row's complaint when its identity is confidential now (its stored body may predate that)."""
    return (uuid.UUID(str(row["complaint_id"])),) if row["confidential"] else ()


def _as_served(rows: list[Any], principal: Principal) -> list[dict[str, Any]]:
    """Each stored body as this key may see it now: an agency never gets the complainant of a complaint
    that is confidential now, whatever the body (built before the change) says."""
    served = []
    for row in rows:
        body = bytes(row["body"])
        if complainant_hidden(principal, row["confidential"]):
            body = payloads.strip_complainant(body) or body
        served.append({"event_id": row["event_id"], "body": body})
    return served
