from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/metrics",
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Problem | str]:
    """Prometheus metrics

     Prometheus metrics, for a scraper: requests and latency by route template and status class,
    database pool use, the webhook outbox backlog and the age of its oldest delivery, open and overdue
    referrals per agency, inbound pushes by result, and the background jobs run in this process.

    Needs an admin key, or the token in `REFERRAL_METRICS_TOKEN` (as `Authorization: Bearer <token>`)
    when the operator set one. Under `serve --workers N` any process answers for all of them.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Problem | str | None:
    """Prometheus metrics

     Prometheus metrics, for a scraper: requests and latency by route template and status class,
    database pool use, the webhook outbox backlog and the age of its oldest delivery, open and overdue
    referrals per agency, inbound pushes by result, and the background jobs run in this process.

    Needs an admin key, or the token in `REFERRAL_METRICS_TOKEN` (as `Authorization: Bearer <token>`)
    when the operator set one. Under `serve --workers N` any process answers for all of them.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Problem | str]:
    """Prometheus metrics

     Prometheus metrics, for a scraper: requests and latency by route template and status class,
    database pool use, the webhook outbox backlog and the age of its oldest delivery, open and overdue
    referrals per agency, inbound pushes by result, and the background jobs run in this process.

    Needs an admin key, or the token in `REFERRAL_METRICS_TOKEN` (as `Authorization: Bearer <token>`)
    when the operator set one. Under `serve --workers N` any process answers for all of them.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Problem | str | None:
    """Prometheus metrics

     Prometheus metrics, for a scraper: requests and latency by route template and status class,
    database pool use, the webhook outbox backlog and the age of its oldest delivery, open and overdue
    referrals per agency, inbound pushes by result, and the background jobs run in this process.

    Needs an admin key, or the token in `REFERRAL_METRICS_TOKEN` (as `Authorization: Bearer <token>`)
    when the operator set one. Under `serve --workers N` any process answers for all of them.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
