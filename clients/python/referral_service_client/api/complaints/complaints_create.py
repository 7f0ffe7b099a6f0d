from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.complaint_create import ComplaintCreate
from ...models.complaint_out import ComplaintOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ComplaintCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(x_access_reason, Unset):
        headers["X-Access-Reason"] = x_access_reason

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/complaints",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ComplaintOut | Problem | None:
    if response.status_code == 201:
        response_201 = ComplaintOut.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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
) -> Response[ComplaintOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ComplaintCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[ComplaintOut | Problem]:
    """Record a complaint

     Record a complaint the Ombudsman received. Ombudsman and admin keys.

    Send an `Idempotency-Key` so a retry after a timeout cannot create a second record: the same key
    and body return the first response again (with `Idempotent-Replayed: true`), the same key with a
    different body is refused with 422. A retry sent while the first is still running gets the first's
    response once it has finished, or a 409 asking to retry.
    A region-limited key may only create complaints in its region (403 otherwise).

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same body
            returns the first response again. Keys are scoped to your API key and kept for 48 hours.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (ComplaintCreate): A new complaint, as the Ombudsman records it. Also the shape a
            merge patch must leave behind.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ComplaintOut | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        x_access_reason=x_access_reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ComplaintCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> ComplaintOut | Problem | None:
    """Record a complaint

     Record a complaint the Ombudsman received. Ombudsman and admin keys.

    Send an `Idempotency-Key` so a retry after a timeout cannot create a second record: the same key
    and body return the first response again (with `Idempotent-Replayed: true`), the same key with a
    different body is refused with 422. A retry sent while the first is still running gets the first's
    response once it has finished, or a 409 asking to retry.
    A region-limited key may only create complaints in its region (403 otherwise).

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same body
            returns the first response again. Keys are scoped to your API key and kept for 48 hours.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (ComplaintCreate): A new complaint, as the Ombudsman records it. Also the shape a
            merge patch must leave behind.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ComplaintOut | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
        x_access_reason=x_access_reason,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ComplaintCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[ComplaintOut | Problem]:
    """Record a complaint

     Record a complaint the Ombudsman received. Ombudsman and admin keys.

    Send an `Idempotency-Key` so a retry after a timeout cannot create a second record: the same key
    and body return the first response again (with `Idempotent-Replayed: true`), the same key with a
    different body is refused with 422. A retry sent while the first is still running gets the first's
    response once it has finished, or a 409 asking to retry.
    A region-limited key may only create complaints in its region (403 otherwise).

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same body
            returns the first response again. Keys are scoped to your API key and kept for 48 hours.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (ComplaintCreate): A new complaint, as the Ombudsman records it. Also the shape a
            merge patch must leave behind.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ComplaintOut | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        x_access_reason=x_access_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ComplaintCreate,
    idempotency_key: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> ComplaintOut | Problem | None:
    """Record a complaint

     Record a complaint the Ombudsman received. Ombudsman and admin keys.

    Send an `Idempotency-Key` so a retry after a timeout cannot create a second record: the same key
    and body return the first response again (with `Idempotent-Replayed: true`), the same key with a
    different body is refused with 422. A retry sent while the first is still running gets the first's
    response once it has finished, or a 409 asking to retry.
    A region-limited key may only create complaints in its region (403 otherwise).

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same body
            returns the first response again. Keys are scoped to your API key and kept for 48 hours.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (ComplaintCreate): A new complaint, as the Ombudsman records it. Also the shape a
            merge patch must leave behind.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ComplaintOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
            x_access_reason=x_access_reason,
        )
    ).parsed
