from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.inbound_accepted import InboundAccepted
from ...models.inbound_push_event_acknowledged_event import InboundPushEventAcknowledgedEvent
from ...models.inbound_push_event_note_added_event import InboundPushEventNoteAddedEvent
from ...models.inbound_push_event_responded_event import InboundPushEventRespondedEvent
from ...models.inbound_push_event_status_changed_event import InboundPushEventStatusChangedEvent
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    agency_code: str,
    *,
    body: InboundPushEventAcknowledgedEvent
    | InboundPushEventNoteAddedEvent
    | InboundPushEventRespondedEvent
    | InboundPushEventStatusChangedEvent,
    webhook_id: str,
    webhook_timestamp: str,
    webhook_signature: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["webhook-id"] = webhook_id

    headers["webhook-timestamp"] = webhook_timestamp

    headers["webhook-signature"] = webhook_signature

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/inbound/{agency_code}/events".format(
            agency_code=quote(str(agency_code), safe=""),
        ),
    }

    if isinstance(body, InboundPushEventAcknowledgedEvent):
        _kwargs["json"] = body.to_dict()
    elif isinstance(body, InboundPushEventNoteAddedEvent):
        _kwargs["json"] = body.to_dict()
    elif isinstance(body, InboundPushEventRespondedEvent):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> InboundAccepted | Problem | None:
    if response.status_code == 200:
        response_200 = InboundAccepted.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[InboundAccepted | Problem]:
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
    body: InboundPushEventAcknowledgedEvent
    | InboundPushEventNoteAddedEvent
    | InboundPushEventRespondedEvent
    | InboundPushEventStatusChangedEvent,
    webhook_id: str,
    webhook_timestamp: str,
    webhook_signature: str,
) -> Response[InboundAccepted | Problem]:
    """Push a status change (signed, from a regional system)

     Push a status change from your complaint system, signed the Standard Webhooks way with your
    agency's inbound secret. No API key: the signature is the authentication.

    The push has exactly the effect of the same action through the REST API with your agency's key
    (same state change, timeline event with `via: inbound_webhook`, same outbound webhooks):
    `referral.acknowledged`, `referral.note_added`, `referral.responded`, or `referral.status_changed`
    with your own status word, translated by your status mapping. Name the referral by `referral_id`
    or by your `external_ref`.

    Every push gets a definite answer and is kept in `GET /v1/agencies/{code}/inbound-events` with its
    reason. Retrying with the same `webhook-id` is always safe: it returns the first answer again.

    Args:
        agency_code (str):
        webhook_id (str):
        webhook_timestamp (str):
        webhook_signature (str):
        body (InboundPushEventAcknowledgedEvent | InboundPushEventNoteAddedEvent |
            InboundPushEventRespondedEvent | InboundPushEventStatusChangedEvent):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InboundAccepted | Problem]
    """

    kwargs = _get_kwargs(
        agency_code=agency_code,
        body=body,
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
    body: InboundPushEventAcknowledgedEvent
    | InboundPushEventNoteAddedEvent
    | InboundPushEventRespondedEvent
    | InboundPushEventStatusChangedEvent,
    webhook_id: str,
    webhook_timestamp: str,
    webhook_signature: str,
) -> InboundAccepted | Problem | None:
    """Push a status change (signed, from a regional system)

     Push a status change from your complaint system, signed the Standard Webhooks way with your
    agency's inbound secret. No API key: the signature is the authentication.

    The push has exactly the effect of the same action through the REST API with your agency's key
    (same state change, timeline event with `via: inbound_webhook`, same outbound webhooks):
    `referral.acknowledged`, `referral.note_added`, `referral.responded`, or `referral.status_changed`
    with your own status word, translated by your status mapping. Name the referral by `referral_id`
    or by your `external_ref`.

    Every push gets a definite answer and is kept in `GET /v1/agencies/{code}/inbound-events` with its
    reason. Retrying with the same `webhook-id` is always safe: it returns the first answer again.

    Args:
        agency_code (str):
        webhook_id (str):
        webhook_timestamp (str):
        webhook_signature (str):
        body (InboundPushEventAcknowledgedEvent | InboundPushEventNoteAddedEvent |
            InboundPushEventRespondedEvent | InboundPushEventStatusChangedEvent):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InboundAccepted | Problem
    """

    return sync_detailed(
        agency_code=agency_code,
        client=client,
        body=body,
        webhook_id=webhook_id,
        webhook_timestamp=webhook_timestamp,
        webhook_signature=webhook_signature,
    ).parsed


