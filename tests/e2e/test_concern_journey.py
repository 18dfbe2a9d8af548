"""A facilitator on a phone raises a risk-to-life concern after a session. The coordinator sees it
on the dashboard with the member's follow-up due today; the supervisor's review of the session's
debrief is due tomorrow; the coordinator closes the concern with its outcome. Every page is
checked with axe, for sideways scrolling at 375 px, and for buttons of at least 44 x 44 px."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerns.models import Concern
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory, SupportGroupFactory
from sessions_log.models import Attendance, Debrief, FollowUp
from sessions_log.tests.factories import AttendanceFactory, FollowUpFactory, GroupSessionFactory, MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 812}
TOUCH_TARGET = 44
WHAT_WAS_DONE = "Stayed with them in the quiet room and called the crisis line together, as the plan says."


@pytest.fixture
def another_phone(browser, browser_context_args):
    """More 375 x 812 touch screens, one per person, as the `phone` fixture makes one."""
    contexts = []

    def open_phone():
        context = browser.new_context(**browser_context_args, viewport=PHONE, is_mobile=True, has_touch=True)
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture
def check_phone_page(check_accessibility):
    """axe on the page, no sideways scrolling, and every button of the page's content (buttons, and
    radio choices drawn as buttons) at least 44 x 44 px. (Links drawn as buttons on pages this
    branch did not write, such as the session page's "Take the register", are still Bootstrap's
    38 px: the phone-layout branch makes every .btn 44 px in site.css.)"""

    def check(page, *, buttons=True):
        check_accessibility(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
        if not buttons:
            return
        small = page.evaluate(
            """(least) => [...document.querySelectorAll('main button, main input[type=submit], main label.btn')]
                .filter((el) => el.offsetParent !== null)
                .map((el) => [el.textContent.trim().slice(0, 40), el.getBoundingClientRect()])
                .filter(([, box]) => box.width < least || box.height < least)
                .map(([text, box]) => `${text} (${Math.round(box.width)} x ${Math.round(box.height)})`)""",
            TOUCH_TARGET,
        )
        assert not small, f"{page.url}: buttons under {TOUCH_TARGET} px: {small}"

    return check


@pytest.fixture
def team(make_user):
    """An active group with its team; yesterday's session was run by Bob and Dana, and Sky, who
    missed the one before, has a follow-up for Bob due in two days."""
    bob = make_user("bob", first_name="Bob", last_name="Facilitator")
    dana = make_user("dana", first_name="Dana", last_name="Cofacilitator")
    sam = make_user("sam", first_name="Sam", last_name="Supervisor")
    alice = make_user("alice", first_name="Alice", last_name="Coordinator")
    group = SupportGroupFactory(
        name="Riverside evening group", status="active", launched_at=timezone.now() - datetime.timedelta(weeks=5)
    )
    for user, role in (
        (bob, GroupRole.Role.LEAD_FACILITATOR),
        (dana, GroupRole.Role.CO_FACILITATOR),
        (sam, GroupRole.Role.SUPERVISOR),
        (alice, GroupRole.Role.COORDINATOR),
    ):
        GroupRoleFactory(group=group, user=user, role=role)
    today = timezone.localdate()
    sky, alex = MemberFactory(group=group, display_name="Sky"), MemberFactory(group=group, display_name="Alex")
    missed = GroupSessionFactory(
        group=group,
        date=today - datetime.timedelta(days=8),
        facilitators_present=[bob, dana],
        register_taken_at=timezone.now(),
    )
    AttendanceFactory(session=missed, member=sky, status=Attendance.Status.ABSENT)
    AttendanceFactory(session=missed, member=alex)
    FollowUpFactory(member=sky, session=missed, assignee=bob, due_on=today + datetime.timedelta(days=2))
    session = GroupSessionFactory(
        group=group,
        date=today - datetime.timedelta(days=1),
        facilitators_present=[bob, dana],
        register_taken_at=timezone.now(),
    )
    AttendanceFactory(session=session, member=sky)
    AttendanceFactory(session=session, member=alex)
    return group, session, sky, bob, sam, alice


def test_a_risk_to_life_concern_from_a_phone_reaches_the_coordinator_and_supervisor_and_is_closed(
    phone, another_phone, live_server, team, sign_in, check_phone_page, screenshot
):
    group, session, sky, bob, sam, alice = team
    today, tomorrow = timezone.localdate(), timezone.localdate() + datetime.timedelta(days=1)

    # Bob, on his phone after the session, raises the concern from the session's page.
    sign_in(phone, bob)
    phone.goto(f"{live_server.url}{session.get_absolute_url()}")
    check_phone_page(phone)
    phone.get_by_role("link", name="Raise a concern from this session").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Raise a concern")
    expect(phone.locator("#minimal-notice")).to_contain_text("the details stay in your organisation's own")
    expect(phone.locator("#minimal-notice")).to_contain_text("never write details of anyone's self-harm")
    phone.locator("label", has_text="Risk to life").click()
    phone.get_by_label("Who is it about?").select_option(label="Sky")
    phone.get_by_label("What was done").fill(WHAT_WAS_DONE)
    phone.get_by_label("Who was told").fill("The crisis team and the safeguarding lead")
    phone.get_by_label("When they were told").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    check_phone_page(phone)
    screenshot(phone, "concern-raise-phone")
    phone.get_by_role("button", name="Raise the concern").click()
    expect(phone.locator(".alert-success")).to_contain_text("A follow-up for the member is due today, for Alice")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Risk to life")
    check_phone_page(phone)
    concern = Concern.objects.get(group=group)
    assert (concern.kind, concern.member, concern.session) == (Concern.Kind.RISK_TO_LIFE, sky, session)

    # Then his own debrief: a reflection only.
    phone.goto(f"{live_server.url}{session.get_absolute_url()}")
    phone.get_by_role("link", name="Write your debrief").click()
    expect(phone.locator("#raise-concern")).to_contain_text("1 concern raised from this session so far")
    phone.get_by_label("How did the session go?").fill("Hard at the end; the team pulled together.")
    phone.get_by_text("3", exact=True).click()
    check_phone_page(phone)
    phone.get_by_role("button", name="Save your debrief").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    # The debrief's page (its "Add note" button) is the phone-layout branch's to size.
    check_phone_page(phone, buttons=False)
    debrief = Debrief.objects.get(session=session, author=bob)

    # Alice's dashboard: the open concern, about Sky, and Sky's follow-up due today, for her.
    alice_phone = another_phone()
    sign_in(alice_phone, alice)
    alice_phone.goto(f"{live_server.url}/")
    concerns = alice_phone.get_by_role("region", name="Open concerns")
    expect(concerns).to_contain_text("Risk to life, Riverside evening group")
    expect(concerns).to_contain_text("about Sky")
    expect(alice_phone.get_by_text(f"Due {today:%-d %B}")).to_be_visible()
    check_phone_page(alice_phone)
    screenshot(alice_phone, "concern-coordinator-dashboard-phone")
    follow_up = FollowUp.objects.get(member=sky)
    assert (follow_up.due_on, follow_up.assignee) == (today, alice)

    # Sam's dashboard: the concern without Sky's name, and Bob's debrief first, due tomorrow.
    sam_phone = another_phone()
    sign_in(sam_phone, sam)
    sam_phone.goto(f"{live_server.url}/")
    expect(sam_phone.get_by_role("region", name="Open concerns")).to_contain_text("about a member")
    expect(sam_phone.get_by_text("Sky")).to_have_count(0)
    supervision = sam_phone.get_by_role("region", name="Supervision", exact=True)
    expect(supervision).to_contain_text("Concern raised in the session")
    expect(supervision).to_contain_text(f"review due by {tomorrow:%-d %B %Y}")
    check_phone_page(sam_phone)
    assert Debrief.objects.with_attention().get(pk=debrief.pk).review_due_on == tomorrow

    # Alice opens the concern and closes it with what came of it.
    alice_phone.get_by_role("link", name="Risk to life, Riverside evening group").click()
    expect(alice_phone.get_by_text(WHAT_WAS_DONE)).to_be_visible()
    check_phone_page(alice_phone)
    alice_phone.get_by_label("Outcome").fill("The crisis team saw them that night; their GP follows up.")
    screenshot(alice_phone, "concern-close-phone")
    alice_phone.get_by_role("button", name="Close the concern").click()
    expect(alice_phone.locator(".alert-success")).to_contain_text("The concern has been closed.")
    expect(alice_phone.locator(".status-tag", has_text="Closed")).to_be_visible()
    check_phone_page(alice_phone)
    concern.refresh_from_db()
    assert (concern.closed_on, concern.closed_by) == (today, alice)

    # Closed, it leaves both dashboards.
    alice_phone.goto(f"{live_server.url}/")
    expect(alice_phone.get_by_role("region", name="Open concerns")).to_have_count(0)
    sam_phone.goto(f"{live_server.url}/")
    expect(sam_phone.get_by_role("region", name="Open concerns")).to_have_count(0)


def test_a_concern_between_sessions_and_the_complaints_log_on_a_phone(
    phone, another_phone, live_server, team, sign_in, check_phone_page, screenshot
):
    group, session, sky, bob, sam, alice = team

    # Alice hears from Sky by phone and raises a concern from Sky's page.
    sign_in(phone, alice)
    phone.goto(f"{live_server.url}/groups/{group.pk}/members/{sky.pk}/")
    phone.get_by_role("link", name="Raise a concern about Sky").click()
    expect(phone.get_by_label("Who is it about?")).to_have_value(str(sky.pk))
    phone.locator("label", has_text="Safeguarding concern").click()
    phone.locator("label", has_text="A phone call or message between sessions").click()
    phone.get_by_label("What was done").fill("Sky rang the office; we listened and followed the policy.")
    phone.get_by_label("Who was told").fill("The safeguarding lead")
    phone.get_by_label("When they were told").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_role("button", name="Raise the concern").click()
    # The supervisor reads concerns, and never sees members' names: refused beside the field.
    expect(phone.locator("#id_what_was_done_error, .invalid-feedback").first).to_contain_text("This names a member")
    expect(phone.get_by_label("What was done")).to_have_value(
        "Sky rang the office; we listened and followed the policy."
    )
    check_phone_page(phone)
    phone.get_by_label("What was done").fill("They rang the office; we listened and followed the policy.")
    phone.get_by_role("button", name="Raise the concern").click()
    expect(phone.locator(".alert-success")).to_contain_text("A follow-up for the member is due today")
    check_phone_page(phone)
    phone.get_by_role("link", name="Concerns").first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Concerns")
    check_phone_page(phone)

    # Bob passes on a complaint: he may add to the log, not read it.
    bob_phone = another_phone()
    sign_in(bob_phone, bob)
    bob_phone.goto(f"{live_server.url}/groups/{group.pk}/")
    bob_phone.get_by_role("link", name="Add to the complaints log").click()
    bob_phone.locator("label", has_text="A complaint").first.click()
    bob_phone.get_by_label("What happened").fill("A member felt the group ran late too often.")
    bob_phone.get_by_label("How it is being handled").fill("The coordinator will call them this week.")
    check_phone_page(bob_phone)
    screenshot(bob_phone, "complaint-add-phone")
    bob_phone.get_by_role("button", name="Add to the log").click()
    expect(bob_phone.locator(".alert-success")).to_contain_text("The group's coordinators and supervisor will take it")
    check_phone_page(bob_phone, buttons=False)  # the sessions page: the phone-layout branch's to size

    # Alice reads the log, with the plan's answer it is handled under, and closes the entry.
    phone.goto(f"{live_server.url}/groups/{group.pk}/complaints/")
    check_phone_page(phone)
    phone.get_by_role("link", name=f"A complaint, {timezone.localdate():%-d %B %Y}").click()
    check_phone_page(phone)
    phone.get_by_label("Outcome").fill("Sessions now end on time; they were told so.")
    phone.get_by_role("button", name="Close the entry").click()
    expect(phone.locator(".alert-success")).to_contain_text("The entry has been closed.")
    check_phone_page(phone)
