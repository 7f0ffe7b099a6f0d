from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.calendar_out import CalendarOut
from ...models.problem import Problem
from ...types import UNSET, Response


def _get_kwargs(
    *,
    year: int,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["year"] = year

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/calendar",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CalendarOut | Problem | None:
    if response.status_code == 200:
        response_200 = CalendarOut.from_dict(response.json())

        return response_200

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
) -> Response[CalendarOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    year: int,
) -> Response[CalendarOut | Problem]:
    """Non-working days of a year

     The non-working days of one year that deadlines skip, besides Saturdays and Sundays:
    national holidays (`public`) and cuti bersama (`cuti_bersama`) from the national calendar,
    and days added by an administrator (`override`). A national holiday an administrator declared
    a working day stays listed with `declared_working: true`. Any authenticated key.

    Args:
        year (int): Calendar year, e.g. 2026.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CalendarOut | Problem]
    """

    kwargs = _get_kwargs(
        year=year,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    year: int,
) -> CalendarOut | Problem | None:
    """Non-working days of a year

     The non-working days of one year that deadlines skip, besides Saturdays and Sundays:
    national holidays (`public`) and cuti bersama (`cuti_bersama`) from the national calendar,
    and days added by an administrator (`override`). A national holiday an administrator declared
    a working day stays listed with `declared_working: true`. Any authenticated key.

    Args:
        year (int): Calendar year, e.g. 2026.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CalendarOut | Problem
    """

    return sync_detailed(
        client=client,
        year=year,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    year: int,
) -> Response[CalendarOut | Problem]:
    """Non-working days of a year

     The non-working days of one year that deadlines skip, besides Saturdays and Sundays:
    national holidays (`public`) and cuti bersama (`cuti_bersama`) from the national calendar,
    and days added by an administrator (`override`). A national holiday an administrator declared
    a working day stays listed with `declared_working: true`. Any authenticated key.

    Args:
        year (int): Calendar year, e.g. 2026.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CalendarOut | Problem]
    """

    kwargs = _get_kwargs(
        year=year,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    year: int,
) -> CalendarOut | Problem | None:
    """Non-working days of a year

     The non-working days of one year that deadlines skip, besides Saturdays and Sundays:
    national holidays (`public`) and cuti bersama (`cuti_bersama`) from the national calendar,
    and days added by an administrator (`override`). A national holiday an administrator declared
    a working day stays listed with `declared_working: true`. Any authenticated key.

    Args:
        year (int): Calendar year, e.g. 2026.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CalendarOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            year=year,
        )
    ).parsed
