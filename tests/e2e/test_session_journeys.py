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

from .conftest import PHONE_WIDTH, assert_fits_a_phone

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
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    # Last week's session was recorded, but its register never taken.
    GroupSessionFactory(group=group, date=yesterday - datetime.timedelta(weeks=1), facilitators_present=[bob])

    # On the phone: the dashboard offers yesterday's session to record, and last week's register.
    sign_in(phone, bob)
    check_accessibility(phone)
    screenshot(phone, "facilitator-dashboard-phone")
    # A facilitator supervises nothing and has no funder report: the menu does not offer them.
    phone.get_by_role("button", name="Show menu").click()
    menu = phone.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(menu.get_by_role("link", name="Supervision")).to_have_count(0)
    expect(menu.get_by_role("link", name="Reports")).to_have_count(0)
    assert_fits_a_phone(phone)  # the open menu too
    phone.get_by_role("button", name="Show menu").click()

    # The sessions page, with a register outstanding, fits the phone (check_accessibility).
    phone.get_by_role("link", name=group.name, exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sessions")
    take_it = phone.get_by_role("link", name=re.compile("^Take it for"))
    expect(take_it).to_be_visible()
    box = take_it.bounding_box()
    assert box["x"] + box["width"] <= PHONE_WIDTH, "the register's column runs off the screen"
    check_accessibility(phone)
    screenshot(phone, "facilitator-sessions-phone")
    phone.go_back()

    phone.get_by_role("link", name="Record a session").first.click()
    check_accessibility(phone)
    expect(phone.get_by_label("Date")).to_have_value(yesterday.isoformat())
    phone.get_by_role("button", name="Record the session").click()

    # The register: everyone starts present; two did not come.
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Register for")
    expect(phone.get_by_text("Everyone starts as present")).to_be_visible()
    for name in MEMBERS:
        expect(phone.get_by_role("group", name=name)).to_be_visible()
    phone.get_by_role("group", name="Sky").get_by_text("Absent without notice").click()
    phone.get_by_role("group", name="Eli").get_by_text("Sent apologies").click()
    check_accessibility(phone)
    screenshot(phone, "facilitator-register-phone")
    phone.get_by_role("button", name="Save the register").click()
    expect(phone.locator(".alert-success")).to_contain_text("8 of 10 attended")
    session = GroupSession.objects.get(group=group, date=yesterday)
    assert Attendance.objects.filter(session=session).count() == 10
    assert FollowUp.objects.get(member__display_name="Sky").consecutive_misses == 1
    check_accessibility(phone)

    # The follow-up raised for Sky is a link away.
    phone.locator(".alert-success").get_by_role("link", name="see them on the members page").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Members")
    expect(phone.get_by_role("heading", name="Follow-up for Sky")).to_be_visible()
    check_accessibility(phone)
    phone.go_back()

    # A saved register shows the marks given, and no longer says everyone starts as present.
    phone.get_by_role("link", name="Change the register").click()
    expect(phone.get_by_text("each person shows the mark they were given")).to_be_visible()
    expect(phone.get_by_text("Everyone starts as present")).to_have_count(0)
    check_accessibility(phone)
    phone.go_back()

    # A lesson from the session.
    phone.get_by_role("link", name="Record a lesson from this session").click()
    phone.get_by_label("Theme").select_option(label="Running sessions")
    phone.get_by_label("What worked").fill("A check-in round helped quieter members speak.")
    phone.get_by_label("What to change").fill("Leave ten minutes to wind down.")
    check_accessibility(phone)
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator(".alert-success")).to_be_visible()

    # Back on the session: their own debrief, saved too soon. The summary at the top takes focus
    # and says what to put right, each point a link to its field.
    expect(phone).to_have_url(f"{live_server.url}{session.get_absolute_url()}")
    phone.get_by_role("link", name="Next: write your debrief").click()
    readers = (
        "Only you, the group's supervisor (Sam Supervisor) and the organisation's administrators can read "
        "your debrief. The rest of the team sees only that you wrote one, and when."
    )
    expect(phone.locator("#debrief-readers")).to_have_text(readers)
    phone.get_by_label("Any support you would like?").fill("A chat this week, please.")
    phone.get_by_role("button", name="Save your debrief").click()
    summary = phone.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Nothing has been saved yet")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "How did the session go? This field is required.",
            "How are you feeling after the session? This field is required.",
        ]
    )
    expect(phone.get_by_label("Any support you would like?")).to_have_value("A chat this week, please.")
    check_accessibility(phone)
    screenshot(phone, "facilitator-debrief-errors-phone")
    summary.get_by_role("link", name=re.compile("^How did the session go")).click()
    expect(phone.get_by_label("How did the session go?")).to_be_focused()
    phone.keyboard.type("Warm and open; people supported each other.")
    summary.get_by_role("link", name=re.compile("^How are you feeling")).click()
    expect(phone.locator("#id_wellbeing_0")).to_be_focused()
    phone.get_by_text("2", exact=True).click()  # wellbeing: a hard evening
    check_accessibility(phone)
    screenshot(phone, "facilitator-debrief-phone")
    phone.get_by_role("button", name="Save your debrief").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    # Back on the session, and on the debrief itself, the same words say who reads it, now it is saved.
    expect(phone.locator("#debrief-readers")).to_have_text(readers)
    check_accessibility(phone)
    phone.get_by_role("link", name="Your debrief is written").click()
    expect(phone.locator("#debrief-readers")).to_have_text(readers)
    check_accessibility(phone)
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
    check_accessibility(phone)


