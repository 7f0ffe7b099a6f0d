from enum import StrEnum


class WebhookEndpointPatchEventTypesType0Item(StrEnum):
    ATTACHMENT_ADDED = "attachment.added"
    COMPLAINT_CREATED = "complaint.created"
    COMPLAINT_ERASED = "complaint.erased"
    COMPLAINT_UPDATED = "complaint.updated"
    REFERRAL_ACKNOWLEDGED = "referral.acknowledged"
    REFERRAL_CLOSED = "referral.closed"
    REFERRAL_CREATED = "referral.created"
    REFERRAL_DUE_DATE_CHANGED = "referral.due_date_changed"
    REFERRAL_DUE_SOON = "referral.due_soon"
    REFERRAL_FOLLOW_UP_REQUESTED = "referral.follow_up_requested"
    REFERRAL_FORWARDED = "referral.forwarded"
    REFERRAL_NOTE_ADDED = "referral.note_added"
    REFERRAL_OVERDUE = "referral.overdue"
    REFERRAL_RESPONDED = "referral.responded"
    WEBHOOK_ENDPOINT_DISABLED = "webhook.endpoint_disabled"
    WEBHOOK_TEST = "webhook.test"

    def __str__(self) -> str:
        return str(self.value)
