"""The README and the guides in docs/: links resolve, the Indonesian inbound guide carries the English
guide's code unchanged, and the webhook guide lists every event type the service sends.

(The examples the guides show are run elsewhere: docs/clients.md by tests/contract/test_client_story.py,
docs/inbound.md by tests/integration/test_inbound_story.py, all of them with the README's tour and
docs/walkthrough.md in sequence by tests/contract/test_guides_in_sequence.py; the state diagram is checked by
test_lifecycle_diagram.py and docs/configuration.md by test_configuration_doc.py.)
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

from referral_service.events.catalogue import EVENT_TYPE_NAMES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1", re.S)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.M)
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)


def prose(text: str) -> str:
    """The text without fenced code blocks and inline code spans (their brackets are not links)."""
    return INLINE_CODE.sub("code", FENCE.sub("", text))


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = text.replace("`", "").strip().lower()
    kept = "".join(char for char in text if char in " -_" or unicodedata.category(char)[0] in ("L", "N", "M"))
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in HEADING.findall(FENCE.sub("", page.read_text("utf-8"))):
        anchor = github_anchor(heading)
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def links(page: Path) -> list[str]:
    text = prose(page.read_text("utf-8"))
    return INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I)) or target.startswith("//")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in links(page):
        if is_external(target):
            continue
        path_part, _, fragment = target.partition("#")
        destination = (page.parent / unquote(path_part)).resolve() if path_part else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif fragment and destination.suffix == ".md" and unquote(fragment).lower() not in anchors(destination):
            broken.append(f"{target}: no heading with that anchor in {destination.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)} has broken links:\n" + "\n".join(broken)


def test_link_checker_sees_links_and_anchors() -> None:
    """Guard the guard: the patterns above find what they must, so a green run means something."""
    assert github_anchor("7. From the command line") == "7-from-the-command-line"
    assert github_anchor("Example in Python (`httpx` and `standardwebhooks` only)") == (
        "example-in-python-httpx-and-standardwebhooks-only"
    )
    assert github_anchor("Measured at 100,000 referrals") == "measured-at-100000-referrals"
    readme_links = links(ROOT / "README.md")
    assert "docs/operations.md" in readme_links and "#tests" in readme_links
    assert "tests" in anchors(ROOT / "README.md")


def code_blocks(page: Path) -> list[str]:
    return [match.group(0) for match in FENCE.finditer(page.read_text("utf-8"))]


def test_indonesian_inbound_guide_carries_the_english_guides_code_unchanged() -> None:
    english, indonesian = code_blocks(DOCS / "inbound.md"), code_blocks(DOCS / "inbound.id.md")
    assert english, "docs/inbound.md has no code blocks?"
    assert indonesian == english, (
        "docs/inbound.id.md must hold the same code blocks as docs/inbound.md, in the same order: "
        "translate the prose, copy the code."
    )


def test_webhook_guide_lists_every_event_type() -> None:
    text = (DOCS / "webhooks.md").read_text("utf-8")
    missing = [name for name in EVENT_TYPE_NAMES if f"| `{name}` |" not in text]
    assert not missing, f"docs/webhooks.md's event type table lacks: {missing}"
