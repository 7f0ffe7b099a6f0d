from http import HTTPStatus
from io import BytesIO
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    attachment_id: UUID,
    *,
    x_access_reason: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_access_reason, Unset):
        headers["X-Access-Reason"] = x_access_reason

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/attachments/{attachment_id}".format(
            attachment_id=quote(str(attachment_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | File | Problem | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 206:
        response_206 = File(payload=BytesIO(response.content))

        return response_206

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 416:
        response_416 = Problem.from_dict(response.json())

        return response_416

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
) -> Response[Any | File | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    attachment_id: UUID,
    *,
    client: AuthenticatedClient,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[Any | File | Problem]:
    """Download an attachment

     The file, under the same rules as its complaint or referral (404 otherwise; an agency never gets an
    identity document of a confidential complainant). `ETag` is the quoted SHA-256: `If-None-Match`
    gives 304.
    A single `Range` gives 206 (416 if it starts past the end); `If-Range` with another ETag gives the
    whole file.
    Each download of an identity document of a confidential complainant, whole or a range, is recorded
    in the
    identity-read audit (with `X-Access-Reason` if sent).

    Args:
        attachment_id (UUID):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | File | Problem]
    """

    kwargs = _get_kwargs(
        attachment_id=attachment_id,
        x_access_reason=x_access_reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    attachment_id: UUID,
    *,
    client: AuthenticatedClient,
    x_access_reason: None | str | Unset = UNSET,
) -> Any | File | Problem | None:
    """Download an attachment

     The file, under the same rules as its complaint or referral (404 otherwise; an agency never gets an
    identity document of a confidential complainant). `ETag` is the quoted SHA-256: `If-None-Match`
    gives 304.
    A single `Range` gives 206 (416 if it starts past the end); `If-Range` with another ETag gives the
    whole file.
    Each download of an identity document of a confidential complainant, whole or a range, is recorded
    in the
    identity-read audit (with `X-Access-Reason` if sent).

    Args:
        attachment_id (UUID):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | File | Problem
    """

    return sync_detailed(
        attachment_id=attachment_id,
        client=client,
        x_access_reason=x_access_reason,
    ).parsed


async def asyncio_detailed(
    attachment_id: UUID,
    *,
    client: AuthenticatedClient,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[Any | File | Problem]:
    """Download an attachment

     The file, under the same rules as its complaint or referral (404 otherwise; an agency never gets an
    identity document of a confidential complainant). `ETag` is the quoted SHA-256: `If-None-Match`
    gives 304.
    A single `Range` gives 206 (416 if it starts past the end); `If-Range` with another ETag gives the
    whole file.
    Each download of an identity document of a confidential complainant, whole or a range, is recorded
    in the
    identity-read audit (with `X-Access-Reason` if sent).

    Args:
        attachment_id (UUID):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | File | Problem]
    """

    kwargs = _get_kwargs(
        attachment_id=attachment_id,
        x_access_reason=x_access_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    attachment_id: UUID,
    *,
    client: AuthenticatedClient,
    x_access_reason: None | str | Unset = UNSET,
) -> Any | File | Problem | None:
    """Download an attachment

     The file, under the same rules as its complaint or referral (404 otherwise; an agency never gets an
    identity document of a confidential complainant). `ETag` is the quoted SHA-256: `If-None-Match`
    gives 304.
    A single `Range` gives 206 (416 if it starts past the end); `If-Range` with another ETag gives the
    whole file.
    Each download of an identity document of a confidential complainant, whole or a range, is recorded
    in the
    identity-read audit (with `X-Access-Reason` if sent).

    Args:
        attachment_id (UUID):
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | File | Problem
    """

    return (
        await asyncio_detailed(
            attachment_id=attachment_id,
            client=client,
            x_access_reason=x_access_reason,
        )
    ).parsed
