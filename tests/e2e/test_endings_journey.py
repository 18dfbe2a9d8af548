"""After launch, on a phone: the team reviews where the group stands against its aims and sees it
charted; a member leaves and a check-in is waiting for the coordinator; the group, full, signposts
someone elsewhere; and the coordinator stops holding members' contact details. Every page is
checked with axe-core, at 375 px wide without sideways scrolling."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Aim, GroupRole, SupportGroup
from groups.tests.factories import AimFactory, GroupRoleFactory, SupportGroupFactory
from sessions_log.models import Member
from sessions_log.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.fixture
def team(make_user):
    alice = make_user("alice", first_name="Alice", last_name="Coordinator")
    bob = make_user("bob", first_name="Bob", last_name="Facilitator")
    group = SupportGroupFactory(
        name="Riverside evening group",
        status=SupportGroup.Status.ACTIVE,
        launched_at=timezone.now() - datetime.timedelta(days=120),
        holds_contact_details=True,
        maximum_size=2,
        when_full=SupportGroup.WhenFull.SIGNPOST,
    )
    GroupRoleFactory(group=group, user=alice, role=GroupRole.Role.COORDINATOR)
    GroupRoleFactory(group=group, user=bob, role=GroupRole.Role.LEAD_FACILITATOR)
    AimFactory(group=group, text="Members ask for help sooner.", progress_charting=Aim.Charting.GROUP)
    AimFactory(group=group, text="Members know their own triggers.", progress_charting=Aim.Charting.INDIVIDUAL)
    MemberFactory(
        group=group,
        display_name="Robin",
        contact_details="07700 900123",
        contact_consent_on=timezone.localdate(),
        contact_consent_how=Member.ConsentGiven.PHONE,
    )
    MemberFactory(group=group, display_name="Sky")
    return group, alice


def test_a_coordinator_reviews_the_aims_and_sees_them_charted_on_a_phone(
    phone, live_server, team, sign_in, check_accessibility, screenshot
):
    group, alice = team
    sign_in(phone, alice)

    expect(phone.get_by_role("heading", name="Aims reviews due")).to_be_visible()
    check_accessibility(phone)
    phone.get_by_role("link", name=re.compile(r"^Riverside evening group\s+Review due")).click()
    expect(phone.get_by_role("heading", name="Where the group stands against its aims")).to_be_visible()
    check_accessibility(phone)
    fits_the_screen(phone)

    helping = phone.get_by_role("group", name="Members ask for help sooner.")
    helping.get_by_label("3: about halfway").check()
    helping.get_by_label("In a few words").fill("Robin asks for help in the room now.")
    phone.get_by_role("group", name="Members know their own triggers.").get_by_label("In a few words").fill(
        "Several say they notice triggers earlier."
    )
    phone.get_by_role("button", name="Record the review").click()
    expect(phone.locator(".invalid-feedback").filter(has_text="This names a member of the group")).to_be_visible()
    expect(phone.locator("[data-error-summary]")).to_contain_text("This names a member of the group")
    expect(helping.get_by_label("In a few words")).to_have_value("Robin asks for help in the room now.")
    check_accessibility(phone)

    helping.get_by_label("In a few words").fill("More people ask for help in the room now.")
    phone.get_by_role("button", name="Record the review").click()
    expect(phone.get_by_text("The aims review has been recorded.")).to_be_visible()
    chart = phone.get_by_role("img", name="Members ask for help sooner.: where the group stood at the last 1 review")
    expect(chart).to_be_visible()
    expect(phone.get_by_role("cell", name="More people ask for help in the room now.")).to_be_visible()
    check_accessibility(phone)
    fits_the_screen(phone)
    screenshot(phone, "coordinator-aims-chart-phone")


def test_a_coordinator_handles_leaving_a_full_group_and_contact_details_on_a_phone(
    phone, live_server, team, sign_in, check_accessibility, screenshot
):
    group, alice = team
    sign_in(phone, alice)
    members = f"{live_server.url}/groups/{group.pk}/members/"

    # The group is full and signposts people elsewhere: no waiting list, no name kept.
    phone.goto(members)
    phone.get_by_role("link", name="Add a member").click()
    expect(phone.get_by_role("heading", name="Record signposting")).to_be_visible()
    check_accessibility(phone)
    phone.get_by_label("Where to").fill("Samaritans, and the Thursday drop-in")
    phone.get_by_role("button", name="Record signposting").click()
    expect(phone.get_by_role("heading", name="Signposted elsewhere (1)")).to_be_visible()

    # Sky leaves: a check-in is waiting for the coordinator, who holds no way to reach Sky.
    phone.get_by_role("link", name=re.compile(r"Record leaving\W*Sky")).click()
    expect(phone.get_by_text("a coordinator is given a check-in with them 4 weeks later")).to_be_visible()
    check_accessibility(phone)
    phone.get_by_label("Support offered after leaving").fill("The Thursday drop-in, and a call in a month.")
    phone.get_by_role("button", name="Record that Sky has left").click()
    expect(phone.get_by_text("A check-in after leaving: they left on")).to_be_visible()
    expect(phone.get_by_text("This step needs a way to reach Sky, and the team holds none")).to_be_visible()
    check_accessibility(phone)
    fits_the_screen(phone)
    screenshot(phone, "coordinator-check-in-phone")

    # The team stops holding contact details: the confirmation says how many are erased.
    phone.get_by_role("link", name="Stop holding contact details").click()
    expect(phone.get_by_text("The team holds contact details for 1 member.")).to_be_visible()
    check_accessibility(phone)
    fits_the_screen(phone)
    phone.get_by_role("button", name="Erase 1 contact detail and stop holding them").click()
    expect(phone.get_by_text("The group no longer holds contact details")).to_be_visible()
    check_accessibility(phone)
    assert not Member.objects.filter(group=group).exclude(contact_details="").exists()
    assert not SupportGroup.objects.get(pk=group.pk).holds_contact_details
