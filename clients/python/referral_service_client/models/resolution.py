from enum import StrEnum


class Resolution(StrEnum):
    CANCELLED = "cancelled"
    DUPLICATE = "duplicate"
    NOT_COMPETENT = "not_competent"
    NOT_RESOLVED = "not_resolved"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"

    def __str__(self) -> str:
        return str(self.value)
