"""A forgotten password reset from the emailed link, on a phone; changing one's password, choosing
how reminders come and signing out; an unsubscribe link from an email. axe-core on every page,
and no page wider than the phone's 375 px."""

import re

from django.urls import reverse

from notifications.unsubscribe import unsubscribe_path
from tests.e2e.conftest import PASSWORD, code_shown_to

NEW_PASSWORD = "a brand new passphrase"
# Not "New password confirmation"; crispy marks required fields with an asterisk.
NEW_PASSWORD_FIELD = re.compile(r"^\s*New password\*?\s*$")


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_forgotten_password_is_reset_from_the_email_then_two_factor_is_asked(
    phone, live_server, make_user, settings, mailoutbox, check_accessibility, screenshot
):
    settings.OTP_REQUIRED = True
    settings.SITE_URL = live_server.url
    dana = make_user("dana", first_name="Dana", last_name="Reset", email="dana@example.org")

    phone.goto(f"{live_server.url}/accounts/login/")
    assert fits_the_phone(phone)
    screenshot(phone, "sign-in-help-phone")
    phone.get_by_role("link", name="Reset your password").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", level=1).inner_text() == "Reset your password"
    assert fits_the_phone(phone)
    check_accessibility(phone)
    phone.get_by_label("Your email address").fill("dana@example.org")
    phone.get_by_role("button", name="Email me a link").click()
    phone.wait_for_load_state()

    assert phone.get_by_role("heading", level=1).inner_text() == "Check your email"
    assert fits_the_phone(phone)
    check_accessibility(phone)
    [message] = mailoutbox
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group(0)

    phone.goto(link)
    assert phone.get_by_role("heading", level=1).inner_text() == "Choose a new password"
    assert fits_the_phone(phone)
    check_accessibility(phone)
    screenshot(phone, "password-reset-phone")
    phone.get_by_label(NEW_PASSWORD_FIELD).fill(NEW_PASSWORD)
    phone.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Save my new password").click()
    phone.wait_for_load_state()

    assert phone.get_by_role("heading", level=1).inner_text() == "Your password is changed"
    check_accessibility(phone)
    phone.get_by_role("link", name="Sign in").click()
    phone.get_by_label("Username").fill("dana")
    phone.get_by_label("Password").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_load_state()
    # The new password alone is not enough: the authenticator's code is still asked.
    assert phone.get_by_role("heading", level=1).inner_text() == "Enter your code"
    phone.get_by_label("Code from your authenticator app").fill(code_shown_to(dana))
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_load_state()

    assert "Signed in as Dana Reset" in phone.content()
    # The emailed link worked once.
    phone.goto(link)
    assert phone.get_by_role("heading", level=1).inner_text() == "This link does not work"
    check_accessibility(phone)


def test_someone_changes_their_password_and_email_settings_then_signs_out(
    page, live_server, make_user, sign_in, check_accessibility, screenshot
):
    erin = make_user("erin", email="erin@example.org")
    sign_in(page, erin)

    page.get_by_role("link", name="Account security", exact=True).click()
    check_accessibility(page)
    page.get_by_role("link", name="Change your password").click()
    check_accessibility(page)
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label(NEW_PASSWORD_FIELD).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your password is changed.").is_visible()

    page.get_by_role("link", name="Email settings").click()
    assert page.get_by_text("We email erin@example.org").is_visible()
    check_accessibility(page)
    page.get_by_label("One email each morning with all my reminders").check()
    page.get_by_role("button", name="Save email settings").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your email settings are saved.").is_visible()
    assert page.get_by_label("One email each morning with all my reminders").is_checked()
    check_accessibility(page)
    screenshot(page, "email-settings")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.get_by_text("You have signed out.").is_visible()
    check_accessibility(page)


def test_an_unsubscribe_link_asks_then_stops_reminders_without_signing_in(
    phone, live_server, make_user, check_accessibility
):
    fran = make_user("fran", email="fran@example.org")

    phone.goto(live_server.url + unsubscribe_path(fran, "reminders"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Stop reminder emails?"
    assert fits_the_phone(phone)
    check_accessibility(phone)
    phone.get_by_role("button", name="Stop reminder emails").click()
    phone.wait_for_load_state()

    assert phone.get_by_role("heading", level=1).inner_text() == "Reminder emails stopped"
    check_accessibility(phone)
    phone.goto(live_server.url + reverse("notifications:unsubscribe", kwargs={"token": "copied-wrongly"}))
    assert phone.get_by_role("heading", level=1).inner_text() == "This link does not work"
    check_accessibility(phone)


def test_the_sign_in_help_for_a_lost_phone_leads_to_the_recovery_code(
    page, live_server, make_user, settings, check_accessibility
):
    settings.OTP_REQUIRED = True
    gil = make_user("gil")
    gil.staticdevice_set.create(name="backup", confirmed=True).token_set.create(token="recover1")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with a recovery code").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in with a recovery code"
    check_accessibility(page)
    page.get_by_label("Username").fill("gil")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.get_by_label("Recovery code").fill("recover1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    assert page.get_by_role("link", name="Account security", exact=True).is_visible()
