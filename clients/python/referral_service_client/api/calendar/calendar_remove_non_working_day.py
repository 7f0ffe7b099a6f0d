import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.calendar_change_out import CalendarChangeOut
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    day: datetime.date,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/calendar/{day}".format(
            day=quote(str(day), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CalendarChangeOut | Problem | None:
    if response.status_code == 200:
        response_200 = CalendarChangeOut.from_dict(response.json())

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
) -> Response[CalendarChangeOut | Problem]:
    """Remove a non-working day

     Remove an administrator's non-working day, or, when the date is a national holiday or cuti
    bersama from the national calendar, declare it a working day (for example a cancelled cuti
    bersama). Admin only. 404 when the date is not listed at all (weekends cannot be declared
    working). Open deadlines move as for `PUT`.

    Args:
        day (datetime.date): ISO date, e.g. `2026-03-25`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CalendarChangeOut | Problem]
    """

    kwargs = _get_kwargs(
        day=day,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    day: datetime.date,
    *,
    client: AuthenticatedClient,
) -> CalendarChangeOut | Problem | None:
    """Remove a non-working day

     Remove an administrator's non-working day, or, when the date is a national holiday or cuti
    bersama from the national calendar, declare it a working day (for example a cancelled cuti
    bersama). Admin only. 404 when the date is not listed at all (weekends cannot be declared
    working). Open deadlines move as for `PUT`.

    Args:
        day (datetime.date): ISO date, e.g. `2026-03-25`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CalendarChangeOut | Problem
    """

    return sync_detailed(
        day=day,
        client=client,
    ).parsed


async def asyncio_detailed(
    day: datetime.date,
    *,
    client: AuthenticatedClient,
) -> Response[CalendarChangeOut | Problem]:
    """Remove a non-working day

     Remove an administrator's non-working day, or, when the date is a national holiday or cuti
    bersama from the national calendar, declare it a working day (for example a cancelled cuti
    bersama). Admin only. 404 when the date is not listed at all (weekends cannot be declared
    working). Open deadlines move as for `PUT`.

    Args:
        day (datetime.date): ISO date, e.g. `2026-03-25`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CalendarChangeOut | Problem]
    """

    kwargs = _get_kwargs(
        day=day,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    day: datetime.date,
    *,
    client: AuthenticatedClient,
) -> CalendarChangeOut | Problem | None:
    """Remove a non-working day

     Remove an administrator's non-working day, or, when the date is a national holiday or cuti
    bersama from the national calendar, declare it a working day (for example a cancelled cuti
    bersama). Admin only. 404 when the date is not listed at all (weekends cannot be declared
    working). Open deadlines move as for `PUT`.

    Args:
        day (datetime.date): ISO date, e.g. `2026-03-25`.

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
        )
    ).parsed
