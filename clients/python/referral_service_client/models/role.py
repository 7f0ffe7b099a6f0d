from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    AGENCY = "agency"
    OMBUDSMAN = "ombudsman"

    def __str__(self) -> str:
        return str(self.value)
