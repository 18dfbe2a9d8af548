"""A facilitator records a session on a phone straight after the meeting; the supervisor signs
their debrief off; a facilitator of another group finds nothing of this one."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory, SupportGroupFactory
from sessions_log.models import Attendance, Debrief, FollowUp, GroupSession
from sessions_log.tests.factories import DebriefFactory, GroupSessionFactory, MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = ["Alex", "Bea", "Cam", "Dee", "Eli", "Fran", "Gus", "Hana", "Izzy", "Sky"]


@pytest.fixture
def team(make_user):
    """An active group that launched five weeks ago, with ten members and its whole team."""
    bob = make_user("bob", first_name="Bob", last_name="Facilitator")
    sam = make_user("sam", first_name="Sam", last_name="Supervisor")
    alice = make_user("alice", first_name="Alice", last_name="Coordinator")
    group = SupportGroupFactory(
        name="Riverside evening group",
        status="active",
        launched_at=timezone.now() - datetime.timedelta(weeks=5),
        meeting_weekday=(timezone.localdate() - datetime.timedelta(days=1)).weekday(),
    )
    for user, role in (
        (bob, GroupRole.Role.LEAD_FACILITATOR),
        (sam, GroupRole.Role.SUPERVISOR),
        (alice, GroupRole.Role.COORDINATOR),
    ):
        GroupRoleFactory(group=group, user=user, role=role)
    for name in MEMBERS:
        MemberFactory(group=group, display_name=name)
    return group, bob, sam, alice


def test_facilitator_records_a_session_on_a_phone_and_the_supervisor_signs_the_debrief_off(
    phone, page, live_server, team, sign_in, check_accessibility, screenshot
):
    group, bob, sam, alice = team

    # On the phone: the dashboard offers yesterday's session to record.
    sign_in(phone, bob)
    check_accessibility(phone)
    screenshot(phone, "facilitator-dashboard-phone")
    phone.get_by_role("link", name="Record a session").first.click()
    check_accessibility(phone)
    expect(phone.get_by_label("Date")).to_have_value((timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    phone.get_by_role("button", name="Record the session").click()

    # The register: everyone starts present; two did not come.
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Register for")
    for name in MEMBERS:
        expect(phone.get_by_role("group", name=name)).to_be_visible()
    phone.get_by_role("group", name="Sky").get_by_text("Absent without notice").click()
    phone.get_by_role("group", name="Eli").get_by_text("Sent apologies").click()
    check_accessibility(phone)
    screenshot(phone, "facilitator-register-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_role("button", name="Save the register").click()
    expect(phone.locator(".alert-success")).to_contain_text("8 of 10 attended")
    session = GroupSession.objects.get(group=group)
    assert Attendance.objects.filter(session=session).count() == 10
    assert FollowUp.objects.get(member__display_name="Sky").consecutive_misses == 1

    # A lesson from the session.
    check_accessibility(phone)
    phone.get_by_role("link", name="Record a lesson from this session").click()
    phone.get_by_label("Theme").select_option(label="Running sessions")
    phone.get_by_label("What worked").fill("A check-in round helped quieter members speak.")
    phone.get_by_label("What to change").fill("Leave ten minutes to wind down.")
    check_accessibility(phone)
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator(".alert-success")).to_be_visible()

    # Their own debrief.
    phone.goto(f"{live_server.url}{session.get_absolute_url()}")
    phone.get_by_role("link", name="Write your debrief").click()
    phone.get_by_label("How did the session go?").fill("Warm and open; people supported each other.")
    phone.get_by_text("2", exact=True).click()  # wellbeing: a hard evening
    phone.get_by_label("Any support you would like?").fill("A chat this week, please.")
    check_accessibility(phone)
    screenshot(phone, "facilitator-debrief-phone")
    phone.get_by_role("button", name="Save your debrief").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    debrief = Debrief.objects.get(session=session, author=bob)

    # The supervisor finds it at the top of the queue, flagged, and signs it off.
    sign_in(page, sam)
    page.get_by_role("link", name="Supervision").first.click()
    check_accessibility(page)
    expect(page.get_by_text("Low wellbeing (2)").first).to_be_visible()
    page.goto(f"{live_server.url}/groups/{group.pk}/debriefs/{debrief.pk}/")
    expect(page.get_by_text("Warm and open; people supported each other.")).to_be_visible()
    page.get_by_label("Comments").fill("Thank you. Let's talk on Thursday.")
    check_accessibility(page)
    screenshot(page, "supervisor-review")
    page.get_by_role("button", name="Sign off this debrief").click()
    expect(page.locator(".alert-success")).to_be_visible()
    debrief.refresh_from_db()
    assert debrief.review.reviewer == sam

    # Reviewed, the debrief is locked for its author.
    phone.goto(f"{live_server.url}/groups/{group.pk}/sessions/{session.pk}/debrief/")
    expect(phone.get_by_text("This debrief is locked.")).to_be_visible()


def test_the_register_can_be_completed_with_the_keyboard_alone(page, live_server, team, sign_in, check_accessibility):
    group, bob, _, _ = team
    session = GroupSessionFactory(group=group, facilitators_present=[bob])
    sign_in(page, bob)
    page.goto(f"{live_server.url}/groups/{group.pk}/sessions/{session.pk}/register/")

    # Tab to the first member's marks, arrow along to "Absent without notice", and check the focus
    # can be seen.
    first_present = page.locator("#register-form input[type=radio]").first
    for _ in range(40):
        page.keyboard.press("Tab")
        if first_present.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the register")
    label = page.locator(f"label[for='{first_present.get_attribute('id')}']")
    outline = label.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).boxShadow")
    assert outline != "none none", "the focused mark has no visible focus indicator"
    for _ in range(4):  # present -> late -> left early -> apologies -> absent
        page.keyboard.press("ArrowRight")
    # Leave the radio group, on to the Save button, and press it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Save the register":
            break
    else:
        pytest.fail("Tab never reached the Save button")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("9 of 10 attended")
    assert Attendance.objects.filter(session=session, status=Attendance.Status.ABSENT).count() == 1


def test_a_facilitator_of_another_group_is_told_not_found(page, live_server, team, make_user, sign_in):
    group, bob, _, _ = team
    session = GroupSessionFactory(group=group, facilitators_present=[bob])
    debrief = DebriefFactory(session=session, author=bob)
    charlie = make_user("charlie")
    GroupRoleFactory(
        group=SupportGroupFactory(name="Hilltop group"), user=charlie, role=GroupRole.Role.LEAD_FACILITATOR
    )
    sign_in(page, charlie)

    for path in (
        f"/groups/{group.pk}/",
        f"/groups/{group.pk}/sessions/",
        f"/groups/{group.pk}/members/",
        f"/groups/{group.pk}/sessions/{session.pk}/",
        f"/groups/{group.pk}/sessions/{session.pk}/register/",
        f"/groups/{group.pk}/debriefs/{debrief.pk}/",
        f"/groups/{group.pk}/lessons/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.get_by_text("Riverside evening group")).to_have_count(0)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("Riverside evening group")).to_have_count(0)


def test_a_long_running_groups_sessions_come_a_page_at_a_time_on_a_phone(
    phone, live_server, team, sign_in, check_accessibility
):
    group, _, _, alice = team
    first_day = timezone.localdate() - datetime.timedelta(weeks=25)
    for week in range(25):
        GroupSessionFactory(group=group, date=first_day + datetime.timedelta(weeks=week))
    sign_in(phone, alice)

    phone.goto(f"{live_server.url}/groups/{group.pk}/sessions/")
    table = phone.get_by_role("table", name=re.compile("Recorded sessions"))
    expect(table.get_by_role("row")).to_have_count(21)  # the heading row and the newest 20
    expect(phone.get_by_text("25 sessions recorded; showing 1 to 20, newest first.")).to_be_visible()
    pages = phone.get_by_role("navigation", name="Pages of recorded sessions")
    expect(pages.get_by_text("Page 1 of 2")).to_be_visible()
    check_accessibility(phone)

    pages.get_by_role("link", name="Older page").click()
    expect(table.get_by_role("row")).to_have_count(6)
    expect(table.get_by_role("link", name=first_day.strftime("%-d %b %Y"))).to_be_visible()
    expect(phone.get_by_role("navigation", name="Pages of recorded sessions").get_by_role("link")).to_have_text(
        ["Newer page"]
    )
    check_accessibility(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
