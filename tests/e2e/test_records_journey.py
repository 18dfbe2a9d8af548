"""A member asks for a copy of their records, then for them to be erased; the supervisor reads
the group's change history. Every page is checked with axe-core, the member's pages on a phone."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AccessEvent
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory, SupportGroupFactory
from sessions_log.member_requests import ask_supervisor
from sessions_log.models import Attendance, GroupSession, Lesson, Member
from sessions_log.services import save_register
from sessions_log.tests.factories import (
    DebriefFactory,
    DebriefNoteFactory,
    GroupSessionFactory,
    LessonFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team(make_user):
    alice = make_user("alice", first_name="Alice", last_name="Coordinator")
    bob = make_user("bob", first_name="Bob", last_name="Facilitator")
    sam = make_user("sam", first_name="Sam", last_name="Supervisor")
    group = SupportGroupFactory(name="Riverside evening group", status="active", launched_at=timezone.now())
    for user, role in (
        (alice, GroupRole.Role.COORDINATOR),
        (bob, GroupRole.Role.LEAD_FACILITATOR),
        (sam, GroupRole.Role.SUPERVISOR),
    ):
        GroupRoleFactory(group=group, user=user, role=role)
    robin = MemberFactory(group=group, display_name="Robin")
    sky = MemberFactory(group=group, display_name="Sky")
    for days_ago in (14, 7):
        session = GroupSessionFactory(
            group=group, date=timezone.localdate() - datetime.timedelta(days=days_ago), facilitators_present=[bob]
        )
        save_register(
            session=session, marks={robin.pk: Attendance.Status.ABSENT, sky.pk: Attendance.Status.PRESENT}, by=bob
        )
    LessonFactory(group=group, what_worked="Robin and Sky set the chairs out together.")
    return group, alice, sam, robin


def test_a_coordinator_answers_a_members_requests_on_a_phone(
    phone, live_server, team, sign_in, check_accessibility, screenshot
):
    group, alice, _, robin = team
    sign_in(phone, alice)

    phone.goto(f"{live_server.url}/groups/{group.pk}/members/")
    phone.get_by_role("heading", name="Robin").get_by_role("link").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Robin")
    expect(phone.get_by_text("Came to 0 of 2 sessions")).to_be_visible()
    check_accessibility(phone)

    phone.get_by_role("link", name="Everything held about them").click()
    expect(phone.get_by_text("Robin and [another member] set the chairs out together.")).to_be_visible()
    check_accessibility(phone)
    screenshot(phone, "coordinator-subject-access-phone")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download as a file (JSON)").click()
    assert download.value.suggested_filename.startswith(f"member-{robin.pk}-records-")

    phone.get_by_role("link", name="Back to their record").click()
    phone.get_by_role("link", name="Erase on request").click()
    expect(phone.locator("mark")).to_have_text(["Robin (their name)"])
    name_out_of_the_lesson = phone.get_by_label(re.compile(r"Take their name out of this lesson learnt: what worked"))
    expect(name_out_of_the_lesson).to_be_checked()
    expect(phone.get_by_text("[another member] set the chairs out together.")).to_be_visible()
    check_accessibility(phone)
    phone.get_by_label("Why are their records being erased?").fill("Asked in writing on 3 March.")
    phone.get_by_label("Type the member's name to confirm").fill("Robyn")
    phone.get_by_role("button", name="Erase their records").click()
    mistake = "That is not the member's name as recorded. Type it exactly as shown."
    expect(phone.get_by_text(mistake, exact=True)).to_be_visible()  # beside the field
    expect(phone.get_by_label("Why are their records being erased?")).to_have_value("Asked in writing on 3 March.")
    expect(name_out_of_the_lesson).to_be_checked()
    check_accessibility(phone)
    # The summary at the top has the focus, and goes to the field to put right.
    summary = phone.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=f"Type the member's name to confirm: {mistake}").click()
    expect(phone.get_by_label("Type the member's name to confirm")).to_be_focused()
    phone.get_by_label("Type the member's name to confirm").fill("Robin")
    phone.get_by_role("button", name="Erase their records").click()

    expect(phone.locator(".alert-success")).to_contain_text("2 attendance marks")
    expect(phone.locator(".alert-success")).to_contain_text("Their name was taken out of 1 note")
    check_accessibility(phone)
    assert not Member.objects.filter(pk=robin.pk).exists()
    assert Lesson.objects.get(group=group).what_worked == "[a former member] and Sky set the chairs out together."
    marked = [session.marked_count for session in GroupSession.objects.filter(group=group).with_register_counts()]
    assert marked == [2, 2]
    assert AccessEvent.objects.filter(action=AccessEvent.Action.ERASED_MEMBER, object_id=robin.pk).exists()


def test_the_supervisor_reads_the_change_history(page, live_server, team, sign_in, check_accessibility, screenshot):
    group, _, sam, _ = team
    sign_in(page, sam)

    page.goto(f"{live_server.url}/groups/{group.pk}/history/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Change history")
    expect(page.get_by_role("heading", name="Lesson #")).to_have_count(1)
    expect(page.get_by_text("Robin")).to_have_count(0)  # members' names are not for the supervisor
    check_accessibility(page)
    screenshot(page, "supervisor-change-history")


def test_the_supervisor_answers_for_the_debrief_material_in_a_members_request_on_a_phone(
    phone, live_server, team, sign_in, check_accessibility, screenshot
):
    """Coordinators never read debriefs: the supervisor, asked on a member's request, reads the
    debrief material naming them from their dashboard (issue 13, item 1)."""
    group, alice, sam, robin = team
    session = GroupSession.objects.filter(group=group).earliest("date")
    debrief = DebriefFactory(session=session, author=group.roles.get(user__username="bob").user)
    DebriefNoteFactory(debrief=debrief, author=sam, text="Robin sat next to Sky and seemed calmer.")
    ask_supervisor(member=robin, by=alice)
    sign_in(phone, sam)

    phone.goto(f"{live_server.url}/")
    check_accessibility(phone)
    phone.get_by_role("link", name=re.compile("Asked by")).click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Debrief material naming Robin")
    expect(phone.get_by_text("sat next to [another member] and seemed calmer.")).to_be_visible()
    check_accessibility(phone)
    screenshot(phone, "supervisor-debrief-material-phone")


def test_a_facilitator_of_another_group_finds_none_of_these_pages(page, live_server, team, make_user, sign_in):
    group, _, _, robin = team
    charlie = make_user("charlie")
    GroupRoleFactory(
        group=SupportGroupFactory(name="Hilltop group"), user=charlie, role=GroupRole.Role.LEAD_FACILITATOR
    )
    sign_in(page, charlie)

    for path in ("history/", f"members/{robin.pk}/", f"members/{robin.pk}/export/", f"members/{robin.pk}/erase/"):
        response = page.goto(f"{live_server.url}/groups/{group.pk}/{path}")
        assert response.status == 404, path
        expect(page.get_by_text("Riverside evening group")).to_have_count(0)
