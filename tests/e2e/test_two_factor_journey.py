"""Setting up two-factor sign-in at first sign-in, saving recovery codes and using one, and the
lockout page, in a real browser with axe-core on every step."""

import re
from base64 import b32decode

from django_otp.oath import totp

from tests.e2e.conftest import PASSWORD, code_shown_to


def sign_in_with_password(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_new_person_sets_up_two_factor_then_signs_in_with_a_recovery_code(
    page, live_server, make_user, settings, check_accessibility, screenshot
):
    settings.OTP_REQUIRED = True
    make_user("dana", first_name="Dana", last_name="Newcomer", with_authenticator=False)

    sign_in_with_password(page, live_server, "dana")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor sign-in"
    check_accessibility(page)
    # Nothing but the set-up is open yet.
    page.goto(f"{live_server.url}/groups/")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor sign-in"

    page.get_by_role("button", name="Start").click()
    page.wait_for_load_state()
    qr_code = page.get_by_role("img", name="QR code that adds your Group planner account to an authenticator app")
    # Drawn by this server: it loads with every other site out of reach.
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    check_accessibility(page)
    screenshot(page, "two-factor-set-up")
    secret = page.locator("code").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "Two-factor sign-in is on"
    check_accessibility(page)
    page.get_by_role("link", name="Get recovery codes").click()
    page.get_by_role("button", name="Make recovery codes").click()
    page.wait_for_load_state()
    codes = page.get_by_role("list", name="Your recovery codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    check_accessibility(page)
    page.get_by_role("link", name="Account security", exact=True).click()
    assert page.get_by_text("You have 10 unused codes.").is_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    sign_in_with_password(page, live_server, "dana")
    page.get_by_role("button", name="Use a recovery code instead").click()
    page.wait_for_load_state()
    check_accessibility(page)
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    assert re.search(r"Signed in as Dana Newcomer", page.content())
    page.get_by_role("link", name="Account security", exact=True).click()
    assert page.get_by_text("You have 9 unused codes.").is_visible()


def test_a_wrong_code_is_explained(page, live_server, make_user, settings, check_accessibility):
    settings.OTP_REQUIRED = True
    erin = make_user("erin")
    sign_in_with_password(page, live_server, "erin")

    wrong_code = (int(code_shown_to(erin)) + 1) % 1_000_000
    page.get_by_label("Code from your authenticator app").fill(f"{wrong_code:06d}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    assert page.get_by_text("That code is not right.").is_visible()
    assert page.get_by_label("Code from your authenticator app").is_visible()
    check_accessibility(page)


def test_five_wrong_passwords_pause_signing_in(page, live_server, make_user, check_accessibility, screenshot):
    make_user("frank")

    for _ in range(5):
        sign_in_with_password(page, live_server, "frank", password="not-the-password")

    assert page.get_by_role("heading", level=1).inner_text() == "Signing in is paused"
    check_accessibility(page)
    screenshot(page, "sign-in-paused")
