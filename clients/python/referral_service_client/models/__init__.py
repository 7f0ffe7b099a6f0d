"""Contains all the data models used in inputs/outputs"""

from .acknowledge_request import AcknowledgeRequest
from .actor_out import ActorOut
from .agency_create import AgencyCreate
from .agency_kind import AgencyKind
from .agency_out import AgencyOut
from .agency_performance_report import AgencyPerformanceReport
from .agency_performance_row import AgencyPerformanceRow
from .agency_update import AgencyUpdate
from .api_key_create import ApiKeyCreate
from .api_key_created import ApiKeyCreated
from .api_key_out import ApiKeyOut
from .attachment_announced import AttachmentAnnounced
from .attachment_event_data import AttachmentEventData
from .attachment_event_data_details import AttachmentEventDataDetails
from .attachment_out import AttachmentOut
from .attempt_out import AttemptOut
from .calendar_change_out import CalendarChangeOut
from .calendar_day_out import CalendarDayOut
from .calendar_out import CalendarOut
from .category import Category
from .channel import Channel
from .close_request import CloseRequest
from .complainant import Complainant
from .complainant_out import ComplainantOut
from .complaint_create import ComplaintCreate
from .complaint_event_data import ComplaintEventData
from .complaint_event_data_details import ComplaintEventDataDetails
from .complaint_out import ComplaintOut
from .complaint_out_external_refs_item import ComplaintOutExternalRefsItem
from .complaint_out_reported_party_type_0 import ComplaintOutReportedPartyType0
from .complaint_patch import ComplaintPatch
from .day_source import DaySource
from .delivery_out import DeliveryOut
from .delivery_out_status import DeliveryOutStatus
from .endpoint_disabled_data import EndpointDisabledData
from .endpoint_notice import EndpointNotice
from .endpoint_notice_owner import EndpointNoticeOwner
from .endpoint_owner import EndpointOwner
from .erase_request import EraseRequest
from .event_out import EventOut
from .event_out_data import EventOutData
from .events_feed_type_type_0_item import EventsFeedTypeType0Item
from .external_ref import ExternalRef
from .feed_item import FeedItem
from .feed_item_data import FeedItemData
from .feed_page import FeedPage
from .follow_up_request import FollowUpRequest
from .forward_request import ForwardRequest
from .health_healthz_response_health_healthz import HealthHealthzResponseHealthHealthz
from .identity_read_out import IdentityReadOut
from .identity_read_page import IdentityReadPage
from .inbound_accepted import InboundAccepted
from .inbound_event_out import InboundEventOut
from .inbound_event_out_status import InboundEventOutStatus
from .inbound_get_status_mapping_response_inbound_get_status_mapping import (
    InboundGetStatusMappingResponseInboundGetStatusMapping,
)
from .inbound_list_inbound_events_status_type_0 import InboundListInboundEventsStatusType0
from .inbound_push_event_acknowledged_event import InboundPushEventAcknowledgedEvent
from .inbound_push_event_acknowledged_event_acknowledged_data import InboundPushEventAcknowledgedEventAcknowledgedData
from .inbound_push_event_note_added_event import InboundPushEventNoteAddedEvent
from .inbound_push_event_note_added_event_note_added_data import InboundPushEventNoteAddedEventNoteAddedData
from .inbound_push_event_responded_event import InboundPushEventRespondedEvent
from .inbound_push_event_responded_event_responded_data import InboundPushEventRespondedEventRespondedData
from .inbound_push_event_responded_event_responded_data_response_outcome import (
    InboundPushEventRespondedEventRespondedDataResponseOutcome,
)
from .inbound_push_event_status_changed_event import InboundPushEventStatusChangedEvent
from .inbound_push_event_status_changed_event_status_changed_data import (
    InboundPushEventStatusChangedEventStatusChangedData,
)
from .inbound_push_event_status_changed_event_status_changed_data_response_outcome import (
    InboundPushEventStatusChangedEventStatusChangedDataResponseOutcome,
)
from .inbound_put_status_mapping_body import InboundPutStatusMappingBody
from .inbound_put_status_mapping_response_inbound_put_status_mapping import (
    InboundPutStatusMappingResponseInboundPutStatusMapping,
)
from .inbound_secret_out import InboundSecretOut
from .inbound_secret_request import InboundSecretRequest
from .index_links import IndexLinks
from .mapped_action import MappedAction
from .non_working_day_in import NonWorkingDayIn
from .note_request import NoteRequest
from .page_complaint_out import PageComplaintOut
from .page_delivery_out import PageDeliveryOut
from .page_inbound_event_out import PageInboundEventOut
from .page_referral_out import PageReferralOut
from .problem import Problem
from .problem_errors_item import ProblemErrorsItem
from .queued_delivery import QueuedDelivery
from .recover_request import RecoverRequest
from .recover_result import RecoverResult
from .referral_action import ReferralAction
from .referral_create import ReferralCreate
from .referral_event_data import ReferralEventData
from .referral_event_data_details import ReferralEventDataDetails
from .referral_out import ReferralOut
from .referral_snapshot import ReferralSnapshot
from .referral_state import ReferralState
from .region_kind import RegionKind
from .region_out import RegionOut
from .reported_party import ReportedParty
from .resolution import Resolution
from .respond_request import RespondRequest
from .response_out import ResponseOut
from .response_outcome import ResponseOutcome
from .role import Role
from .rotate_secret import RotateSecret
from .service_index import ServiceIndex
from .status_mapping_entry import StatusMappingEntry
from .test_data import TestData
from .webhook_attachment_added import WebhookAttachmentAdded
from .webhook_complaint_created import WebhookComplaintCreated
from .webhook_complaint_erased import WebhookComplaintErased
from .webhook_complaint_updated import WebhookComplaintUpdated
from .webhook_endpoint_create import WebhookEndpointCreate
from .webhook_endpoint_create_event_types_item import WebhookEndpointCreateEventTypesItem
from .webhook_endpoint_out import WebhookEndpointOut
from .webhook_endpoint_patch import WebhookEndpointPatch
from .webhook_endpoint_patch_event_types_type_0_item import WebhookEndpointPatchEventTypesType0Item
from .webhook_endpoint_with_secret import WebhookEndpointWithSecret
from .webhook_referral_acknowledged import WebhookReferralAcknowledged
from .webhook_referral_closed import WebhookReferralClosed
from .webhook_referral_created import WebhookReferralCreated
from .webhook_referral_due_date_changed import WebhookReferralDueDateChanged
from .webhook_referral_due_soon import WebhookReferralDueSoon
from .webhook_referral_follow_up_requested import WebhookReferralFollowUpRequested
from .webhook_referral_forwarded import WebhookReferralForwarded
from .webhook_referral_note_added import WebhookReferralNoteAdded
from .webhook_referral_overdue import WebhookReferralOverdue
from .webhook_referral_responded import WebhookReferralResponded
from .webhook_webhook_endpoint_disabled import WebhookWebhookEndpointDisabled
from .webhook_webhook_test import WebhookWebhookTest
from .webhooks_deliveries_status_type_0 import WebhooksDeliveriesStatusType0

