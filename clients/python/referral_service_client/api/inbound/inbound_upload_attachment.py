from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.attachment_out import AttachmentOut
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    agency_code: str,
    *,
    body: File,
    contains_identity: bool | Unset = False,
    content_disposition: str,
    content_digest: str | Unset = UNSET,
    webhook_id: str,
    webhook_timestamp: str,
    webhook_signature: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Content-Disposition"] = content_disposition

    if not isinstance(content_digest, Unset):
        headers["Content-Digest"] = content_digest

    headers["webhook-id"] = webhook_id

    headers["webhook-timestamp"] = webhook_timestamp

    headers["webhook-signature"] = webhook_signature

    params: dict[str, Any] = {}

    params["contains_identity"] = contains_identity

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/inbound/{agency_code}/attachments".format(
            agency_code=quote(str(agency_code), safe=""),
        ),
        "params": params,
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | AttachmentOut | Problem | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 201:
        response_201 = AttachmentOut.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | AttachmentOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    agency_code: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    contains_identity: bool | Unset = False,
    content_disposition: str,
    content_digest: str | Unset = UNSET,
    webhook_id: str,
    webhook_timestamp: str,
    webhook_signature: str,
) -> Response[Any | AttachmentOut | Problem]:
    """Upload a document, signed with the agency's inbound secret

     Upload a document from your complaint system, signed the Standard Webhooks way with your agency's
    inbound secret over the file's raw bytes (no API key). It is attached to nothing until an inbound
    push
    names its `id` in `data.attachment_ids` (within 24 hours; unclaimed uploads are then deleted); the
    push
    attaches it to the push's referral. Same types, size limit and `Content-Digest` as the REST uploads.

    Args:
        agency_code (str):
        contains_identity (bool | Unset): The document identifies the complainant (ID card, family
            card...): never shown to an agency while the complainant's identity is confidential.
            Default: False.
        content_disposition (str):
        content_digest (str | Unset):
        webhook_id (str):
        webhook_timestamp (str):
        webhook_signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | AttachmentOut | Problem]
    """

    kwargs = _get_kwargs(
        agency_code=agency_code,
        body=body,
        contains_identity=contains_identity,
        content_disposition=content_disposition,
        content_digest=content_digest,
        webhook_id=webhook_id,
        webhook_timestamp=webhook_timestamp,
        webhook_signature=webhook_signature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    agency_code: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    contains_identity: bool | Unset = False,
    content_disposition: str,
    content_digest: str | Unset = UNSET,
    webhook_id: str,
    webhook_timestamp: str,
    webhook_signature: str,
) -> Any | AttachmentOut | Problem | None:
    """Upload a document, signed with the agency's inbound secret

     Upload a document from your complaint system, signed the Standard Webhooks way with your agency's
    inbound secret over the file's raw bytes (no API key). It is attached to nothing until an inbound
    push
    names its `id` in `data.attachment_ids` (within 24 hours; unclaimed uploads are then deleted); the
    push
    attaches it to the push's referral. Same types, size limit and `Content-Digest` as the REST uploads.

    Args:
        agency_code (str):
        contains_identity (bool | Unset): The document identifies the complainant (ID card, family
            card...): never shown to an agency while the complainant's identity is confidential.
            Default: False.
        content_disposition (str):
        content_digest (str | Unset):
        webhook_id (str):
        webhook_timestamp (str):
        webhook_signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | AttachmentOut | Problem
    """

    return sync_detailed(
        agency_code=agency_code,
        client=client,
        body=body,
        contains_identity=contains_identity,
        content_disposition=content_disposition,
        content_digest=content_digest,
        webhook_id=webhook_id,
        webhook_timestamp=webhook_timestamp,
        webhook_signature=webhook_signature,
    ).parsed


async def asyncio_detailed(
    agency_code: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    contains_identity: bool | Unset = False,
    content_disposition: str,
    content_digest: str | Unset = UNSET,
    webhook_id: str,
    webhook_timestamp: str,
    webhook_signature: str,
) -> Response[Any | AttachmentOut | Problem]:
    """Upload a document, signed with the agency's inbound secret

     Upload a document from your complaint system, signed the Standard Webhooks way with your agency's
    inbound secret over the file's raw bytes (no API key). It is attached to nothing until an inbound
    push
    names its `id` in `data.attachment_ids` (within 24 hours; unclaimed uploads are then deleted); the
    push
    attaches it to the push's referral. Same types, size limit and `Content-Digest` as the REST uploads.

    Args:
        agency_code (str):
        contains_identity (bool | Unset): The document identifies the complainant (ID card, family
            card...): never shown to an agency while the complainant's identity is confidential.
            Default: False.
        content_disposition (str):
        content_digest (str | Unset):
        webhook_id (str):
        webhook_timestamp (str):
        webhook_signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | AttachmentOut | Problem]
    """

    kwargs = _get_kwargs(
        agency_code=agency_code,
        body=body,
        contains_identity=contains_identity,
        content_disposition=content_disposition,
        content_digest=content_digest,
        webhook_id=webhook_id,
        webhook_timestamp=webhook_timestamp,
        webhook_signature=webhook_signature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    agency_code: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    contains_identity: bool | Unset = False,
    content_disposition: str,
    content_digest: str | Unset = UNSET,
    webhook_id: str,
    webhook_timestamp: str,
    webhook_signature: str,
) -> Any | AttachmentOut | Problem | None:
    """Upload a document, signed with the agency's inbound secret

     Upload a document from your complaint system, signed the Standard Webhooks way with your agency's
    inbound secret over the file's raw bytes (no API key). It is attached to nothing until an inbound
    push
    names its `id` in `data.attachment_ids` (within 24 hours; unclaimed uploads are then deleted); the
    push
    attaches it to the push's referral. Same types, size limit and `Content-Digest` as the REST uploads.

    Args:
        agency_code (str):
        contains_identity (bool | Unset): The document identifies the complainant (ID card, family
            card...): never shown to an agency while the complainant's identity is confidential.
            Default: False.
        content_disposition (str):
        content_digest (str | Unset):
        webhook_id (str):
        webhook_timestamp (str):
        webhook_signature (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | AttachmentOut | Problem
    """

    return (
        await asyncio_detailed(
            agency_code=agency_code,
            client=client,
            body=body,
            contains_identity=contains_identity,
            content_disposition=content_disposition,
            content_digest=content_digest,
            webhook_id=webhook_id,
            webhook_timestamp=webhook_timestamp,
            webhook_signature=webhook_signature,
        )
    ).parsed
