import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.page_referral_out import PageReferralOut
from ...models.problem import Problem
from ...models.referral_state import ReferralState
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    state: None | ReferralState | Unset = UNSET,
    agency_code: None | str | Unset = UNSET,
    complaint_id: None | Unset | UUID = UNSET,
    overdue: bool | None | Unset = UNSET,
    due_before: datetime.datetime | None | Unset = UNSET,
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

    json_state: None | str | Unset
    if isinstance(state, Unset):
        json_state = UNSET
    elif isinstance(state, ReferralState):
        json_state = state.value
    else:
        json_state = state
    params["state"] = json_state

    json_agency_code: None | str | Unset
    if isinstance(agency_code, Unset):
        json_agency_code = UNSET
    else:
        json_agency_code = agency_code
    params["agency_code"] = json_agency_code

    json_complaint_id: None | str | Unset
    if isinstance(complaint_id, Unset):
        json_complaint_id = UNSET
    elif isinstance(complaint_id, UUID):
        json_complaint_id = str(complaint_id)
    else:
        json_complaint_id = complaint_id
    params["complaint_id"] = json_complaint_id

    json_overdue: bool | None | Unset
    if isinstance(overdue, Unset):
        json_overdue = UNSET
    else:
        json_overdue = overdue
    params["overdue"] = json_overdue

    json_due_before: None | str | Unset
    if isinstance(due_before, Unset):
        json_due_before = UNSET
    elif isinstance(due_before, datetime.datetime):
        json_due_before = due_before.isoformat()
    else:
        json_due_before = due_before
    params["due_before"] = json_due_before

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/referrals",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageReferralOut | Problem | None:
    if response.status_code == 200:
        response_200 = PageReferralOut.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PageReferralOut | Problem]:
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
    state: None | ReferralState | Unset = UNSET,
    agency_code: None | str | Unset = UNSET,
    complaint_id: None | Unset | UUID = UNSET,
    overdue: bool | None | Unset = UNSET,
    due_before: datetime.datetime | None | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[PageReferralOut | Problem]:
    """List referrals (an agency's work queue)

     List referrals, newest first, with cursor pagination. An agency key sees only referrals forwarded
    to its own agency (its work queue: `?state=forwarded`); a region-limited key only its region.

    Args:
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset): `next_cursor` from the previous page.
        state (None | ReferralState | Unset):
        agency_code (None | str | Unset):
        complaint_id (None | Unset | UUID):
        overdue (bool | None | Unset): Only referrals past `due_at` while still `forwarded`.
        due_before (datetime.datetime | None | Unset): Forwarded referrals due before this
            instant.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageReferralOut | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        state=state,
        agency_code=agency_code,
        complaint_id=complaint_id,
        overdue=overdue,
        due_before=due_before,
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
    state: None | ReferralState | Unset = UNSET,
    agency_code: None | str | Unset = UNSET,
    complaint_id: None | Unset | UUID = UNSET,
    overdue: bool | None | Unset = UNSET,
    due_before: datetime.datetime | None | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> PageReferralOut | Problem | None:
    """List referrals (an agency's work queue)

     List referrals, newest first, with cursor pagination. An agency key sees only referrals forwarded
    to its own agency (its work queue: `?state=forwarded`); a region-limited key only its region.

    Args:
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset): `next_cursor` from the previous page.
        state (None | ReferralState | Unset):
        agency_code (None | str | Unset):
        complaint_id (None | Unset | UUID):
        overdue (bool | None | Unset): Only referrals past `due_at` while still `forwarded`.
        due_before (datetime.datetime | None | Unset): Forwarded referrals due before this
            instant.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageReferralOut | Problem
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        state=state,
        agency_code=agency_code,
        complaint_id=complaint_id,
        overdue=overdue,
        due_before=due_before,
        x_access_reason=x_access_reason,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    state: None | ReferralState | Unset = UNSET,
    agency_code: None | str | Unset = UNSET,
    complaint_id: None | Unset | UUID = UNSET,
    overdue: bool | None | Unset = UNSET,
    due_before: datetime.datetime | None | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[PageReferralOut | Problem]:
    """List referrals (an agency's work queue)

     List referrals, newest first, with cursor pagination. An agency key sees only referrals forwarded
    to its own agency (its work queue: `?state=forwarded`); a region-limited key only its region.

    Args:
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset): `next_cursor` from the previous page.
        state (None | ReferralState | Unset):
        agency_code (None | str | Unset):
        complaint_id (None | Unset | UUID):
        overdue (bool | None | Unset): Only referrals past `due_at` while still `forwarded`.
        due_before (datetime.datetime | None | Unset): Forwarded referrals due before this
            instant.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageReferralOut | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        state=state,
        agency_code=agency_code,
        complaint_id=complaint_id,
        overdue=overdue,
        due_before=due_before,
        x_access_reason=x_access_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    state: None | ReferralState | Unset = UNSET,
    agency_code: None | str | Unset = UNSET,
    complaint_id: None | Unset | UUID = UNSET,
    overdue: bool | None | Unset = UNSET,
    due_before: datetime.datetime | None | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> PageReferralOut | Problem | None:
    """List referrals (an agency's work queue)

     List referrals, newest first, with cursor pagination. An agency key sees only referrals forwarded
    to its own agency (its work queue: `?state=forwarded`); a region-limited key only its region.

    Args:
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset): `next_cursor` from the previous page.
        state (None | ReferralState | Unset):
        agency_code (None | str | Unset):
        complaint_id (None | Unset | UUID):
        overdue (bool | None | Unset): Only referrals past `due_at` while still `forwarded`.
        due_before (datetime.datetime | None | Unset): Forwarded referrals due before this
            instant.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageReferralOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            state=state,
            agency_code=agency_code,
            complaint_id=complaint_id,
            overdue=overdue,
            due_before=due_before,
            x_access_reason=x_access_reason,
        )
    ).parsed
