import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.agency_performance_report import AgencyPerformanceReport
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    from_: datetime.date,
    to: datetime.date,
    region_code: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to = to.isoformat()
    params["to"] = json_to

    json_region_code: None | str | Unset
    if isinstance(region_code, Unset):
        json_region_code = UNSET
    else:
        json_region_code = region_code
    params["region_code"] = json_region_code

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/reports/agency-performance",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AgencyPerformanceReport | Problem | None:
    if response.status_code == 200:
        response_200 = AgencyPerformanceReport.from_dict(response.json())

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
) -> Response[AgencyPerformanceReport | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    from_: datetime.date,
    to: datetime.date,
    region_code: None | str | Unset = UNSET,
) -> Response[AgencyPerformanceReport | Problem]:
    """Agency performance report

     Figures for coordination meetings, one row per agency, for the referrals forwarded in the
    window `from`..`to`: answered, closed, still open, open and overdue, the share answered on
    time, the median working days to the first answer, and follow-ups requested. Every agency in
    scope is listed, with zeros when nothing was forwarded to it.

    Ombudsman and admin keys see every agency (a region-limited key, the agencies of its region);
    an agency key sees its own row only. Send `Accept: text/csv` for a spreadsheet.

    Args:
        from_ (datetime.date): First day of the window (inclusive), agency's local date.
        to (datetime.date): Last day of the window (inclusive), agency's local date.
        region_code (None | str | Unset): Only agencies in this region (from `GET /v1/regions`)
            and below, e.g. `64`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgencyPerformanceReport | Problem]
    """

    kwargs = _get_kwargs(
        from_=from_,
        to=to,
        region_code=region_code,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    from_: datetime.date,
    to: datetime.date,
    region_code: None | str | Unset = UNSET,
) -> AgencyPerformanceReport | Problem | None:
    """Agency performance report

     Figures for coordination meetings, one row per agency, for the referrals forwarded in the
    window `from`..`to`: answered, closed, still open, open and overdue, the share answered on
    time, the median working days to the first answer, and follow-ups requested. Every agency in
    scope is listed, with zeros when nothing was forwarded to it.

    Ombudsman and admin keys see every agency (a region-limited key, the agencies of its region);
    an agency key sees its own row only. Send `Accept: text/csv` for a spreadsheet.

    Args:
        from_ (datetime.date): First day of the window (inclusive), agency's local date.
        to (datetime.date): Last day of the window (inclusive), agency's local date.
        region_code (None | str | Unset): Only agencies in this region (from `GET /v1/regions`)
            and below, e.g. `64`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgencyPerformanceReport | Problem
    """

    return sync_detailed(
        client=client,
        from_=from_,
        to=to,
        region_code=region_code,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    from_: datetime.date,
    to: datetime.date,
    region_code: None | str | Unset = UNSET,
) -> Response[AgencyPerformanceReport | Problem]:
    """Agency performance report

     Figures for coordination meetings, one row per agency, for the referrals forwarded in the
    window `from`..`to`: answered, closed, still open, open and overdue, the share answered on
    time, the median working days to the first answer, and follow-ups requested. Every agency in
    scope is listed, with zeros when nothing was forwarded to it.

    Ombudsman and admin keys see every agency (a region-limited key, the agencies of its region);
    an agency key sees its own row only. Send `Accept: text/csv` for a spreadsheet.

    Args:
        from_ (datetime.date): First day of the window (inclusive), agency's local date.
        to (datetime.date): Last day of the window (inclusive), agency's local date.
        region_code (None | str | Unset): Only agencies in this region (from `GET /v1/regions`)
            and below, e.g. `64`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgencyPerformanceReport | Problem]
    """

    kwargs = _get_kwargs(
        from_=from_,
        to=to,
        region_code=region_code,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    from_: datetime.date,
    to: datetime.date,
    region_code: None | str | Unset = UNSET,
) -> AgencyPerformanceReport | Problem | None:
    """Agency performance report

     Figures for coordination meetings, one row per agency, for the referrals forwarded in the
    window `from`..`to`: answered, closed, still open, open and overdue, the share answered on
    time, the median working days to the first answer, and follow-ups requested. Every agency in
    scope is listed, with zeros when nothing was forwarded to it.

    Ombudsman and admin keys see every agency (a region-limited key, the agencies of its region);
    an agency key sees its own row only. Send `Accept: text/csv` for a spreadsheet.

    Args:
        from_ (datetime.date): First day of the window (inclusive), agency's local date.
        to (datetime.date): Last day of the window (inclusive), agency's local date.
        region_code (None | str | Unset): Only agencies in this region (from `GET /v1/regions`)
            and below, e.g. `64`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgencyPerformanceReport | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            from_=from_,
            to=to,
            region_code=region_code,
        )
    ).parsed
