"""Every code a page shows has a name in Bahasa Indonesia and in English: the webhook catalogue's
event types, the reason codes in event data, and every enum the pages print."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from referral_service.auth.roles import Role
from referral_service.complaints.schemas import Category, Channel
from referral_service.events.catalogue import CATALOGUE
from referral_service.events.models import Event
from referral_service.referrals.domain import DueDateChangeReason, ReferralState, Resolution, ResponseOutcome
from referral_service.ui import labels
from referral_service.ui.i18n import LANGUAGES, translate
from referral_service.ui.referral import ACTION_FORMS
from referral_service.ui.texts import MESSAGES


def _via_values() -> list[str]:
    """The channels the events table admits (its CHECK constraint)."""
    check = next(c for c in Event.__table__.constraints if getattr(c, "name", "") and "via" in str(c.name))
    return re.findall(r"'([a-z_]+)'", str(check.sqltext))


CODES: list[tuple[str, list[str]]] = [
    ("event", [event_type.name for event_type in CATALOGUE]),
    ("due_date_reason", [reason.value for reason in DueDateChangeReason]),
    ("state", [state.value for state in ReferralState]),
    ("outcome", [outcome.value for outcome in ResponseOutcome]),
    ("resolution", [resolution.value for resolution in Resolution]),
    ("role", [*(role.value for role in Role), "system"]),
    ("via", _via_values()),
    ("channel", [channel.value for channel in Channel]),
    ("category", [category.value for category in Category]),
]


@pytest.mark.parametrize(("kind", "codes"), CODES, ids=[kind for kind, _ in CODES])
def test_every_code_has_a_name_in_both_languages(kind: str, codes: list[str]) -> None:
    assert codes, kind
    table = labels.TABLES[kind]
    for code in codes:
        assert code in table, f"{kind} {code!r} has no label in ui/labels.py"
        for lang in LANGUAGES:
            name = table[code].get(lang)
            assert name and name != code.replace("_", " "), (kind, code, lang)
    assert not set(table) - set(codes), f"labels for codes that no longer exist: {set(table) - set(codes)}"


def test_the_catalogue_is_walked_whole() -> None:
    assert len(CODES[0][1]) == len(CATALOGUE) >= 16
    assert {"attachment.added", "referral.due_date_changed"} <= set(CODES[0][1])
    assert labels.label("id", "event", "attachment.added") == "Dokumen dilampirkan"
    assert labels.label("en", "due_date_reason", "calendar_changed", date="8 December 2026") == (
        "the working-day calendar was changed (8 December 2026)"
    )


def test_every_page_text_has_both_languages_with_the_same_placeholders() -> None:
    for key, entry in MESSAGES.items():
        assert set(entry) == set(LANGUAGES), key
        fields = [{name for _, name, _, _ in string.Formatter().parse(entry[lang]) if name} for lang in LANGUAGES]
        assert fields[0] == fields[1], key
    assert translate("en", "n_working_days", n=3) == "3 working days"


def test_every_text_the_pages_ask_for_exists() -> None:
    ui = Path(labels.__file__).parent
    sources = [*ui.glob("*.py"), *(ui / "templates").glob("*.html")]
    asked = {key for source in sources for key in re.findall(r"""\bt\(\s*["']([a-z_]+)["']""", source.read_text())}
    assert len(asked) > 50
    # `t("action_" ~ action.value)`: one text per action the referral page has a form for.
    asked = {key for key in asked if key != "action_"} | {f"action_{action.value}" for action in ACTION_FORMS}
    assert not asked - set(MESSAGES), f"texts asked for but missing from ui/texts.py: {asked - set(MESSAGES)}"
