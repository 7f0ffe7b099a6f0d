"""Every table of the schema, gathered so `Base.metadata` is complete for Alembic (migrations/env.py) and
the schema tests. Nothing at run time imports it: the service reaches its tables through SQL in each
feature's repository; the models are the schema's description, kept beside their features."""

from referral_service.agencies.models import Agency
from referral_service.audit.models import IdentityRead
from referral_service.auth.models import ApiKey
from referral_service.calendar_admin.models import CalendarOverride
from referral_service.complaints.models import Complaint
from referral_service.db.base import Base
from referral_service.events.models import Event, EventFeedEntry
from referral_service.idempotency import IdempotencyRecord
from referral_service.inbound.models import InboundEvent, InboundSecret, StatusMapping
from referral_service.referrals.models import Referral
from referral_service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage

__all__ = [
    "Agency",
    "ApiKey",
    "Base",
    "CalendarOverride",
    "Complaint",
    "Event",
    "EventFeedEntry",
    "IdempotencyRecord",
    "IdentityRead",
    "InboundEvent",
    "InboundSecret",
    "Referral",
    "StatusMapping",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookMessage",
]
