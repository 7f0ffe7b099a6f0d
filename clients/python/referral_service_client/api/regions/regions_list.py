from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.region_out import RegionOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    parent: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_parent: None | str | Unset
    if isinstance(parent, Unset):
        json_parent = UNSET
    else:
        json_parent = parent
    params["parent"] = json_parent

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/regions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | list[RegionOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = RegionOut.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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
) -> Response[Problem | list[RegionOut]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    parent: None | str | Unset = UNSET,
) -> Response[Problem | list[RegionOut]]:
    """List provinces and regencies/cities

     The provinces, regencies and cities a `region_code` may name, with their Kemendagri codes. Any key.

    Without `parent`: every province, each followed by its regencies and cities, in code order. With
    `parent=64`: the regencies and cities of that province (a province code that is not listed is a
    422). Wherever the API takes a `region_code` (complaints, agencies, API keys, list filters, the
    report) it must be on this list; districts and villages are not listed and their codes are refused
    too. A province's code covers its regencies and cities: a key or filter for `64` includes `64.72`.

    The list is that of Kepmendagri 300.2.2-2138/2025 on regional government codes, as published in
    the npm package idn-area-data 4.0.1. Contains information from idn-area-data
    (https://github.com/fityannugroho/idn-area-data), which is made available here under the Open
    Database License (https://opendatacommons.org/licenses/odbl/1-0/).

    Args:
        parent (None | str | Unset): A province code, e.g. `64`: list only its regencies and
            cities.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[RegionOut]]
    """

    kwargs = _get_kwargs(
        parent=parent,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    parent: None | str | Unset = UNSET,
) -> Problem | list[RegionOut] | None:
    """List provinces and regencies/cities

     The provinces, regencies and cities a `region_code` may name, with their Kemendagri codes. Any key.

    Without `parent`: every province, each followed by its regencies and cities, in code order. With
    `parent=64`: the regencies and cities of that province (a province code that is not listed is a
    422). Wherever the API takes a `region_code` (complaints, agencies, API keys, list filters, the
    report) it must be on this list; districts and villages are not listed and their codes are refused
    too. A province's code covers its regencies and cities: a key or filter for `64` includes `64.72`.

    The list is that of Kepmendagri 300.2.2-2138/2025 on regional government codes, as published in
    the npm package idn-area-data 4.0.1. Contains information from idn-area-data
    (https://github.com/fityannugroho/idn-area-data), which is made available here under the Open
    Database License (https://opendatacommons.org/licenses/odbl/1-0/).

    Args:
        parent (None | str | Unset): A province code, e.g. `64`: list only its regencies and
            cities.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[RegionOut]
    """

    return sync_detailed(
        client=client,
        parent=parent,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    parent: None | str | Unset = UNSET,
) -> Response[Problem | list[RegionOut]]:
    """List provinces and regencies/cities

     The provinces, regencies and cities a `region_code` may name, with their Kemendagri codes. Any key.

    Without `parent`: every province, each followed by its regencies and cities, in code order. With
    `parent=64`: the regencies and cities of that province (a province code that is not listed is a
    422). Wherever the API takes a `region_code` (complaints, agencies, API keys, list filters, the
    report) it must be on this list; districts and villages are not listed and their codes are refused
    too. A province's code covers its regencies and cities: a key or filter for `64` includes `64.72`.

    The list is that of Kepmendagri 300.2.2-2138/2025 on regional government codes, as published in
    the npm package idn-area-data 4.0.1. Contains information from idn-area-data
    (https://github.com/fityannugroho/idn-area-data), which is made available here under the Open
    Database License (https://opendatacommons.org/licenses/odbl/1-0/).

    Args:
        parent (None | str | Unset): A province code, e.g. `64`: list only its regencies and
            cities.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[RegionOut]]
    """

    kwargs = _get_kwargs(
        parent=parent,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    parent: None | str | Unset = UNSET,
) -> Problem | list[RegionOut] | None:
    """List provinces and regencies/cities

     The provinces, regencies and cities a `region_code` may name, with their Kemendagri codes. Any key.

    Without `parent`: every province, each followed by its regencies and cities, in code order. With
    `parent=64`: the regencies and cities of that province (a province code that is not listed is a
    422). Wherever the API takes a `region_code` (complaints, agencies, API keys, list filters, the
    report) it must be on this list; districts and villages are not listed and their codes are refused
    too. A province's code covers its regencies and cities: a key or filter for `64` includes `64.72`.

    The list is that of Kepmendagri 300.2.2-2138/2025 on regional government codes, as published in
    the npm package idn-area-data 4.0.1. Contains information from idn-area-data
    (https://github.com/fityannugroho/idn-area-data), which is made available here under the Open
    Database License (https://opendatacommons.org/licenses/odbl/1-0/).

    Args:
        parent (None | str | Unset): A province code, e.g. `64`: list only its regencies and
            cities.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[RegionOut]
    """

    return (
        await asyncio_detailed(
            client=client,
            parent=parent,
        )
    ).parsed
