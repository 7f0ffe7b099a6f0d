from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.service_index import ServiceIndex
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | ServiceIndex | None:
    if response.status_code == 200:
        response_200 = ServiceIndex.from_dict(response.json())

        return response_200

    if response.status_code == 303:
        response_303 = cast(Any, None)
        return response_303

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Problem | ServiceIndex]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[Any | Problem | ServiceIndex]:
    """The service's index: name, version, links

     The service's name and version, and links to its documentation (`/docs`, `/redoc`,
    `/openapi.json`), probes (`/healthz`, `/readyz`), metrics (`/metrics`) and web pages (`/ui/`).
    No authentication.

    API clients (`Accept: application/json`, `*/*` or none) get this JSON; a browser, whose `Accept`
    prefers `text/html`, is redirected (303) to the web pages at `/ui/`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | ServiceIndex]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> Any | Problem | ServiceIndex | None:
    """The service's index: name, version, links

     The service's name and version, and links to its documentation (`/docs`, `/redoc`,
    `/openapi.json`), probes (`/healthz`, `/readyz`), metrics (`/metrics`) and web pages (`/ui/`).
    No authentication.

    API clients (`Accept: application/json`, `*/*` or none) get this JSON; a browser, whose `Accept`
    prefers `text/html`, is redirected (303) to the web pages at `/ui/`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | ServiceIndex
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[Any | Problem | ServiceIndex]:
    """The service's index: name, version, links

     The service's name and version, and links to its documentation (`/docs`, `/redoc`,
    `/openapi.json`), probes (`/healthz`, `/readyz`), metrics (`/metrics`) and web pages (`/ui/`).
    No authentication.

    API clients (`Accept: application/json`, `*/*` or none) get this JSON; a browser, whose `Accept`
    prefers `text/html`, is redirected (303) to the web pages at `/ui/`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | ServiceIndex]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> Any | Problem | ServiceIndex | None:
    """The service's index: name, version, links

     The service's name and version, and links to its documentation (`/docs`, `/redoc`,
    `/openapi.json`), probes (`/healthz`, `/readyz`), metrics (`/metrics`) and web pages (`/ui/`).
    No authentication.

    API clients (`Accept: application/json`, `*/*` or none) get this JSON; a browser, whose `Accept`
    prefers `text/html`, is redirected (303) to the web pages at `/ui/`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | ServiceIndex
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
