from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.webhook_endpoint_create import WebhookEndpointCreate
from ...models.webhook_endpoint_with_secret import WebhookEndpointWithSecret
from ...types import Response


def _get_kwargs(
    *,
    body: WebhookEndpointCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/webhook-endpoints",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WebhookEndpointWithSecret | None:
    if response.status_code == 201:
        response_201 = WebhookEndpointWithSecret.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[Problem | WebhookEndpointWithSecret]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointCreate,
) -> Response[Problem | WebhookEndpointWithSecret]:
    """Subscribe a webhook endpoint

     Subscribe a URL to events. Any key may subscribe; the endpoint receives what that key may see.

    An agency key's endpoint receives only events about referrals forwarded to that agency, with a
    confidential complainant's identity removed, and never complaint-level events. An ombudsman
    key's endpoint receives everything in its region; national ombudsman and admin endpoints receive
    everything. The URL must be `https` and resolve to a public address (422 otherwise).

    The response carries the signing `secret`, shown only here and on rotation. Verify each delivery
    with it as described by Standard Webhooks (see the `webhooks` section of this document).

    Args:
        body (WebhookEndpointCreate): A new webhook subscription. Its scope is that of the key
            creating it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookEndpointWithSecret]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointCreate,
) -> Problem | WebhookEndpointWithSecret | None:
    """Subscribe a webhook endpoint

     Subscribe a URL to events. Any key may subscribe; the endpoint receives what that key may see.

    An agency key's endpoint receives only events about referrals forwarded to that agency, with a
    confidential complainant's identity removed, and never complaint-level events. An ombudsman
    key's endpoint receives everything in its region; national ombudsman and admin endpoints receive
    everything. The URL must be `https` and resolve to a public address (422 otherwise).

    The response carries the signing `secret`, shown only here and on rotation. Verify each delivery
    with it as described by Standard Webhooks (see the `webhooks` section of this document).

    Args:
        body (WebhookEndpointCreate): A new webhook subscription. Its scope is that of the key
            creating it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookEndpointWithSecret
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointCreate,
) -> Response[Problem | WebhookEndpointWithSecret]:
    """Subscribe a webhook endpoint

     Subscribe a URL to events. Any key may subscribe; the endpoint receives what that key may see.

    An agency key's endpoint receives only events about referrals forwarded to that agency, with a
    confidential complainant's identity removed, and never complaint-level events. An ombudsman
    key's endpoint receives everything in its region; national ombudsman and admin endpoints receive
    everything. The URL must be `https` and resolve to a public address (422 otherwise).

    The response carries the signing `secret`, shown only here and on rotation. Verify each delivery
    with it as described by Standard Webhooks (see the `webhooks` section of this document).

    Args:
        body (WebhookEndpointCreate): A new webhook subscription. Its scope is that of the key
            creating it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookEndpointWithSecret]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: WebhookEndpointCreate,
) -> Problem | WebhookEndpointWithSecret | None:
    """Subscribe a webhook endpoint

     Subscribe a URL to events. Any key may subscribe; the endpoint receives what that key may see.

    An agency key's endpoint receives only events about referrals forwarded to that agency, with a
    confidential complainant's identity removed, and never complaint-level events. An ombudsman
    key's endpoint receives everything in its region; national ombudsman and admin endpoints receive
    everything. The URL must be `https` and resolve to a public address (422 otherwise).

    The response carries the signing `secret`, shown only here and on rotation. Verify each delivery
    with it as described by Standard Webhooks (see the `webhooks` section of this document).

    Args:
        body (WebhookEndpointCreate): A new webhook subscription. Its scope is that of the key
            creating it.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookEndpointWithSecret
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
