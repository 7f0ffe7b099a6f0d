import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.category import Category
from ...models.channel import Channel
from ...models.page_complaint_out import PageComplaintOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    region_code: None | str | Unset = UNSET,
    category: Category | None | Unset = UNSET,
    channel: Channel | None | Unset = UNSET,
    received_from: datetime.datetime | None | Unset = UNSET,
    received_to: datetime.datetime | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_access_reason, Unset):
        headers["X-Access-Reason"] = x_access_reason

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_region_code: None | str | Unset
    if isinstance(region_code, Unset):
        json_region_code = UNSET
    else:
        json_region_code = region_code
    params["region_code"] = json_region_code

    json_category: None | str | Unset
    if isinstance(category, Unset):
        json_category = UNSET
    elif isinstance(category, Category):
        json_category = category.value
    else:
        json_category = category
    params["category"] = json_category

    json_channel: None | str | Unset
    if isinstance(channel, Unset):
        json_channel = UNSET
    elif isinstance(channel, Channel):
        json_channel = channel.value
    else:
        json_channel = channel
    params["channel"] = json_channel

    json_received_from: None | str | Unset
    if isinstance(received_from, Unset):
        json_received_from = UNSET
    elif isinstance(received_from, datetime.datetime):
        json_received_from = received_from.isoformat()
    else:
        json_received_from = received_from
    params["received_from"] = json_received_from

    json_received_to: None | str | Unset
    if isinstance(received_to, Unset):
        json_received_to = UNSET
    elif isinstance(received_to, datetime.datetime):
        json_received_to = received_to.isoformat()
    else:
        json_received_to = received_to
    params["received_to"] = json_received_to

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/complaints",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageComplaintOut | Problem | None:
    if response.status_code == 200:
        response_200 = PageComplaintOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PageComplaintOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    region_code: None | str | Unset = UNSET,
    category: Category | None | Unset = UNSET,
    channel: Channel | None | Unset = UNSET,
    received_from: datetime.datetime | None | Unset = UNSET,
    received_to: datetime.datetime | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[PageComplaintOut | Problem]:
    """List complaints

     List complaints, newest first, with cursor pagination. Ombudsman and admin keys; a region-limited
    key sees only its region. Rows inserted while you page never make a page skip or repeat a row.

    Args:
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset): `next_cursor` from the previous page.
        region_code (None | str | Unset): A region from `GET /v1/regions` and everything below it.
        category (Category | None | Unset):
        channel (Channel | None | Unset):
        received_from (datetime.datetime | None | Unset): Inclusive lower bound on `received_at`.
        received_to (datetime.datetime | None | Unset): Exclusive upper bound on `received_at`.
        q (None | str | Unset): Words to find in subject and description.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageComplaintOut | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        region_code=region_code,
        category=category,
        channel=channel,
        received_from=received_from,
        received_to=received_to,
        q=q,
        x_access_reason=x_access_reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    region_code: None | str | Unset = UNSET,
    category: Category | None | Unset = UNSET,
    channel: Channel | None | Unset = UNSET,
    received_from: datetime.datetime | None | Unset = UNSET,
    received_to: datetime.datetime | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> PageComplaintOut | Problem | None:
    """List complaints

     List complaints, newest first, with cursor pagination. Ombudsman and admin keys; a region-limited
    key sees only its region. Rows inserted while you page never make a page skip or repeat a row.

    Args:
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset): `next_cursor` from the previous page.
        region_code (None | str | Unset): A region from `GET /v1/regions` and everything below it.
        category (Category | None | Unset):
        channel (Channel | None | Unset):
        received_from (datetime.datetime | None | Unset): Inclusive lower bound on `received_at`.
        received_to (datetime.datetime | None | Unset): Exclusive upper bound on `received_at`.
        q (None | str | Unset): Words to find in subject and description.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageComplaintOut | Problem
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        region_code=region_code,
        category=category,
        channel=channel,
        received_from=received_from,
        received_to=received_to,
        q=q,
        x_access_reason=x_access_reason,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    region_code: None | str | Unset = UNSET,
    category: Category | None | Unset = UNSET,
    channel: Channel | None | Unset = UNSET,
    received_from: datetime.datetime | None | Unset = UNSET,
    received_to: datetime.datetime | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[PageComplaintOut | Problem]:
    """List complaints

     List complaints, newest first, with cursor pagination. Ombudsman and admin keys; a region-limited
    key sees only its region. Rows inserted while you page never make a page skip or repeat a row.

    Args:
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset): `next_cursor` from the previous page.
        region_code (None | str | Unset): A region from `GET /v1/regions` and everything below it.
        category (Category | None | Unset):
        channel (Channel | None | Unset):
        received_from (datetime.datetime | None | Unset): Inclusive lower bound on `received_at`.
        received_to (datetime.datetime | None | Unset): Exclusive upper bound on `received_at`.
        q (None | str | Unset): Words to find in subject and description.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageComplaintOut | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        region_code=region_code,
        category=category,
        channel=channel,
        received_from=received_from,
        received_to=received_to,
        q=q,
        x_access_reason=x_access_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    region_code: None | str | Unset = UNSET,
    category: Category | None | Unset = UNSET,
    channel: Channel | None | Unset = UNSET,
    received_from: datetime.datetime | None | Unset = UNSET,
    received_to: datetime.datetime | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> PageComplaintOut | Problem | None:
    """List complaints

     List complaints, newest first, with cursor pagination. Ombudsman and admin keys; a region-limited
    key sees only its region. Rows inserted while you page never make a page skip or repeat a row.

    Args:
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset): `next_cursor` from the previous page.
        region_code (None | str | Unset): A region from `GET /v1/regions` and everything below it.
        category (Category | None | Unset):
        channel (Channel | None | Unset):
        received_from (datetime.datetime | None | Unset): Inclusive lower bound on `received_at`.
        received_to (datetime.datetime | None | Unset): Exclusive upper bound on `received_at`.
        q (None | str | Unset): Words to find in subject and description.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageComplaintOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            region_code=region_code,
            category=category,
            channel=channel,
            received_from=received_from,
            received_to=received_to,
            q=q,
            x_access_reason=x_access_reason,
        )
    ).parsed
