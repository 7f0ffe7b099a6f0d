from enum import StrEnum


class Category(StrEnum):
    BERPIHAK = "berpihak"
    DISKRIMINASI = "diskriminasi"
    KONFLIK_KEPENTINGAN = "konflik_kepentingan"
    OTHER = "other"
    PENUNDAAN_BERLARUT = "penundaan_berlarut"
    PENYALAHGUNAAN_WEWENANG = "penyalahgunaan_wewenang"
    PENYIMPANGAN_PROSEDUR = "penyimpangan_prosedur"
    PERMINTAAN_IMBALAN = "permintaan_imbalan"
    TIDAK_KOMPETEN = "tidak_kompeten"
    TIDAK_MEMBERIKAN_PELAYANAN = "tidak_memberikan_pelayanan"
    TIDAK_PATUT = "tidak_patut"

    def __str__(self) -> str:
        return str(self.value)
