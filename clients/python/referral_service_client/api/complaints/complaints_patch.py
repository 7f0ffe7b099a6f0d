from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.complaint_out import ComplaintOut
from ...models.complaint_patch import ComplaintPatch
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    complaint_id: UUID,
    *,
    body: ComplaintPatch,
    if_match: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    if not isinstance(x_access_reason, Unset):
        headers["X-Access-Reason"] = x_access_reason

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/complaints/{complaint_id}".format(
            complaint_id=quote(str(complaint_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/merge-patch+json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ComplaintOut | Problem | None:
    if response.status_code == 200:
        response_200 = ComplaintOut.from_dict(response.json())

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

    if response.status_code == 428:
        response_428 = Problem.from_dict(response.json())

        return response_428

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
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ComplaintPatch,
    if_match: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[ComplaintOut | Problem]:
    """Change a complaint (JSON merge patch)

     Change a complaint with a JSON merge patch. Requires `If-Match` with the current `ETag`:
    without it 428, with a stale one 412. Records a `complaint.updated` event naming the changed fields.

    Args:
        complaint_id (UUID):
        if_match (None | str | Unset): The ETag from your last read.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (ComplaintPatch): A JSON merge patch (RFC 7396) of a complaint: fields present
            replace the recorded value, `null` removes an optional field, absent fields stay as they
            are. The result must be a valid complaint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ComplaintOut | Problem]
    """

    kwargs = _get_kwargs(
        complaint_id=complaint_id,
        body=body,
        if_match=if_match,
        x_access_reason=x_access_reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ComplaintPatch,
    if_match: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> ComplaintOut | Problem | None:
    """Change a complaint (JSON merge patch)

     Change a complaint with a JSON merge patch. Requires `If-Match` with the current `ETag`:
    without it 428, with a stale one 412. Records a `complaint.updated` event naming the changed fields.

    Args:
        complaint_id (UUID):
        if_match (None | str | Unset): The ETag from your last read.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (ComplaintPatch): A JSON merge patch (RFC 7396) of a complaint: fields present
            replace the recorded value, `null` removes an optional field, absent fields stay as they
            are. The result must be a valid complaint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ComplaintOut | Problem
    """

    return sync_detailed(
        complaint_id=complaint_id,
        client=client,
        body=body,
        if_match=if_match,
        x_access_reason=x_access_reason,
    ).parsed


async def asyncio_detailed(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ComplaintPatch,
    if_match: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> Response[ComplaintOut | Problem]:
    """Change a complaint (JSON merge patch)

     Change a complaint with a JSON merge patch. Requires `If-Match` with the current `ETag`:
    without it 428, with a stale one 412. Records a `complaint.updated` event naming the changed fields.

    Args:
        complaint_id (UUID):
        if_match (None | str | Unset): The ETag from your last read.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (ComplaintPatch): A JSON merge patch (RFC 7396) of a complaint: fields present
            replace the recorded value, `null` removes an optional field, absent fields stay as they
            are. The result must be a valid complaint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ComplaintOut | Problem]
    """

    kwargs = _get_kwargs(
        complaint_id=complaint_id,
        body=body,
        if_match=if_match,
        x_access_reason=x_access_reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    complaint_id: UUID,
    *,
    client: AuthenticatedClient,
    body: ComplaintPatch,
    if_match: None | str | Unset = UNSET,
    x_access_reason: None | str | Unset = UNSET,
) -> ComplaintOut | Problem | None:
    """Change a complaint (JSON merge patch)

     Change a complaint with a JSON merge patch. Requires `If-Match` with the current `ETag`:
    without it 428, with a stale one 412. Records a `complaint.updated` event naming the changed fields.

    Args:
        complaint_id (UUID):
        if_match (None | str | Unset): The ETag from your last read.
        x_access_reason (None | str | Unset): Why you read a confidential complainant's identity
            (case number, request...): kept in the identity-read audit. 1-500 characters of letters,
            digits, space and `.,:;()/#'!?@&+_=-`.
        body (ComplaintPatch): A JSON merge patch (RFC 7396) of a complaint: fields present
            replace the recorded value, `null` removes an optional field, absent fields stay as they
            are. The result must be a valid complaint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ComplaintOut | Problem
    """

    return (
        await asyncio_detailed(
            complaint_id=complaint_id,
            client=client,
            body=body,
            if_match=if_match,
            x_access_reason=x_access_reason,
        )
    ).parsed
