from pathlib import Path

from referral_service.referrals.domain import state_diagram_mermaid

LIFECYCLE = Path(__file__).resolve().parents[2] / "docs" / "referral-lifecycle.md"


def test_lifecycle_guide_shows_the_state_diagram_generated_from_the_transition_table():
    expected = "```mermaid\n" + state_diagram_mermaid().rstrip("\n") + "\n```"
    assert expected in LIFECYCLE.read_text("utf-8"), (
        "docs/referral-lifecycle.md's state diagram drifted from referrals/domain.py; "
        "paste the output of `referral-service state-diagram` into it."
    )
