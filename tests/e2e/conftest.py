"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's live server
(on PostgreSQL under `make test`). Every page a journey visits is checked with axe-core."""

import os
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import UserFactory, give_authenticator

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PASSWORD = "correct-horse-battery"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    "resultTypes": ["violations"],
}

# A phone's screen, in CSS pixels: the narrowest the app is made for.
PHONE_WIDTH = 375
# The smallest touch target, in CSS pixels, each way (WCAG 2.5.5).
TARGET_SIZE = 44

pages_checked: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def allow_orm_beside_playwright():
    # Playwright's sync API keeps an event loop running in the test thread from the first browser
    # test to the end of the run, so Django would refuse the (synchronous, safe) ORM calls of the
    # tests and of the database flush between them. Browser tests run last (see the root
    # conftest), so no other test, and no subprocess such as `check --deploy`, inherits this.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


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
        **browser_context_args, viewport={"width": PHONE_WIDTH, "height": 812}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture(autouse=True)
def content_security_policy_violations(browser, monkeypatch):
    """Fail any browser test during which the browser refused something under the Content
    Security Policy: an inline script or style, or a file from another site. Chromium reports
    each refusal as a console error ("Refused to execute inline script because it violates the
    following Content Security Policy directive..."), so every page of every context the test
    opens is listened to. Yields the console messages; a test that provokes a refusal on
    purpose clears them."""
    messages = []
    open_context = browser.new_context

    def new_context_listening(*args, **kwargs):
        context = open_context(*args, **kwargs)
        context.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
        return context

    monkeypatch.setattr(browser, "new_context", new_context_listening)
    yield messages
    refused = [message for message in messages if "Content Security Policy" in message]
    assert not refused, "The browser refused content under the Content Security Policy:\n" + "\n".join(refused)
    # Chromium warns on every page about a feature in the Permissions-Policy header it does not know.
    unknown = [message for message in messages if "Permissions-Policy" in message]
    assert not unknown, "The browser did not understand the Permissions-Policy header:\n" + "\n".join(unknown)


@pytest.fixture(scope="session")
def axe():
    return Axe()


# Every visible control someone taps, with its size: buttons, links styled as buttons, form fields,
# the menu and page links. A radio or checkbox is tapped by its label, so the label is measured.
# Anything 1 px or smaller is visually hidden (a radio drawn as a button), not a target.
TARGETS_SCRIPT = """() => {
  const controls = document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, a.btn, .page-link, .nav-link, .navbar-toggler');
  const sizes = [];
  for (const control of controls) {
    const choice = control.type === 'radio' || control.type === 'checkbox';
    const target = choice ? control.labels[0] : control;
    if (!target) continue;
    const box = target.getBoundingClientRect();
    const style = getComputedStyle(target);
    if (box.width <= 1 || box.height <= 1 || style.visibility === 'hidden') continue;
    const words = (target.innerText || control.value || control.name || control.id || '').trim();
    sizes.push({what: `${control.tagName.toLowerCase()} "${words.replace(/\\s+/g, ' ').slice(0, 50)}"`,
                width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10});
  }
  return sizes;
}"""


def assert_no_sideways_scroll(page):
    """The page is no wider than the screen: nothing to scroll sideways to."""
    page_width, screen_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page_width <= screen_width, f"{page.url} is {page_width} px wide on a {screen_width} px screen"


def assert_touch_targets(page):
    """Every visible button, form field and link styled as a button is at least 44 x 44 px."""
    small = [
        f"{size['what']} {size['width']} x {size['height']}"
        for size in page.evaluate(TARGETS_SCRIPT)
        if size["width"] < TARGET_SIZE or size["height"] < TARGET_SIZE
    ]
    assert small == [], f"{page.url}: touch targets under {TARGET_SIZE} x {TARGET_SIZE} px:\n" + "\n".join(small)


def assert_fits_a_phone(page):
    assert_no_sideways_scroll(page)
    assert_touch_targets(page)


@pytest.fixture
def check_accessibility(axe):
    """Run axe-core on the page as it is now and fail on any WCAG A/AA violation. On a phone's
    screen, the page must also fit without sideways scrolling and offer 44 px targets."""

    def check(page):
        # After a click the next page may still be loading its stylesheets.
        page.wait_for_load_state("load")
        results = axe.run(page, options=AXE_OPTIONS)
        pages_checked.append(page.url)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        if page.viewport_size and page.viewport_size["width"] <= PHONE_WIDTH:
            assert_fits_a_phone(page)

    return check


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def sign_in(live_server, settings, check_accessibility):
    """Sign in as production does: a password, then the code the person's authenticator app shows."""
    settings.OTP_REQUIRED = True

    def sign_in_as(page, user):
        page.goto(f"{live_server.url}/accounts/login/")
        check_accessibility(page)
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        check_accessibility(page)
        page.get_by_label("Code from your authenticator app").fill(code_shown_to(user))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return sign_in_as


def code_shown_to(user):
    """The code the user's authenticator app shows now. A code is accepted only once, so if
    this one has just been used (the same person signing in twice within 30 seconds), wait for
    the next."""
    device = TOTPDevice.objects.get(user=user, name="default")
    app = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while app.t() <= device.last_t:
        time.sleep(1)
    return f"{app.token():0{device.digits}d}"


@pytest.fixture
def make_user(transactional_db):
    """A user with the shared test password and, unless told otherwise, an authenticator app."""

    def make(username, *, with_authenticator=True, **fields):
        user = UserFactory(username=username, password=PASSWORD, **fields)
        if with_authenticator:
            give_authenticator(user)
        return user

    return make


def pytest_terminal_summary(terminalreporter):
    if pages_checked:
        terminalreporter.write_line(
            f"axe-core: {len(pages_checked)} page views checked ({len(set(pages_checked))} distinct URLs), "
            "WCAG 2.0/2.1/2.2 A and AA"
        )
