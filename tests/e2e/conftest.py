"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's live server
(on PostgreSQL under `make test`). Every page a journey visits is checked with axe-core."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PASSWORD = "correct-horse-battery"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    "resultTypes": ["violations"],
}

# Playwright's sync API runs an event loop in the test thread; the ORM calls in fixtures are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pages_checked: list[str] = []


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browser here, so it drives Debian's.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Bootstrap animates colour changes; axe must judge the colours people settle on, not the
    # frames in between.
    return {**browser_context_args, "reduced_motion": "reduce"}


@pytest.fixture
def phone(browser, browser_context_args):
    """A 375 x 812 touch screen, as a facilitator's phone after a meeting."""
    context = browser.new_context(
        **browser_context_args, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def check_accessibility(axe):
    """Run axe-core on the page as it is now and fail on any WCAG A/AA violation."""

    def check(page):
        # After a click the next page may still be loading its stylesheets.
        page.wait_for_load_state("load")
        results = axe.run(page, options=AXE_OPTIONS)
        pages_checked.append(page.url)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def sign_in(live_server):
    def sign_in_as(page, user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return sign_in_as


@pytest.fixture
def make_user(transactional_db):
    def make(username, **fields):
        return UserFactory(username=username, password=PASSWORD, **fields)

    return make


def pytest_terminal_summary(terminalreporter):
    if pages_checked:
        terminalreporter.write_line(
            f"axe-core: {len(pages_checked)} page views checked ({len(set(pages_checked))} distinct URLs), "
            "WCAG 2.0/2.1/2.2 A and AA"
        )
