from enum import StrEnum


class DaySource(StrEnum):
    CUTI_BERSAMA = "cuti_bersama"
    OVERRIDE = "override"
    PUBLIC = "public"

    def __str__(self) -> str:
        return str(self.value)
