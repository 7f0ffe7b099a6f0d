from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.agency_kind import AgencyKind
from ...models.agency_out import AgencyOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    region_code: None | str | Unset = UNSET,
    kind: AgencyKind | None | Unset = UNSET,
    active: bool | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_region_code: None | str | Unset
    if isinstance(region_code, Unset):
        json_region_code = UNSET
    else:
        json_region_code = region_code
    params["region_code"] = json_region_code

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, AgencyKind):
        json_kind = kind.value
    else:
        json_kind = kind
    params["kind"] = json_kind

    json_active: bool | None | Unset
    if isinstance(active, Unset):
        json_active = UNSET
    else:
        json_active = active
    params["active"] = json_active

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/agencies",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | list[AgencyOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = AgencyOut.from_dict(response_200_item_data)

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
) -> Response[Problem | list[AgencyOut]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    region_code: None | str | Unset = UNSET,
    kind: AgencyKind | None | Unset = UNSET,
    active: bool | None | Unset = UNSET,
) -> Response[Problem | list[AgencyOut]]:
    """List the agency directory

     List the agency directory, ordered by code. Any authenticated key may read it.

    Args:
        region_code (None | str | Unset): A region from `GET /v1/regions` and everything below it,
            e.g. `64`.
        kind (AgencyKind | None | Unset):
        active (bool | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[AgencyOut]]
    """

    kwargs = _get_kwargs(
        region_code=region_code,
        kind=kind,
        active=active,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    region_code: None | str | Unset = UNSET,
    kind: AgencyKind | None | Unset = UNSET,
    active: bool | None | Unset = UNSET,
) -> Problem | list[AgencyOut] | None:
    """List the agency directory

     List the agency directory, ordered by code. Any authenticated key may read it.

    Args:
        region_code (None | str | Unset): A region from `GET /v1/regions` and everything below it,
            e.g. `64`.
        kind (AgencyKind | None | Unset):
        active (bool | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[AgencyOut]
    """

    return sync_detailed(
        client=client,
        region_code=region_code,
        kind=kind,
        active=active,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    region_code: None | str | Unset = UNSET,
    kind: AgencyKind | None | Unset = UNSET,
    active: bool | None | Unset = UNSET,
) -> Response[Problem | list[AgencyOut]]:
    """List the agency directory

     List the agency directory, ordered by code. Any authenticated key may read it.

    Args:
        region_code (None | str | Unset): A region from `GET /v1/regions` and everything below it,
            e.g. `64`.
        kind (AgencyKind | None | Unset):
        active (bool | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[AgencyOut]]
    """

    kwargs = _get_kwargs(
        region_code=region_code,
        kind=kind,
        active=active,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    region_code: None | str | Unset = UNSET,
    kind: AgencyKind | None | Unset = UNSET,
    active: bool | None | Unset = UNSET,
) -> Problem | list[AgencyOut] | None:
    """List the agency directory

     List the agency directory, ordered by code. Any authenticated key may read it.

    Args:
        region_code (None | str | Unset): A region from `GET /v1/regions` and everything below it,
            e.g. `64`.
        kind (AgencyKind | None | Unset):
        active (bool | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[AgencyOut]
    """

    return (
        await asyncio_detailed(
            client=client,
            region_code=region_code,
            kind=kind,
            active=active,
        )
    ).parsed
