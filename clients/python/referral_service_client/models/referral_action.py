from enum import StrEnum


class ReferralAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ADD_NOTE = "add_note"
    CLOSE = "close"
    CREATE = "create"
    FORWARD = "forward"
    REQUEST_FOLLOW_UP = "request_follow_up"
    RESPOND = "respond"

    def __str__(self) -> str:
        return str(self.value)
