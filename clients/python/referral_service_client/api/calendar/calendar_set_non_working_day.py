import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.calendar_change_out import CalendarChangeOut
from ...models.non_working_day_in import NonWorkingDayIn
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    day: datetime.date,
    *,
    body: NonWorkingDayIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/calendar/{day}".format(
            day=quote(str(day), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CalendarChangeOut | Problem | None:
    if response.status_code == 200:
        response_200 = CalendarChangeOut.from_dict(response.json())

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

    if response.status_code == 408:
        response_408 = Problem.from_dict(response.json())

        return response_408

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
) -> Response[CalendarChangeOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    day: datetime.date,
    *,
    client: AuthenticatedClient,
    body: NonWorkingDayIn,
) -> Response[CalendarChangeOut | Problem]:
    """Declare a non-working day

     Make a date a non-working day (for example a cuti bersama decreed late), with its name.
    Admin only. Idempotent: repeating it only renames the day.

    Every `forwarded` referral whose deadline window contains the date gets its `due_at`
    recomputed from its deadline start (the forward or the latest follow-up request) in the same
    transaction, and a `referral.due_date_changed` event with `previous_due_at` and `due_at`.

    Args:
        day (datetime.date): ISO date, e.g. `2026-03-25`.
        body (NonWorkingDayIn): Declare a date a non-working day (e.g. an added cuti bersama).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CalendarChangeOut | Problem]
    """

    kwargs = _get_kwargs(
        day=day,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    day: datetime.date,
    *,
    client: AuthenticatedClient,
    body: NonWorkingDayIn,
) -> CalendarChangeOut | Problem | None:
    """Declare a non-working day

     Make a date a non-working day (for example a cuti bersama decreed late), with its name.
    Admin only. Idempotent: repeating it only renames the day.

    Every `forwarded` referral whose deadline window contains the date gets its `due_at`
    recomputed from its deadline start (the forward or the latest follow-up request) in the same
    transaction, and a `referral.due_date_changed` event with `previous_due_at` and `due_at`.

    Args:
        day (datetime.date): ISO date, e.g. `2026-03-25`.
        body (NonWorkingDayIn): Declare a date a non-working day (e.g. an added cuti bersama).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CalendarChangeOut | Problem
    """

    return sync_detailed(
        day=day,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    day: datetime.date,
    *,
    client: AuthenticatedClient,
    body: NonWorkingDayIn,
) -> Response[CalendarChangeOut | Problem]:
    """Declare a non-working day

     Make a date a non-working day (for example a cuti bersama decreed late), with its name.
    Admin only. Idempotent: repeating it only renames the day.

    Every `forwarded` referral whose deadline window contains the date gets its `due_at`
    recomputed from its deadline start (the forward or the latest follow-up request) in the same
    transaction, and a `referral.due_date_changed` event with `previous_due_at` and `due_at`.

    Args:
        day (datetime.date): ISO date, e.g. `2026-03-25`.
        body (NonWorkingDayIn): Declare a date a non-working day (e.g. an added cuti bersama).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CalendarChangeOut | Problem]
    """

    kwargs = _get_kwargs(
        day=day,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    day: datetime.date,
    *,
    client: AuthenticatedClient,
    body: NonWorkingDayIn,
) -> CalendarChangeOut | Problem | None:
    """Declare a non-working day

     Make a date a non-working day (for example a cuti bersama decreed late), with its name.
    Admin only. Idempotent: repeating it only renames the day.

    Every `forwarded` referral whose deadline window contains the date gets its `due_at`
    recomputed from its deadline start (the forward or the latest follow-up request) in the same
    transaction, and a `referral.due_date_changed` event with `previous_due_at` and `due_at`.

    Args:
        day (datetime.date): ISO date, e.g. `2026-03-25`.
        body (NonWorkingDayIn): Declare a date a non-working day (e.g. an added cuti bersama).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CalendarChangeOut | Problem
    """

    return (
        await asyncio_detailed(
            day=day,
            client=client,
            body=body,
        )
    ).parsed
