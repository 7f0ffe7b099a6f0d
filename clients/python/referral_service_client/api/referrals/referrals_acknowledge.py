from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.acknowledge_request import AcknowledgeRequest
from ...models.problem import Problem
from ...models.referral_out import ReferralOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    referral_id: UUID,
    *,
    body: AcknowledgeRequest | None | Unset = UNSET,
    if_match: None | str | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(x_access_reason, Unset):
        headers["X-Access-Reason"] = x_access_reason

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/referrals/{referral_id}/acknowledge".format(
            referral_id=quote(str(referral_id), safe=""),
        ),
    }

    if isinstance(body, AcknowledgeRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ReferralOut | None:
    if response.status_code == 200:
        response_200 = ReferralOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 408:
        response_408 = Problem.from_dict(response.json())

        return response_408

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())

        return response_412

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
) -> Response[Problem | ReferralOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    referral_id: UUID,
    *,
    client: AuthenticatedClient,
    body: AcknowledgeRequest | None | Unset = UNSET,
    if_match: None | str | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[Problem | ReferralOut]:
    """Acknowledge a referral (agency)

     The agency confirms it has the referral, optionally recording its own id in `external_ref`. State
    stays `forwarded`.

    Args:
        referral_id (UUID):
        if_match (None | str | Unset): The referral's ETag; a stale one is refused with 412.
        idempotency_key (None | str | Unset): Makes a retry safe; kept for 48 hours.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (AcknowledgeRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReferralOut]
    """

    kwargs = _get_kwargs(
        referral_id=referral_id,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
        x_access_reason=x_access_reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    referral_id: UUID,
    *,
    client: AuthenticatedClient,
    body: AcknowledgeRequest | None | Unset = UNSET,
    if_match: None | str | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Problem | ReferralOut | None:
    """Acknowledge a referral (agency)

     The agency confirms it has the referral, optionally recording its own id in `external_ref`. State
    stays `forwarded`.

    Args:
        referral_id (UUID):
        if_match (None | str | Unset): The referral's ETag; a stale one is refused with 412.
        idempotency_key (None | str | Unset): Makes a retry safe; kept for 48 hours.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (AcknowledgeRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReferralOut
    """

    return sync_detailed(
        referral_id=referral_id,
        client=client,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
        x_access_reason=x_access_reason,
    ).parsed


async def asyncio_detailed(
    referral_id: UUID,
    *,
    client: AuthenticatedClient,
    body: AcknowledgeRequest | None | Unset = UNSET,
    if_match: None | str | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[Problem | ReferralOut]:
    """Acknowledge a referral (agency)

     The agency confirms it has the referral, optionally recording its own id in `external_ref`. State
    stays `forwarded`.

    Args:
        referral_id (UUID):
        if_match (None | str | Unset): The referral's ETag; a stale one is refused with 412.
        idempotency_key (None | str | Unset): Makes a retry safe; kept for 48 hours.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (AcknowledgeRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReferralOut]
    """

    kwargs = _get_kwargs(
        referral_id=referral_id,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
        x_access_reason=x_access_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    referral_id: UUID,
    *,
    client: AuthenticatedClient,
    body: AcknowledgeRequest | None | Unset = UNSET,
    if_match: None | str | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Problem | ReferralOut | None:
    """Acknowledge a referral (agency)

     The agency confirms it has the referral, optionally recording its own id in `external_ref`. State
    stays `forwarded`.

    Args:
        referral_id (UUID):
        if_match (None | str | Unset): The referral's ETag; a stale one is refused with 412.
        idempotency_key (None | str | Unset): Makes a retry safe; kept for 48 hours.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (AcknowledgeRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReferralOut
    """

    return (
        await asyncio_detailed(
            referral_id=referral_id,
            client=client,
            body=body,
            if_match=if_match,
            idempotency_key=idempotency_key,
            x_access_reason=x_access_reason,
        )
    ).parsed
