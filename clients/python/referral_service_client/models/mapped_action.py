from enum import StrEnum


class MappedAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ADD_NOTE = "add_note"
    RESPOND = "respond"

    def __str__(self) -> str:
        return str(self.value)
