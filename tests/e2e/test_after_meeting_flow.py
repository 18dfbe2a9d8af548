"""A facilitator's thread after a meeting, on a phone: record the session, take the register,
record a lesson learnt, write their debrief, and be back on the session with everything done.
Every tap or save loads exactly one page, the next one in the thread: no list that loses the
thread, no page loaded only to find the way back. Before this was joined up, the same work took
11 page loads (saving the lesson landed on the lessons list, three pages from the session, and
the debrief on its own page); now it takes 7, one per step."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions_log.models import Debrief, GroupSession, Lesson, Member
from sessions_log.tests.factories import GroupSessionFactory

from . import test_session_journeys

# The facilitator's group from the session journeys: launched five weeks ago, ten members, its team.
team = test_session_journeys.team
MEMBERS = test_session_journeys.MEMBERS

pytestmark = pytest.mark.django_db(transaction=True)


class Journey:
    """Counts what the browser does on the page from now on: each page it loads in the main frame
    (a redirect after a save and the page it leads to are one load), and each form it sends."""

    def __init__(self, page):
        self.loads: list[str] = []
        self.submits: list[str] = []
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.loads.append(frame.url))
        page.on(
            "request",
            lambda request: (
                request.is_navigation_request() and request.method == "POST" and self.submits.append(request.url)
            ),
        )


def test_the_after_meeting_flow_takes_one_page_load_a_step_on_a_phone(
    phone,
    live_server,
    team,
    sign_in,
    check_accessibility,
    screenshot,
):
    group, bob, sam, _ = team
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    sign_in(phone, bob)
    journey = Journey(phone)
    steps = 0

    # 1. From the dashboard, the session to record.
    phone.get_by_role("link", name="Record a session").first.click()
    steps += 1
    expect(phone.get_by_label("Date")).to_have_value(yesterday.isoformat())
    check_accessibility(phone)

    # 2. Recorded as held: straight on to its register.
    phone.get_by_role("button", name="Record the session").click()
    steps += 1
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Register for")
    check_accessibility(phone)
    session = GroupSession.objects.get(group=group, date=yesterday)
    session_url = f"{live_server.url}{session.get_absolute_url()}"

    # 3. The register saved: back on the session, which offers what is left, the lesson optional.
    phone.get_by_role("group", name="Sky").get_by_text("Absent without notice").click()
    phone.get_by_role("button", name="Save the register").click()
    steps += 1
    expect(phone).to_have_url(session_url)
    expect(phone.locator(".alert-success")).to_contain_text(f"9 of {len(MEMBERS)} attended")
    still_to_do = phone.get_by_role("list", name="Still to do").get_by_role("link")
    expect(still_to_do).to_have_text(["Next: record a lesson learnt (optional)", "Next: write your debrief"])
    expect(phone.get_by_role("list", name="Done")).to_contain_text("Register taken")
    check_accessibility(phone)
    screenshot(phone, "facilitator-after-register-phone")

    # 4. The lesson, from this session.
    phone.get_by_role("link", name="Next: record a lesson learnt (optional)").click()
    steps += 1
    expect(phone.get_by_label("Session")).to_have_value(str(session.pk))
    phone.get_by_label("Theme").select_option(label="Running sessions")
    phone.get_by_label("What worked").fill("A check-in round helped quieter members speak.")
    check_accessibility(phone)

    # 5. Saved: back on the session, not on the list of lessons.
    phone.get_by_role("button", name="Save lesson").click()
    steps += 1
    expect(phone).to_have_url(session_url)
    expect(phone.locator(".alert-success")).to_have_text("The lesson has been recorded.")
    expect(still_to_do).to_have_text(["Next: write your debrief"])
    check_accessibility(phone)

    # 6. Their debrief.
    phone.get_by_role("link", name="Next: write your debrief").click()
    steps += 1
    phone.get_by_label("How did the session go?").fill("Warm and open; people supported each other.")
    phone.get_by_text("4", exact=True).click()  # wellbeing
    check_accessibility(phone)

    # 7. Saved: back on the session, which shows it all done and says who reads the debrief.
    phone.get_by_role("button", name="Save your debrief").click()
    steps += 1
    expect(phone).to_have_url(session_url)
    expect(phone.get_by_role("heading", name="Done after this session")).to_be_visible()
    expect(phone.get_by_role("list", name="Done").get_by_role("listitem")).to_have_text(
        ["✓ Register taken (done)", "✓ You recorded a lesson learnt (done)", "✓ Your debrief is written (done)"]
    )
    expect(phone.locator("#debrief-readers")).to_contain_text(f"the group's supervisor ({sam})")
    check_accessibility(phone)
    screenshot(phone, "facilitator-after-meeting-done-phone")

    assert len(journey.loads) <= steps
    assert [url.removeprefix(live_server.url) for url in journey.loads] == [
        f"/groups/{group.pk}/sessions/new/",
        f"/groups/{group.pk}/sessions/{session.pk}/register/",
        session.get_absolute_url(),
        f"/groups/{group.pk}/lessons/new/?session={session.pk}",
        session.get_absolute_url(),
        f"/groups/{group.pk}/sessions/{session.pk}/debrief/",
        session.get_absolute_url(),
    ]
    assert len(journey.submits) == 4
    assert Lesson.objects.get().session == session
    assert Debrief.objects.get().author == bob


def test_several_members_are_added_on_a_phone_with_one_save(
    phone,
    live_server,
    team,
    sign_in,
    check_accessibility,
):
    group, bob, _, _ = team
    group.maximum_size = 12  # ten members already: room for two more
    group.save(update_fields=["maximum_size"])
    sign_in(phone, bob)
    phone.goto(f"{live_server.url}/groups/{group.pk}/members/new/")
    journey = Journey(phone)
    check_accessibility(phone)

    several = phone.get_by_role("region", name="Add several people at once")
    several.get_by_label("Names, one a line").fill("Jo\nKai Smith\nLou")
    several.get_by_role("button", name="Add these people").click()

    # A name the plan does not allow: nothing saved, the summary says which line, the typing kept.
    summary = phone.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Names, one a line: Line 2, \u201cKai Smith\u201d: This group records a first name only: "
            "one word, without a surname."
        ]
    )
    expect(several.get_by_label("Names, one a line")).to_have_value("Jo\nKai Smith\nLou")
    check_accessibility(phone)
    assert not Member.objects.filter(display_name__in=["Jo", "Lou"]).exists()

    several.get_by_label("Names, one a line").fill("Jo\nKai\nLou")
    several.get_by_role("button", name="Add these people").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Members")
    expect(phone.locator(".alert-success")).to_have_text("Jo and Kai have joined the group.")
    expect(phone.locator(".alert-warning")).to_contain_text("so Lou is on the waiting list")
    check_accessibility(phone)

    # Three people, two saves (one put right) and no page between: one load for each save.
    assert len(journey.submits) == 2
    assert len(journey.loads) == 2
    added = dict(
        Member.objects.filter(group=group, display_name__in=["Jo", "Kai", "Lou"]).values_list("display_name", "status")
    )
    assert added == {"Jo": Member.Status.ACTIVE, "Kai": Member.Status.ACTIVE, "Lou": Member.Status.WAITING_LIST}


def test_back_after_saving_a_lesson_and_saving_again_records_it_once(phone, live_server, team, sign_in):
    group, bob, _, _ = team
    session = GroupSessionFactory(group=group, facilitators_present=[bob])
    sign_in(phone, bob)
    phone.goto(f"{live_server.url}/groups/{group.pk}/lessons/new/?session={session.pk}")
    phone.get_by_label("Theme").select_option(label="Running sessions")
    phone.get_by_label("What worked").fill("A check-in round helped.")
    phone.get_by_role("button", name="Save lesson").click()
    expect(phone.locator(".alert-success")).to_have_text("The lesson has been recorded.")

    # The browser's Back: signed-in pages are never cached, so the form is loaded again, and
    # Chromium puts back what was typed. Save sends the same lesson again.
    phone.go_back()
    expect(phone.get_by_label("What worked")).to_have_value("A check-in round helped.")
    phone.get_by_role("button", name="Save lesson").click()

    expect(phone).to_have_url(f"{live_server.url}{session.get_absolute_url()}")
    expect(phone.locator(".alert-info")).to_have_text("This lesson was saved already, so it has not been saved twice.")
    assert Lesson.objects.filter(group=group).count() == 1
