from enum import StrEnum


class InboundListInboundEventsStatusType0(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return str(self.value)
