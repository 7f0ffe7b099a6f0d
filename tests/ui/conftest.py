"""Browser tests: the system's Chromium driven by Playwright against a live server.

Never a downloaded browser (`playwright install` is not used): /usr/bin/chromium, installed from
the distribution (.ci/run installs it when missing). Without it these tests skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("REFERRAL_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "ui"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@contextmanager
def launched_chromium() -> Iterator[object]:
    """A headless Chromium, or a skip saying what is missing. Start it after every server and database
    the test needs: Playwright's sync API runs an event loop of its own in this thread while it is
    open, and the database fixtures use asyncio.run, which cannot run inside one."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def chromium(ui_live_server: str) -> Iterator[object]:
    """A headless Chromium for one module, after the live server (see `launched_chromium`)."""
    with launched_chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots of each page, kept after the run (test-artifacts/ is not committed)."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS
