from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    LETTER = "letter"
    OTHER = "other"
    PHONE = "phone"
    SOCIAL_MEDIA = "social_media"
    SP4N_LAPOR = "sp4n_lapor"
    WALK_IN = "walk_in"
    WEB = "web"

    def __str__(self) -> str:
        return str(self.value)
