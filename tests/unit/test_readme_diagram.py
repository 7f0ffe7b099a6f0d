from pathlib import Path

from referral_service.referrals.domain import state_diagram_mermaid

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_shows_the_state_diagram_generated_from_the_transition_table():
    expected = "```mermaid\n" + state_diagram_mermaid().rstrip("\n") + "\n```"
    assert expected in README.read_text("utf-8"), (
        "README's state diagram drifted from referrals/domain.py; "
        "paste the output of `referral-service state-diagram` into it."
    )
