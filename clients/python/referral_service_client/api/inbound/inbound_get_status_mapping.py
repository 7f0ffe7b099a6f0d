from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.inbound_get_status_mapping_response_inbound_get_status_mapping import (
    InboundGetStatusMappingResponseInboundGetStatusMapping,
)
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    code: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/agencies/{code}/status-mapping".format(
            code=quote(str(code), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> InboundGetStatusMappingResponseInboundGetStatusMapping | Problem | None:
    if response.status_code == 200:
        response_200 = InboundGetStatusMappingResponseInboundGetStatusMapping.from_dict(response.json())

        return response_200

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
) -> Response[InboundGetStatusMappingResponseInboundGetStatusMapping | Problem]:
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
) -> Response[InboundGetStatusMappingResponseInboundGetStatusMapping | Problem]:
    """Read an agency's status mapping

     Read the agency's status mapping: your system's status words and the action each one stands for.
    The agency's own key, Ombudsman keys covering its region, or admin.

    Args:
        code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InboundGetStatusMappingResponseInboundGetStatusMapping | Problem]
    """

    kwargs = _get_kwargs(
        code=code,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    code: str,
    *,
    client: AuthenticatedClient,
) -> InboundGetStatusMappingResponseInboundGetStatusMapping | Problem | None:
    """Read an agency's status mapping

     Read the agency's status mapping: your system's status words and the action each one stands for.
    The agency's own key, Ombudsman keys covering its region, or admin.

    Args:
        code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InboundGetStatusMappingResponseInboundGetStatusMapping | Problem
    """

    return sync_detailed(
        code=code,
        client=client,
    ).parsed


async def asyncio_detailed(
    code: str,
    *,
    client: AuthenticatedClient,
) -> Response[InboundGetStatusMappingResponseInboundGetStatusMapping | Problem]:
    """Read an agency's status mapping

     Read the agency's status mapping: your system's status words and the action each one stands for.
    The agency's own key, Ombudsman keys covering its region, or admin.

    Args:
        code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InboundGetStatusMappingResponseInboundGetStatusMapping | Problem]
    """

    kwargs = _get_kwargs(
        code=code,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    code: str,
    *,
    client: AuthenticatedClient,
) -> InboundGetStatusMappingResponseInboundGetStatusMapping | Problem | None:
    """Read an agency's status mapping

     Read the agency's status mapping: your system's status words and the action each one stands for.
    The agency's own key, Ombudsman keys covering its region, or admin.

    Args:
        code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InboundGetStatusMappingResponseInboundGetStatusMapping | Problem
    """

    return (
        await asyncio_detailed(
            code=code,
            client=client,
        )
    ).parsed