# Where the focused control is, and whether the sticky "Save the register" bar (or the edge of the
# screen) hides any of it. A radio drawn as a button is seen through its label.
FOCUS_SCRIPT = """() => {
  const focused = document.activeElement;
  const bar = document.querySelector('.register-actions');
  const shown = (focused.type === 'radio' && focused.labels[0]) || focused;
  const box = shown.getBoundingClientRect();
  const barTop = bar.getBoundingClientRect().top;
  return {
    id: focused.id, words: (shown.innerText || '').trim(), inBar: bar.contains(focused),
    hidden: !bar.contains(focused) && (box.bottom > barTop || box.top < 0),
  };
}"""


@pytest.mark.parametrize("screen", [{"width": 1280, "height": 720}, {"width": 375, "height": 812}])
def test_the_register_can_be_completed_with_the_keyboard_alone(
    browser, browser_context_args, live_server, team, sign_in, check_accessibility, screen
):
    group, bob, _, _ = team
    session = GroupSessionFactory(group=group, facilitators_present=[bob])
    context = browser.new_context(**browser_context_args, viewport=screen)
    page = context.new_page()
    sign_in(page, bob)
    page.goto(f"{live_server.url}/groups/{group.pk}/sessions/{session.pk}/register/")
    check_accessibility(page)
    # Each person's marks are one group: the group tells a screen reader how to move in it.
    for name in MEMBERS:
        expect(page.get_by_role("group", name=name)).to_have_accessible_description(
            "With a keyboard, use the arrow keys to change this person's mark. Tab moves on to the next person."
        )

    # Tab from the top of the page to the Save button: one stop per person, on their mark. Sky,
    # last on the register, just above the Save bar, is marked absent with the arrow keys. No
    # stop, and no change of mark, is ever hidden under the bar.
    people_reached = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_SCRIPT)
        if focus["inBar"]:
            break
        assert not focus["hidden"], f"{focus['words'] or focus['id']} is hidden under the Save bar"
        if focus["id"].startswith("id_member_"):
            people_reached.append(focus["words"])
            if len(people_reached) == len(MEMBERS):
                for _ in range(4):  # present -> late -> left early -> apologies -> absent
                    page.keyboard.press("ArrowRight")
                    focus = page.evaluate(FOCUS_SCRIPT)
                    assert not focus["hidden"], f"{focus['words']} is hidden under the Save bar"
                assert focus["words"] == "Absent without notice"
                label = page.locator(f"label[for='{focus['id']}']")
                style = label.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).boxShadow")
                assert style != "none none", "the focused mark has no visible focus indicator"
    else:
        pytest.fail("Tab never reached the Save button")
    assert people_reached == ["Present"] * len(MEMBERS)

    assert page.evaluate("document.activeElement.textContent.trim()") == "Save the register"
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("9 of 10 attended")
    absent = Attendance.objects.get(session=session, status=Attendance.Status.ABSENT)
    assert absent.member.display_name == "Sky"
    context.close()


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
