from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.inbound_list_inbound_events_status_type_0 import InboundListInboundEventsStatusType0
from ...models.page_inbound_event_out import PageInboundEventOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    code: str,
    *,
    status: InboundListInboundEventsStatusType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_access_reason, Unset):
        headers["X-Access-Reason"] = x_access_reason

    params: dict[str, Any] = {}

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, InboundListInboundEventsStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/agencies/{code}/inbound-events".format(
            code=quote(str(code), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageInboundEventOut | Problem | None:
    if response.status_code == 200:
        response_200 = PageInboundEventOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[PageInboundEventOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    code: str,
    *,
    client: AuthenticatedClient,
    status: InboundListInboundEventsStatusType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[PageInboundEventOut | Problem]:
    """List an agency's inbound pushes

     Every push this agency sent, newest first, with what became of it and why: the place to look
    when an update did not apply. The agency's own key, Ombudsman keys covering its region, or admin.

    Pushes whose signature did not verify are listed with their reason and source address but without
    id or body, since nothing unsigned can be trusted; only the latest of them are kept (per source
    address, and separately for addresses your agency has sent verified pushes from), so strangers
    cannot push yours out of view. Pushes for unknown agencies are not kept.

    The answers are shown as they were sent; for an Ombudsman or admin key, one that shows the
    complainant of a complaint whose identity is confidential now is recorded in the identity-read
    audit.

    Args:
        code (str):
        status (InboundListInboundEventsStatusType0 | None | Unset):
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageInboundEventOut | Problem]
    """

    kwargs = _get_kwargs(
        code=code,
        status=status,
        limit=limit,
        cursor=cursor,
        x_access_reason=x_access_reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    code: str,
    *,
    client: AuthenticatedClient,
    status: InboundListInboundEventsStatusType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> PageInboundEventOut | Problem | None:
    """List an agency's inbound pushes

     Every push this agency sent, newest first, with what became of it and why: the place to look
    when an update did not apply. The agency's own key, Ombudsman keys covering its region, or admin.

    Pushes whose signature did not verify are listed with their reason and source address but without
    id or body, since nothing unsigned can be trusted; only the latest of them are kept (per source
    address, and separately for addresses your agency has sent verified pushes from), so strangers
    cannot push yours out of view. Pushes for unknown agencies are not kept.

    The answers are shown as they were sent; for an Ombudsman or admin key, one that shows the
    complainant of a complaint whose identity is confidential now is recorded in the identity-read
    audit.

    Args:
        code (str):
        status (InboundListInboundEventsStatusType0 | None | Unset):
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageInboundEventOut | Problem
    """

    return sync_detailed(
        code=code,
        client=client,
        status=status,
        limit=limit,
        cursor=cursor,
        x_access_reason=x_access_reason,
    ).parsed


async def asyncio_detailed(
    code: str,
    *,
    client: AuthenticatedClient,
    status: InboundListInboundEventsStatusType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[PageInboundEventOut | Problem]:
    """List an agency's inbound pushes

     Every push this agency sent, newest first, with what became of it and why: the place to look
    when an update did not apply. The agency's own key, Ombudsman keys covering its region, or admin.

    Pushes whose signature did not verify are listed with their reason and source address but without
    id or body, since nothing unsigned can be trusted; only the latest of them are kept (per source
    address, and separately for addresses your agency has sent verified pushes from), so strangers
    cannot push yours out of view. Pushes for unknown agencies are not kept.

    The answers are shown as they were sent; for an Ombudsman or admin key, one that shows the
    complainant of a complaint whose identity is confidential now is recorded in the identity-read
    audit.

    Args:
        code (str):
        status (InboundListInboundEventsStatusType0 | None | Unset):
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageInboundEventOut | Problem]
    """

    kwargs = _get_kwargs(
        code=code,
        status=status,
        limit=limit,
        cursor=cursor,
        x_access_reason=x_access_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    code: str,
    *,
    client: AuthenticatedClient,
    status: InboundListInboundEventsStatusType0 | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> PageInboundEventOut | Problem | None:
    """List an agency's inbound pushes

     Every push this agency sent, newest first, with what became of it and why: the place to look
    when an update did not apply. The agency's own key, Ombudsman keys covering its region, or admin.

    Pushes whose signature did not verify are listed with their reason and source address but without
    id or body, since nothing unsigned can be trusted; only the latest of them are kept (per source
    address, and separately for addresses your agency has sent verified pushes from), so strangers
    cannot push yours out of view. Pushes for unknown agencies are not kept.

    The answers are shown as they were sent; for an Ombudsman or admin key, one that shows the
    complainant of a complaint whose identity is confidential now is recorded in the identity-read
    audit.

    Args:
        code (str):
        status (InboundListInboundEventsStatusType0 | None | Unset):
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageInboundEventOut | Problem
    """

    return (
        await asyncio_detailed(
            code=code,
            client=client,
            status=status,
            limit=limit,
            cursor=cursor,
            x_access_reason=x_access_reason,
        )
    ).parsed
