import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.identity_read_page import IdentityReadPage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    complaint_id: None | Unset | UUID = UNSET,
    key_id: None | Unset | UUID = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_complaint_id: None | str | Unset
    if isinstance(complaint_id, Unset):
        json_complaint_id = UNSET
    elif isinstance(complaint_id, UUID):
        json_complaint_id = str(complaint_id)
    else:
        json_complaint_id = complaint_id
    params["complaint_id"] = json_complaint_id

    json_key_id: None | str | Unset
    if isinstance(key_id, Unset):
        json_key_id = UNSET
    elif isinstance(key_id, UUID):
        json_key_id = str(key_id)
    else:
        json_key_id = key_id
    params["key_id"] = json_key_id

    json_from_: None | str | Unset
    if isinstance(from_, Unset):
        json_from_ = UNSET
    elif isinstance(from_, datetime.datetime):
        json_from_ = from_.isoformat()
    else:
        json_from_ = from_
    params["from"] = json_from_

    json_to: None | str | Unset
    if isinstance(to, Unset):
        json_to = UNSET
    elif isinstance(to, datetime.datetime):
        json_to = to.isoformat()
    else:
        json_to = to
    params["to"] = json_to

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/audit/identity-reads",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> IdentityReadPage | Problem | None:
    if response.status_code == 200:
        response_200 = IdentityReadPage.from_dict(response.json())

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
) -> Response[IdentityReadPage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    complaint_id: None | Unset | UUID = UNSET,
    key_id: None | Unset | UUID = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[IdentityReadPage | Problem]:
    """Who read confidential identities (admin)

     Who was shown a confidential complainant's identity: one row per complaint per response, newest
    first (admin keys). Rows are append-only: the database refuses to change or delete them.

    Args:
        complaint_id (None | Unset | UUID):
        key_id (None | Unset | UUID):
        from_ (datetime.datetime | None | Unset): Inclusive lower bound on `read_at`.
        to (datetime.datetime | None | Unset): Exclusive upper bound on `read_at`.
        limit (int | Unset): Page size, 1-100. Default: 50.
        cursor (None | str | Unset): `next_cursor` from the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IdentityReadPage | Problem]
    """

    kwargs = _get_kwargs(
        complaint_id=complaint_id,
        key_id=key_id,
        from_=from_,
        to=to,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    complaint_id: None | Unset | UUID = UNSET,
    key_id: None | Unset | UUID = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> IdentityReadPage | Problem | None:
    """Who read confidential identities (admin)

     Who was shown a confidential complainant's identity: one row per complaint per response, newest
    first (admin keys). Rows are append-only: the database refuses to change or delete them.

    Args:
        complaint_id (None | Unset | UUID):
        key_id (None | Unset | UUID):
        from_ (datetime.datetime | None | Unset): Inclusive lower bound on `read_at`.
        to (datetime.datetime | None | Unset): Exclusive upper bound on `read_at`.
        limit (int | Unset): Page size, 1-100. Default: 50.
        cursor (None | str | Unset): `next_cursor` from the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IdentityReadPage | Problem
    """

    return sync_detailed(
        client=client,
        complaint_id=complaint_id,
        key_id=key_id,
        from_=from_,
        to=to,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    complaint_id: None | Unset | UUID = UNSET,
    key_id: None | Unset | UUID = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[IdentityReadPage | Problem]:
    """Who read confidential identities (admin)

     Who was shown a confidential complainant's identity: one row per complaint per response, newest
    first (admin keys). Rows are append-only: the database refuses to change or delete them.

    Args:
        complaint_id (None | Unset | UUID):
        key_id (None | Unset | UUID):
        from_ (datetime.datetime | None | Unset): Inclusive lower bound on `read_at`.
        to (datetime.datetime | None | Unset): Exclusive upper bound on `read_at`.
        limit (int | Unset): Page size, 1-100. Default: 50.
        cursor (None | str | Unset): `next_cursor` from the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IdentityReadPage | Problem]
    """

    kwargs = _get_kwargs(
        complaint_id=complaint_id,
        key_id=key_id,
        from_=from_,
        to=to,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    complaint_id: None | Unset | UUID = UNSET,
    key_id: None | Unset | UUID = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> IdentityReadPage | Problem | None:
    """Who read confidential identities (admin)

     Who was shown a confidential complainant's identity: one row per complaint per response, newest
    first (admin keys). Rows are append-only: the database refuses to change or delete them.

    Args:
        complaint_id (None | Unset | UUID):
        key_id (None | Unset | UUID):
        from_ (datetime.datetime | None | Unset): Inclusive lower bound on `read_at`.
        to (datetime.datetime | None | Unset): Exclusive upper bound on `read_at`.
        limit (int | Unset): Page size, 1-100. Default: 50.
        cursor (None | str | Unset): `next_cursor` from the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IdentityReadPage | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            complaint_id=complaint_id,
            key_id=key_id,
            from_=from_,
            to=to,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
