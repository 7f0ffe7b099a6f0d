from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.events_feed_type_type_0_item import EventsFeedTypeType0Item
from ...models.feed_page import FeedPage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    type_: list[EventsFeedTypeType0Item] | None | Unset = UNSET,
    referral_id: None | Unset | UUID = UNSET,
    complaint_id: None | Unset | UUID = UNSET,
    wait: int | Unset = 0,
    x_access_reason: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_access_reason, Unset):
        headers["X-Access-Reason"] = x_access_reason

    params: dict[str, Any] = {}

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    params["limit"] = limit

    json_type_: list[str] | None | Unset
    if isinstance(type_, Unset):
        json_type_ = UNSET
    elif isinstance(type_, list):
        json_type_ = []
        for type_type_0_item_data in type_:
            type_type_0_item = type_type_0_item_data.value
            json_type_.append(type_type_0_item)

    else:
        json_type_ = type_
    params["type"] = json_type_

    json_referral_id: None | str | Unset
    if isinstance(referral_id, Unset):
        json_referral_id = UNSET
    elif isinstance(referral_id, UUID):
        json_referral_id = str(referral_id)
    else:
        json_referral_id = referral_id
    params["referral_id"] = json_referral_id

    json_complaint_id: None | str | Unset
    if isinstance(complaint_id, Unset):
        json_complaint_id = UNSET
    elif isinstance(complaint_id, UUID):
        json_complaint_id = str(complaint_id)
    else:
        json_complaint_id = complaint_id
    params["complaint_id"] = json_complaint_id

    params["wait"] = wait

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> FeedPage | Problem | None:
    if response.status_code == 200:
        response_200 = FeedPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[FeedPage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    type_: list[EventsFeedTypeType0Item] | None | Unset = UNSET,
    referral_id: None | Unset | UUID = UNSET,
    complaint_id: None | Unset | UUID = UNSET,
    wait: int | Unset = 0,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[FeedPage | Problem]:
    """The event feed (reconcile with the webhooks)

     Every timeline event your key may see, in event id order, each with the body its webhook delivery
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

    Args:
        after (None | str | Unset): A `next_cursor` (or an item's `cursor`); none: from the start.
        limit (int | Unset): At most this many events (1-1000). Default: 100.
        type_ (list[EventsFeedTypeType0Item] | None | Unset): Only these event types (repeat the
            parameter).
        referral_id (None | Unset | UUID): Only this referral's events.
        complaint_id (None | Unset | UUID): Only this complaint's events (its own and its
            referrals').
        wait (int | Unset): Long poll: when nothing is new, wait up to this many seconds for an
            event. Default: 0.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FeedPage | Problem]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        type_=type_,
        referral_id=referral_id,
        complaint_id=complaint_id,
        wait=wait,
        x_access_reason=x_access_reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    type_: list[EventsFeedTypeType0Item] | None | Unset = UNSET,
    referral_id: None | Unset | UUID = UNSET,
    complaint_id: None | Unset | UUID = UNSET,
    wait: int | Unset = 0,
    x_access_reason: None | str | Unset = UNSET,
) -> FeedPage | Problem | None:
    """The event feed (reconcile with the webhooks)

     Every timeline event your key may see, in event id order, each with the body its webhook delivery
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

    Args:
        after (None | str | Unset): A `next_cursor` (or an item's `cursor`); none: from the start.
        limit (int | Unset): At most this many events (1-1000). Default: 100.
        type_ (list[EventsFeedTypeType0Item] | None | Unset): Only these event types (repeat the
            parameter).
        referral_id (None | Unset | UUID): Only this referral's events.
        complaint_id (None | Unset | UUID): Only this complaint's events (its own and its
            referrals').
        wait (int | Unset): Long poll: when nothing is new, wait up to this many seconds for an
            event. Default: 0.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FeedPage | Problem
    """

    return sync_detailed(
        client=client,
        after=after,
        limit=limit,
        type_=type_,
        referral_id=referral_id,
        complaint_id=complaint_id,
        wait=wait,
        x_access_reason=x_access_reason,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    type_: list[EventsFeedTypeType0Item] | None | Unset = UNSET,
    referral_id: None | Unset | UUID = UNSET,
    complaint_id: None | Unset | UUID = UNSET,
    wait: int | Unset = 0,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[FeedPage | Problem]:
    """The event feed (reconcile with the webhooks)

     Every timeline event your key may see, in event id order, each with the body its webhook delivery
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

    Args:
        after (None | str | Unset): A `next_cursor` (or an item's `cursor`); none: from the start.
        limit (int | Unset): At most this many events (1-1000). Default: 100.
        type_ (list[EventsFeedTypeType0Item] | None | Unset): Only these event types (repeat the
            parameter).
        referral_id (None | Unset | UUID): Only this referral's events.
        complaint_id (None | Unset | UUID): Only this complaint's events (its own and its
            referrals').
        wait (int | Unset): Long poll: when nothing is new, wait up to this many seconds for an
            event. Default: 0.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FeedPage | Problem]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        type_=type_,
        referral_id=referral_id,
        complaint_id=complaint_id,
        wait=wait,
        x_access_reason=x_access_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    type_: list[EventsFeedTypeType0Item] | None | Unset = UNSET,
    referral_id: None | Unset | UUID = UNSET,
    complaint_id: None | Unset | UUID = UNSET,
    wait: int | Unset = 0,
    x_access_reason: None | str | Unset = UNSET,
) -> FeedPage | Problem | None:
    """The event feed (reconcile with the webhooks)

     Every timeline event your key may see, in event id order, each with the body its webhook delivery
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

    Args:
        after (None | str | Unset): A `next_cursor` (or an item's `cursor`); none: from the start.
        limit (int | Unset): At most this many events (1-1000). Default: 100.
        type_ (list[EventsFeedTypeType0Item] | None | Unset): Only these event types (repeat the
            parameter).
        referral_id (None | Unset | UUID): Only this referral's events.
        complaint_id (None | Unset | UUID): Only this complaint's events (its own and its
            referrals').
        wait (int | Unset): Long poll: when nothing is new, wait up to this many seconds for an
            event. Default: 0.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FeedPage | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            after=after,
            limit=limit,
            type_=type_,
            referral_id=referral_id,
            complaint_id=complaint_id,
            wait=wait,
            x_access_reason=x_access_reason,
        )
    ).parsed
