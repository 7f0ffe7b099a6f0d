from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.page_delivery_out import PageDeliveryOut
from ...models.problem import Problem
from ...models.webhooks_deliveries_status_type_0 import WebhooksDeliveriesStatusType0
from ...types import UNSET, Response, Unset


def _get_kwargs(
    endpoint_id: UUID,
    *,
    status: None | Unset | WebhooksDeliveriesStatusType0 = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, WebhooksDeliveriesStatusType0):
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
        "url": "/v1/webhook-endpoints/{endpoint_id}/deliveries".format(
            endpoint_id=quote(str(endpoint_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageDeliveryOut | Problem | None:
    if response.status_code == 200:
        response_200 = PageDeliveryOut.from_dict(response.json())

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
) -> Response[PageDeliveryOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    endpoint_id: UUID,
    *,
    client: AuthenticatedClient,
    status: None | Unset | WebhooksDeliveriesStatusType0 = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[PageDeliveryOut | Problem]:
    """List an endpoint's deliveries and attempts

     The attempt log, newest delivery first: every attempt's time, duration, response status, the
    first 4 KiB of the response body, and the error if there was no response.

    Args:
        endpoint_id (UUID):
        status (None | Unset | WebhooksDeliveriesStatusType0):
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageDeliveryOut | Problem]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        status=status,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    endpoint_id: UUID,
    *,
    client: AuthenticatedClient,
    status: None | Unset | WebhooksDeliveriesStatusType0 = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> PageDeliveryOut | Problem | None:
    """List an endpoint's deliveries and attempts

     The attempt log, newest delivery first: every attempt's time, duration, response status, the
    first 4 KiB of the response body, and the error if there was no response.

    Args:
        endpoint_id (UUID):
        status (None | Unset | WebhooksDeliveriesStatusType0):
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageDeliveryOut | Problem
    """

    return sync_detailed(
        endpoint_id=endpoint_id,
        client=client,
        status=status,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    endpoint_id: UUID,
    *,
    client: AuthenticatedClient,
    status: None | Unset | WebhooksDeliveriesStatusType0 = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> Response[PageDeliveryOut | Problem]:
    """List an endpoint's deliveries and attempts

     The attempt log, newest delivery first: every attempt's time, duration, response status, the
    first 4 KiB of the response body, and the error if there was no response.

    Args:
        endpoint_id (UUID):
        status (None | Unset | WebhooksDeliveriesStatusType0):
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageDeliveryOut | Problem]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        status=status,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    endpoint_id: UUID,
    *,
    client: AuthenticatedClient,
    status: None | Unset | WebhooksDeliveriesStatusType0 = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
) -> PageDeliveryOut | Problem | None:
    """List an endpoint's deliveries and attempts

     The attempt log, newest delivery first: every attempt's time, duration, response status, the
    first 4 KiB of the response body, and the error if there was no response.

    Args:
        endpoint_id (UUID):
        status (None | Unset | WebhooksDeliveriesStatusType0):
        limit (int | Unset): Page size, 1-100. Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageDeliveryOut | Problem
    """

    return (
        await asyncio_detailed(
            endpoint_id=endpoint_id,
            client=client,
            status=status,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
