from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.referral_out import ReferralOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    referral_id: UUID,
    *,
    x_access_reason: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_access_reason, Unset):
        headers["X-Access-Reason"] = x_access_reason

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/referrals/{referral_id}".format(
            referral_id=quote(str(referral_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ReferralOut | None:
    if response.status_code == 200:
        response_200 = ReferralOut.from_dict(response.json())

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
    x_access_reason: None | str | Unset = UNSET,
) -> Response[Problem | ReferralOut]:
    """Read a referral

     Read one referral with its complaint. The `ETag` header is what transitions accept in `If-Match`.

    Args:
        referral_id (UUID):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReferralOut]
    """

    kwargs = _get_kwargs(
        referral_id=referral_id,
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
    x_access_reason: None | str | Unset = UNSET,
) -> Problem | ReferralOut | None:
    """Read a referral

     Read one referral with its complaint. The `ETag` header is what transitions accept in `If-Match`.

    Args:
        referral_id (UUID):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReferralOut
    """

    return sync_detailed(
        referral_id=referral_id,
        client=client,
        x_access_reason=x_access_reason,
    ).parsed


async def asyncio_detailed(
    referral_id: UUID,
    *,
    client: AuthenticatedClient,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[Problem | ReferralOut]:
    """Read a referral

     Read one referral with its complaint. The `ETag` header is what transitions accept in `If-Match`.

    Args:
        referral_id (UUID):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReferralOut]
    """

    kwargs = _get_kwargs(
        referral_id=referral_id,
        x_access_reason=x_access_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    referral_id: UUID,
    *,
    client: AuthenticatedClient,
    x_access_reason: None | str | Unset = UNSET,
) -> Problem | ReferralOut | None:
    """Read a referral

     Read one referral with its complaint. The `ETag` header is what transitions accept in `If-Match`.

    Args:
        referral_id (UUID):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

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
            x_access_reason=x_access_reason,
        )
    ).parsed
