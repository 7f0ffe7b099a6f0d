from enum import StrEnum


class ResponseOutcome(StrEnum):
    ACTION_TAKEN = "action_taken"
    NOT_COMPETENT = "not_competent"
    NOT_SUBSTANTIATED = "not_substantiated"

    def __str__(self) -> str:
        return str(self.value)
