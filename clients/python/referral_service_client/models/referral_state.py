from enum import StrEnum


class ReferralState(StrEnum):
    CLOSED = "closed"
    FORWARDED = "forwarded"
    RECEIVED = "received"
    RESPONDED = "responded"

    def __str__(self) -> str:
        return str(self.value)