async def asyncio_detailed(
    agency_code: str,
    *,
    client: AuthenticatedClient | Client,
    body: InboundPushEventAcknowledgedEvent
    | InboundPushEventNoteAddedEvent
    | InboundPushEventRespondedEvent
    | InboundPushEventStatusChangedEvent,
    webhook_id: str,
    webhook_timestamp: str,
    webhook_signature: str,
) -> Response[InboundAccepted | Problem]:
    """Push a status change (signed, from a regional system)

     Push a status change from your complaint system, signed the Standard Webhooks way with your
    agency's inbound secret. No API key: the signature is the authentication.

    The push has exactly the effect of the same action through the REST API with your agency's key
    (same state change, timeline event with `via: inbound_webhook`, same outbound webhooks):
    `referral.acknowledged`, `referral.note_added`, `referral.responded`, or `referral.status_changed`
    with your own status word, translated by your status mapping. Name the referral by `referral_id`
    or by your `external_ref`.

    Every push gets a definite answer and is kept in `GET /v1/agencies/{code}/inbound-events` with its
    reason. Retrying with the same `webhook-id` is always safe: it returns the first answer again.

    Args:
        agency_code (str):
        webhook_id (str):
        webhook_timestamp (str):
        webhook_signature (str):
        body (InboundPushEventAcknowledgedEvent | InboundPushEventNoteAddedEvent |
            InboundPushEventRespondedEvent | InboundPushEventStatusChangedEvent):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InboundAccepted | Problem]
    """

    kwargs = _get_kwargs(
        agency_code=agency_code,
        body=body,
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
    body: InboundPushEventAcknowledgedEvent
    | InboundPushEventNoteAddedEvent
    | InboundPushEventRespondedEvent
    | InboundPushEventStatusChangedEvent,
    webhook_id: str,
    webhook_timestamp: str,
    webhook_signature: str,
) -> InboundAccepted | Problem | None:
    """Push a status change (signed, from a regional system)

     Push a status change from your complaint system, signed the Standard Webhooks way with your
    agency's inbound secret. No API key: the signature is the authentication.

    The push has exactly the effect of the same action through the REST API with your agency's key
    (same state change, timeline event with `via: inbound_webhook`, same outbound webhooks):
    `referral.acknowledged`, `referral.note_added`, `referral.responded`, or `referral.status_changed`
    with your own status word, translated by your status mapping. Name the referral by `referral_id`
    or by your `external_ref`.

    Every push gets a definite answer and is kept in `GET /v1/agencies/{code}/inbound-events` with its
    reason. Retrying with the same `webhook-id` is always safe: it returns the first answer again.

    Args:
        agency_code (str):
        webhook_id (str):
        webhook_timestamp (str):
        webhook_signature (str):
        body (InboundPushEventAcknowledgedEvent | InboundPushEventNoteAddedEvent |
            InboundPushEventRespondedEvent | InboundPushEventStatusChangedEvent):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InboundAccepted | Problem
    """

    return (
        await asyncio_detailed(
            agency_code=agency_code,
            client=client,
            body=body,
            webhook_id=webhook_id,
            webhook_timestamp=webhook_timestamp,
            webhook_signature=webhook_signature,
        )
    ).parsed
