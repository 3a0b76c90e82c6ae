"""Browser journeys: Playwright driving Debian's Chromium (/usr/bin/chromium, headless) against
Django's live server. Playwright's own browser download is not used (and not possible here).

A failing test leaves a full-page screenshot in $LAPOR_TEST_ARTIFACTS (default
test-artifacts/), which CI lists at the end of its run."""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
# one unless told it is safe (it is: the loop is Playwright's, not Django's).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("LAPOR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(os.environ.get("LAPOR_TEST_ARTIFACTS", "test-artifacts"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


# No browser test fetches map tiles from the internet: the tile URL points at a port where
# nothing listens, so every journey also shows that the pages work when tiles cannot load
# (tests/browser/test_maps.py serves tiles locally where it wants them).
DEAD_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


@pytest.fixture(autouse=True)
def _tiles_from_a_dead_port(settings):
    settings.LAPOR_MAP_TILES_URL = DEAD_TILES


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def _context(browser, request, **options):
    context = browser.new_context(locale="id-ID", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception:  # noqa: S110  (a screenshot must not hide the real failure)
            pass
    context.close()


@pytest.fixture
def page(browser, request, live_server):
    """A fresh browser tab at laptop size, Indonesian locale."""
    yield from _context(browser, request, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser, request, live_server):
    """A fresh browser tab at the size of a cheap phone."""
    yield from _context(browser, request, viewport={"width": 390, "height": 844})


@pytest.fixture
def no_js_page(browser, request, live_server):
    """A tab with JavaScript off: the pages must still work."""
    yield from _context(browser, request, java_script_enabled=False)
