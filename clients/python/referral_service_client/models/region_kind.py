from enum import StrEnum


class RegionKind(StrEnum):
    CITY = "city"
    PROVINCE = "province"
    REGENCY = "regency"

    def __str__(self) -> str:
        return str(self.value)
