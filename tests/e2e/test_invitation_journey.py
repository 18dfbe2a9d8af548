"""A coordinator invites a new facilitator by email; the facilitator, on a phone, follows the
emailed link, makes their account, sets up two-factor sign-in, lands on the group and records a
session. axe-core on every page, and no page wider than the phone's 375 px."""

import datetime
import re
from base64 import b32decode

import pytest
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import expect

from accounts.models import User
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory, SupportGroupFactory
from sessions_log.models import GroupSession

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "river stones and tea"


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_coordinator_invites_a_facilitator_who_joins_sets_up_two_factor_and_records_a_session(
    page, phone, live_server, make_user, sign_in, settings, mailoutbox, check_accessibility, screenshot
):
    settings.SITE_URL = live_server.url
    alice = make_user("alice", first_name="Alice", last_name="Coordinator")
    group = SupportGroupFactory(
        name="Riverside evening group",
        status="active",
        launched_at=timezone.now() - datetime.timedelta(weeks=5),
        meeting_weekday=(timezone.localdate() - datetime.timedelta(days=1)).weekday(),
    )
    GroupRoleFactory(group=group, user=alice, role=GroupRole.Role.COORDINATOR)

    # The coordinator invites someone who has no account yet.
    sign_in(page, alice)
    page.goto(f"{live_server.url}/groups/{group.pk}/team/")
    check_accessibility(page)
    page.get_by_label("Name").fill("Dana Newcomer")
    page.get_by_label("Email address, for someone new").fill("dana@example.org")
    page.get_by_label("Role").select_option(label="Lead facilitator")
    page.get_by_role("button", name="Add to the team, or invite").click()
    expect(page.locator(".alert-success")).to_contain_text("We have emailed dana@example.org an invitation")
    expect(page.get_by_role("heading", name="Invitations waiting")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "team-invitation-waiting")

    # The invitation, as the email has it.
    [invitation] = [message for message in mailoutbox if message.to == ["dana@example.org"]]
    assert invitation.subject == "Alice Coordinator invites you to join Riverside evening group in Group planner"
    link = re.search(rf"{re.escape(live_server.url)}/invitations/\S+/", invitation.body).group(0)

    # On her phone, Dana makes her account.
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Join the team of Riverside evening group")
    assert fits_the_phone(phone)
    check_accessibility(phone)
    screenshot(phone, "invitation-accept-phone")
    expect(phone.get_by_label("Your first name")).to_have_value("Dana")
    phone.get_by_label("Choose a username").fill("dana")
    phone.get_by_label("Choose a password").fill(NEW_PASSWORD)
    phone.get_by_label("Type the password again").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Make my account and join").click()

    # Then two-factor sign-in, with the code her authenticator app would show.
    expect(phone.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(phone.locator(".alert-success")).to_contain_text("Your account is ready")
    assert fits_the_phone(phone)
    check_accessibility(phone)
    phone.get_by_role("button", name="Start").click()
    expect(phone.locator("code")).to_be_visible()
    check_accessibility(phone)
    secret = phone.locator("code").inner_text().replace(" ", "")
    phone.get_by_label("Code from your authenticator app").fill(f"{totp(b32decode(secret)):06d}")
    phone.get_by_role("button", name="Turn on two-factor sign-in").click()

    # She lands on the group, on its team.
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Riverside evening group")
    expect(phone.locator(".alert-success")).to_contain_text("Two-factor sign-in is on")
    assert phone.url == f"{live_server.url}/groups/{group.pk}/"
    assert fits_the_phone(phone)
    check_accessibility(phone)
    screenshot(phone, "invitation-landed-on-group-phone")
    dana = User.objects.get(username="dana")
    assert group.roles.filter(user=dana, role=GroupRole.Role.LEAD_FACILITATOR).exists()

    # And records yesterday's session.
    phone.get_by_role("link", name="Sessions").first.click()
    check_accessibility(phone)
    phone.get_by_role("link", name="Record a session").first.click()
    check_accessibility(phone)
    expect(phone.get_by_label("Date")).to_have_value((timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    phone.get_by_role("button", name="Record the session").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Register for")
    check_accessibility(phone)
    session = GroupSession.objects.get(group=group)
    assert session.recorded_by == dana

    # The coordinator hears that she joined.
    assert [message.subject for message in mailoutbox if message.to == [alice.email]] == [
        "Dana Newcomer has joined Riverside evening group"
    ]
