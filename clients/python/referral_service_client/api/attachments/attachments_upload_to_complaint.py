from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.attachment_out import AttachmentOut
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    complaint_id: UUID,
    *,
    body: File,
    contains_identity: bool | Unset = False,
    content_disposition: str,
    content_digest: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Content-Disposition"] = content_disposition

    if not isinstance(content_digest, Unset):
        headers["Content-Digest"] = content_digest

    params: dict[str, Any] = {}

    params["contains_identity"] = contains_identity

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/complaints/{complaint_id}/attachments".format(
            complaint_id=quote(str(complaint_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AttachmentOut | Problem | None:
    if response.status_code == 201:
        response_201 = AttachmentOut.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AttachmentOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: File,
    contains_identity: bool | Unset = False,
    content_disposition: str,
    content_digest: str | Unset = UNSET,
) -> Response[AttachmentOut | Problem]:
    """Attach a document to a complaint

     Attach a document to a complaint (Ombudsman and admin keys). Allowed types: PDF, JPEG, PNG, WebP,
    ODT,
    DOCX, XLSX and UTF-8 plain text; the bytes must be of the declared type (422 otherwise, 415 for a
    type not
    allowed). At most `REFERRAL_MAX_UPLOAD_BYTES` (20 MiB by default): 413 as soon as it is passed.

    Args:
        complaint_id (UUID):
        contains_identity (bool | Unset): The document identifies the complainant (ID card, family
            card...): never shown to an agency while the complainant's identity is confidential.
            Default: False.
        content_disposition (str):
        content_digest (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttachmentOut | Problem]
    """

    kwargs = _get_kwargs(
        complaint_id=complaint_id,
        body=body,
        contains_identity=contains_identity,
        content_disposition=content_disposition,
        content_digest=content_digest,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: File,
    contains_identity: bool | Unset = False,
    content_disposition: str,
    content_digest: str | Unset = UNSET,
) -> AttachmentOut | Problem | None:
    """Attach a document to a complaint

     Attach a document to a complaint (Ombudsman and admin keys). Allowed types: PDF, JPEG, PNG, WebP,
    ODT,
    DOCX, XLSX and UTF-8 plain text; the bytes must be of the declared type (422 otherwise, 415 for a
    type not
    allowed). At most `REFERRAL_MAX_UPLOAD_BYTES` (20 MiB by default): 413 as soon as it is passed.

    Args:
        complaint_id (UUID):
        contains_identity (bool | Unset): The document identifies the complainant (ID card, family
            card...): never shown to an agency while the complainant's identity is confidential.
            Default: False.
        content_disposition (str):
        content_digest (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttachmentOut | Problem
    """

    return sync_detailed(
        complaint_id=complaint_id,
        client=client,
        body=body,
        contains_identity=contains_identity,
        content_disposition=content_disposition,
        content_digest=content_digest,
    ).parsed


async def asyncio_detailed(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: File,
    contains_identity: bool | Unset = False,
    content_disposition: str,
    content_digest: str | Unset = UNSET,
) -> Response[AttachmentOut | Problem]:
    """Attach a document to a complaint

     Attach a document to a complaint (Ombudsman and admin keys). Allowed types: PDF, JPEG, PNG, WebP,
    ODT,
    DOCX, XLSX and UTF-8 plain text; the bytes must be of the declared type (422 otherwise, 415 for a
    type not
    allowed). At most `REFERRAL_MAX_UPLOAD_BYTES` (20 MiB by default): 413 as soon as it is passed.

    Args:
        complaint_id (UUID):
        contains_identity (bool | Unset): The document identifies the complainant (ID card, family
            card...): never shown to an agency while the complainant's identity is confidential.
            Default: False.
        content_disposition (str):
        content_digest (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttachmentOut | Problem]
    """

    kwargs = _get_kwargs(
        complaint_id=complaint_id,
        body=body,
        contains_identity=contains_identity,
        content_disposition=content_disposition,
        content_digest=content_digest,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: File,
    contains_identity: bool | Unset = False,
    content_disposition: str,
    content_digest: str | Unset = UNSET,
) -> AttachmentOut | Problem | None:
    """Attach a document to a complaint

     Attach a document to a complaint (Ombudsman and admin keys). Allowed types: PDF, JPEG, PNG, WebP,
    ODT,
    DOCX, XLSX and UTF-8 plain text; the bytes must be of the declared type (422 otherwise, 415 for a
    type not
    allowed). At most `REFERRAL_MAX_UPLOAD_BYTES` (20 MiB by default): 413 as soon as it is passed.

    Args:
        complaint_id (UUID):
        contains_identity (bool | Unset): The document identifies the complainant (ID card, family
            card...): never shown to an agency while the complainant's identity is confidential.
            Default: False.
        content_disposition (str):
        content_digest (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttachmentOut | Problem
    """

    return (
        await asyncio_detailed(
            complaint_id=complaint_id,
            client=client,
            body=body,
            contains_identity=contains_identity,
            content_disposition=content_disposition,
            content_digest=content_digest,
        )
    ).parsed
