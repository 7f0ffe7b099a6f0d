from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.event_out import EventOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    complaint_id: UUID,
    *,
    after_id: int | None | Unset = UNSET,
    limit: int | Unset = 1000,
    x_access_reason: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_access_reason, Unset):
        headers["X-Access-Reason"] = x_access_reason

    params: dict[str, Any] = {}

    json_after_id: int | None | Unset
    if isinstance(after_id, Unset):
        json_after_id = UNSET
    else:
        json_after_id = after_id
    params["after_id"] = json_after_id

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/complaints/{complaint_id}/events".format(
            complaint_id=quote(str(complaint_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | list[EventOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = EventOut.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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
) -> Response[Problem | list[EventOut]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    after_id: int | None | Unset = UNSET,
    limit: int | Unset = 1000,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[Problem | list[EventOut]]:
    """A complaint's whole timeline

     The complaint's whole timeline: its own events and those of every referral, oldest first.

    Args:
        complaint_id (UUID):
        after_id (int | None | Unset): Only events with an `id` greater than this: continue a long
            timeline.
        limit (int | Unset): At most this many events (1-1000). Default: 1000.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[EventOut]]
    """

    kwargs = _get_kwargs(
        complaint_id=complaint_id,
        after_id=after_id,
        limit=limit,
        x_access_reason=x_access_reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    after_id: int | None | Unset = UNSET,
    limit: int | Unset = 1000,
    x_access_reason: None | str | Unset = UNSET,
) -> Problem | list[EventOut] | None:
    """A complaint's whole timeline

     The complaint's whole timeline: its own events and those of every referral, oldest first.

    Args:
        complaint_id (UUID):
        after_id (int | None | Unset): Only events with an `id` greater than this: continue a long
            timeline.
        limit (int | Unset): At most this many events (1-1000). Default: 1000.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[EventOut]
    """

    return sync_detailed(
        complaint_id=complaint_id,
        client=client,
        after_id=after_id,
        limit=limit,
        x_access_reason=x_access_reason,
    ).parsed


async def asyncio_detailed(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    after_id: int | None | Unset = UNSET,
    limit: int | Unset = 1000,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[Problem | list[EventOut]]:
    """A complaint's whole timeline

     The complaint's whole timeline: its own events and those of every referral, oldest first.

    Args:
        complaint_id (UUID):
        after_id (int | None | Unset): Only events with an `id` greater than this: continue a long
            timeline.
        limit (int | Unset): At most this many events (1-1000). Default: 1000.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[EventOut]]
    """

    kwargs = _get_kwargs(
        complaint_id=complaint_id,
        after_id=after_id,
        limit=limit,
        x_access_reason=x_access_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    after_id: int | None | Unset = UNSET,
    limit: int | Unset = 1000,
    x_access_reason: None | str | Unset = UNSET,
) -> Problem | list[EventOut] | None:
    """A complaint's whole timeline

     The complaint's whole timeline: its own events and those of every referral, oldest first.

    Args:
        complaint_id (UUID):
        after_id (int | None | Unset): Only events with an `id` greater than this: continue a long
            timeline.
        limit (int | Unset): At most this many events (1-1000). Default: 1000.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[EventOut]
    """

    return (
        await asyncio_detailed(
            complaint_id=complaint_id,
            client=client,
            after_id=after_id,
            limit=limit,
            x_access_reason=x_access_reason,
        )
    ).parsed