__all__ = (
    "AcknowledgeRequest",
    "ActorOut",
    "AgencyCreate",
    "AgencyKind",
    "AgencyOut",
    "AgencyPerformanceReport",
    "AgencyPerformanceRow",
    "AgencyUpdate",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyOut",
    "AttachmentAnnounced",
    "AttachmentEventData",
    "AttachmentEventDataDetails",
    "AttachmentOut",
    "AttemptOut",
    "CalendarChangeOut",
    "CalendarDayOut",
    "CalendarOut",
    "Category",
    "Channel",
    "CloseRequest",
    "Complainant",
    "ComplainantOut",
    "ComplaintCreate",
    "ComplaintEventData",
    "ComplaintEventDataDetails",
    "ComplaintOut",
    "ComplaintOutExternalRefsItem",
    "ComplaintOutReportedPartyType0",
    "ComplaintPatch",
    "DaySource",
    "DeliveryOut",
    "DeliveryOutStatus",
    "EndpointDisabledData",
    "EndpointNotice",
    "EndpointNoticeOwner",
    "EndpointOwner",
    "EraseRequest",
    "EventOut",
    "EventOutData",
    "EventsFeedTypeType0Item",
    "ExternalRef",
    "FeedItem",
    "FeedItemData",
    "FeedPage",
    "FollowUpRequest",
    "ForwardRequest",
    "HealthHealthzResponseHealthHealthz",
    "IdentityReadOut",
    "IdentityReadPage",
    "InboundAccepted",
    "InboundEventOut",
    "InboundEventOutStatus",
    "InboundGetStatusMappingResponseInboundGetStatusMapping",
    "InboundListInboundEventsStatusType0",
    "InboundPushEventAcknowledgedEvent",
    "InboundPushEventAcknowledgedEventAcknowledgedData",
    "InboundPushEventNoteAddedEvent",
    "InboundPushEventNoteAddedEventNoteAddedData",
    "InboundPushEventRespondedEvent",
    "InboundPushEventRespondedEventRespondedData",
    "InboundPushEventRespondedEventRespondedDataResponseOutcome",
    "InboundPushEventStatusChangedEvent",
    "InboundPushEventStatusChangedEventStatusChangedData",
    "InboundPushEventStatusChangedEventStatusChangedDataResponseOutcome",
    "InboundPutStatusMappingBody",
    "InboundPutStatusMappingResponseInboundPutStatusMapping",
    "InboundSecretOut",
    "InboundSecretRequest",
    "IndexLinks",
    "MappedAction",
    "NonWorkingDayIn",
    "NoteRequest",
    "PageComplaintOut",
    "PageDeliveryOut",
    "PageInboundEventOut",
    "PageReferralOut",
    "Problem",
    "ProblemErrorsItem",
    "QueuedDelivery",
    "RecoverRequest",
    "RecoverResult",
    "ReferralAction",
    "ReferralCreate",
    "ReferralEventData",
    "ReferralEventDataDetails",
    "ReferralOut",
    "ReferralSnapshot",
    "ReferralState",
    "RegionKind",
    "RegionOut",
    "ReportedParty",
    "Resolution",
    "RespondRequest",
    "ResponseOut",
    "ResponseOutcome",
    "Role",
    "RotateSecret",
    "ServiceIndex",
    "StatusMappingEntry",
    "TestData",
    "WebhookAttachmentAdded",
    "WebhookComplaintCreated",
    "WebhookComplaintErased",
    "WebhookComplaintUpdated",
    "WebhookEndpointCreate",
    "WebhookEndpointCreateEventTypesItem",
    "WebhookEndpointOut",
    "WebhookEndpointPatch",
    "WebhookEndpointPatchEventTypesType0Item",
    "WebhookEndpointWithSecret",
    "WebhookReferralAcknowledged",
    "WebhookReferralClosed",
    "WebhookReferralCreated",
    "WebhookReferralDueDateChanged",
    "WebhookReferralDueSoon",
    "WebhookReferralFollowUpRequested",
    "WebhookReferralForwarded",
    "WebhookReferralNoteAdded",
    "WebhookReferralOverdue",
    "WebhookReferralResponded",
    "WebhooksDeliveriesStatusType0",
    "WebhookWebhookEndpointDisabled",
    "WebhookWebhookTest",
)
