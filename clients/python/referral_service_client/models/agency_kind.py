from enum import StrEnum


class AgencyKind(StrEnum):
    INSPEKTORAT_KABUPATEN = "inspektorat_kabupaten"
    INSPEKTORAT_KOTA = "inspektorat_kota"
    INSPEKTORAT_PROVINSI = "inspektorat_provinsi"
    OPD = "opd"

    def __str__(self) -> str:
        return str(self.value)
