from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.recover_request import RecoverRequest
from ...models.recover_result import RecoverResult
from ...types import Response


def _get_kwargs(
    endpoint_id: UUID,
    *,
    body: RecoverRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/webhook-endpoints/{endpoint_id}/recover".format(
            endpoint_id=quote(str(endpoint_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | RecoverResult | None:
    if response.status_code == 202:
        response_202 = RecoverResult.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 408:
        response_408 = Problem.from_dict(response.json())

        return response_408

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[Problem | RecoverResult]:
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
    body: RecoverRequest,
) -> Response[Problem | RecoverResult]:
    """Re-queue failed deliveries

     Re-queue every delivery to this endpoint that failed and was created in `[since, until)`, for one
    more attempt each, in their original order per referral. Typically used after an outage.

    Args:
        endpoint_id (UUID):
        body (RecoverRequest): Re-queue failed deliveries of a time window, e.g. after an outage
            of the receiver.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RecoverResult]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    endpoint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: RecoverRequest,
) -> Problem | RecoverResult | None:
    """Re-queue failed deliveries

     Re-queue every delivery to this endpoint that failed and was created in `[since, until)`, for one
    more attempt each, in their original order per referral. Typically used after an outage.

    Args:
        endpoint_id (UUID):
        body (RecoverRequest): Re-queue failed deliveries of a time window, e.g. after an outage
            of the receiver.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RecoverResult
    """

    return sync_detailed(
        endpoint_id=endpoint_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    endpoint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: RecoverRequest,
) -> Response[Problem | RecoverResult]:
    """Re-queue failed deliveries

     Re-queue every delivery to this endpoint that failed and was created in `[since, until)`, for one
    more attempt each, in their original order per referral. Typically used after an outage.

    Args:
        endpoint_id (UUID):
        body (RecoverRequest): Re-queue failed deliveries of a time window, e.g. after an outage
            of the receiver.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RecoverResult]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    endpoint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: RecoverRequest,
) -> Problem | RecoverResult | None:
    """Re-queue failed deliveries

     Re-queue every delivery to this endpoint that failed and was created in `[since, until)`, for one
    more attempt each, in their original order per referral. Typically used after an outage.

    Args:
        endpoint_id (UUID):
        body (RecoverRequest): Re-queue failed deliveries of a time window, e.g. after an outage
            of the receiver.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RecoverResult
    """

    return (
        await asyncio_detailed(
            endpoint_id=endpoint_id,
            client=client,
            body=body,
        )
    ).parsed
