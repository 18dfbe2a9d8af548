"""The dashboard people land on after signing in: a part for each role they hold, shown only
when it has something to say, at a fixed cost in queries however many groups they have."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.checklist import CHECKLIST
from groups.models import GroupRole, SupportGroup
from groups.planning import checklist_progress
from groups.tests.factories import ChecklistAnswerFactory, GroupRoleFactory, SupportGroupFactory, mark_launched
from sessions_log.models import Attendance, GroupSession
from sessions_log.schedule import upcoming_dates
from sessions_log.tests.factories import (
    AttendanceFactory,
    DebriefFactory,
    DebriefReviewFactory,
    FollowUpFactory,
    GroupSessionFactory,
    MemberFactory,
)
from sessions_log.tests.records import days_ago
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db

Role = GroupRole.Role
Status = Attendance.Status
DASHBOARD = "sessions_log:dashboard"
SECRET = "Something only Sam should read."


def launch(group):
    mark_launched(group)
    return group


def session_with_register(group, days, marks, facilitators=()):
    """A held session `days` ago whose register gave each new member one of `marks`."""
    session = GroupSessionFactory(
        group=group, date=days_ago(days), register_taken_at=timezone.now(), facilitators_present=list(facilitators)
    )
    for status in marks:
        AttendanceFactory(session=session, member=MemberFactory(group=group), status=status)
    return session


def dashboard(client, user):
    return sign_in(client, user).get(reverse(DASHBOARD))


# Access ----------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse(DASHBOARD))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse(DASHBOARD)}"


def test_signing_in_lands_on_the_dashboard(client, facilitator):
    # The sign-in page is two-factor's wizard; with OTP_REQUIRED off (pytest.ini) a password is enough.
    response = client.post(
        reverse("login"),
        {"login_view-current_step": "auth", "auth-username": "bob", "auth-password": "correct-horse-battery"},
    )

    assert response.url == reverse(DASHBOARD)


@pytest.mark.parametrize("role", ["coordinator", "facilitator", "supervisor", "outsider"])
def test_everyone_signed_in_has_a_dashboard(client, request, active_group, role):
    response = dashboard(client, request.getfixturevalue(role))

    assert response.status_code == 200


def test_the_dashboard_says_nothing_of_groups_the_person_has_no_role_in(client, active_group, outsider):
    page = dashboard(client, outsider).content.decode()

    assert active_group.name not in page


def test_someone_with_no_role_is_told_how_to_get_one(client, db):
    page = dashboard(client, UserFactory(username="newcomer")).content.decode()

    assert "You do not have a role in any group yet." in page
    assert "when its coordinator adds you to its team" in page
    assert "by your name, or by your username, <strong>newcomer</strong>" in page
    assert reverse("groups:home") in page
    # Not allowed to plan a group, and told who decides that.
    assert reverse("groups:create") not in page
    assert "ask your organisation's administrator: they decide who may plan groups" in page


def test_a_newcomer_allowed_to_plan_groups_is_told_to_start_with_one(client, db):
    newcomer = UserFactory(username="newcomer")
    newcomer.user_permissions.add(Permission.objects.get(codename="add_supportgroup"))

    page = dashboard(client, newcomer).content.decode()

    assert "You do not have a role in any group yet." in page
    assert "Start with &ldquo;Plan a new group&rdquo; at the top of the page" in page
    assert f'<a class="btn btn-primary" href="{reverse("groups:create")}">Plan a new group</a>' in page
    assert "organisation's administrator" not in page


def test_people_allowed_to_plan_groups_are_offered_a_new_one(client, coordinator):
    coordinator.user_permissions.add(Permission.objects.get(codename="add_supportgroup"))

    page = dashboard(client, coordinator).content.decode()

    assert reverse("groups:create") in page
    assert "Plan a new group" in page


def test_every_page_links_to_the_dashboard(client, coordinator):
    page = sign_in(client, coordinator).get(reverse("groups:home")).content.decode()

    assert f'href="{reverse(DASHBOARD)}">Dashboard<' in page


# Sections shown only when relevant -------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sections"),
    [
        ("coordinator", {"Groups you coordinate"}),
        ("facilitator", {"Groups you facilitate"}),
        ("supervisor", {"Supervision"}),
    ],
)
def test_each_person_sees_the_parts_for_the_roles_they_hold(client, request, active_group, role, sections):
    page = dashboard(client, request.getfixturevalue(role)).content.decode()

    every = {"Groups you coordinate", "Groups you facilitate", "Supervision"}
    shown = {title for title in every if f'-heading" class="h4">{title}</h2>' in page}
    assert shown == sections


def test_a_group_in_planning_is_not_shown_to_its_facilitator(client, group, facilitator):
    response = dashboard(client, facilitator)

    assert response.context["facilitated"] == []


# Facilitators ----------------------------------------------------------------------------------


def test_a_facilitator_sees_when_each_of_their_groups_meets_next(client, active_group, facilitator):
    response = dashboard(client, facilitator)

    [part] = response.context["facilitated"]
    expected = upcoming_dates(active_group, timezone.localdate(), 2)
    assert part.upcoming == expected
    assert len(expected) == 2
    assert expected[0].strftime("%A %-d %B") in response.content.decode()


def test_registers_not_taken_for_held_sessions_are_overdue_with_a_link_to_take_them(client, active_group, facilitator):
    missing = GroupSessionFactory(group=active_group, date=days_ago(3))
    session_with_register(active_group, 10, [Status.PRESENT])
    GroupSessionFactory(
        group=active_group,
        date=days_ago(17),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
    )

    response = dashboard(client, facilitator)

    [part] = response.context["facilitated"]
    assert part.missing_registers == [missing]
    page = response.content.decode()
    assert reverse("sessions_log:register", kwargs={"pk": active_group.pk, "session_pk": missing.pk}) in page
    assert "Overdue" in page


def test_a_facilitator_is_asked_for_debriefs_of_sessions_they_ran_only_until_they_write_them(
    client, active_group, facilitator
):
    colleague = UserFactory(username="dana")
    GroupRoleFactory(group=active_group, user=colleague, role=Role.CO_FACILITATOR)
    to_write = session_with_register(active_group, 3, [], facilitators=[facilitator, colleague])
    written = session_with_register(active_group, 10, [], facilitators=[facilitator])
    DebriefFactory(session=written, author=facilitator)
    session_with_register(active_group, 17, [], facilitators=[colleague])  # Bob was not there
    DebriefFactory(session=to_write, author=colleague)  # Dana's debrief is not Bob's

    response = dashboard(client, facilitator)

    [part] = response.context["facilitated"]
    assert part.missing_debriefs == [to_write]
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": to_write.pk})
    assert url in response.content.decode()


def test_a_facilitator_sees_their_open_follow_ups_with_who_what_and_when(client, active_group, facilitator):
    session = session_with_register(active_group, 10, [])
    late = FollowUpFactory(
        member=MemberFactory(group=active_group, display_name="Robin"),
        session=session,
        assignee=facilitator,
        due_on=days_ago(2),
        action="Phone to check in and ask how they are.",
    )
    FollowUpFactory(member=MemberFactory(group=active_group, display_name="Kit"), session=session)  # someone else's
    FollowUpFactory(
        member=MemberFactory(group=active_group, display_name="Sky"),
        session=session,
        assignee=facilitator,
        closed_at=timezone.now(),
        outcome="contacted",
    )

    response = dashboard(client, facilitator)

    [part] = response.context["facilitated"]
    assert part.follow_ups == [late]
    page = response.content.decode()
    assert "Robin" in page
    assert "Phone to check in and ask how they are." in page
    assert f"Due {late.due_on:%-d %B}" in page
    assert "Overdue" in page
    assert reverse("sessions_log:members", kwargs={"pk": active_group.pk}) in page
    assert "Kit" not in page
    assert "Sky" not in page


def test_a_facilitator_with_nothing_outstanding_is_told_so(client, active_group, facilitator):
    page = dashboard(client, facilitator).content.decode()

    assert "Up to date" in page


# Supervisors -----------------------------------------------------------------------------------


def test_a_supervisor_sees_how_many_debriefs_wait_and_how_many_are_flagged(client, active_group, supervisor):
    session = session_with_register(active_group, 3, [])
    DebriefFactory(session=session, how_it_went=SECRET)
    DebriefFactory(session=session, wellbeing=2)
    DebriefFactory(session=session_with_register(active_group, 10, []), after_concern=True)
    DebriefReviewFactory(debrief=DebriefFactory(session=session))

    response = dashboard(client, supervisor)

    supervision = response.context["supervision"]
    assert (supervision["total"], supervision["flagged"]) == (3, 2)
    page = response.content.decode()
    assert "3 debriefs awaiting your review, 2 flagged as needing attention" in page
    assert reverse("sessions_log:review_queue") in page
    assert SECRET not in page


def test_a_supervisor_sees_the_first_five_debriefs_of_the_queue(client, active_group, supervisor):
    session = session_with_register(active_group, 3, [])
    DebriefFactory.create_batch(6, session=session)
    first = DebriefFactory(session=session, wellbeing=1)

    supervision = dashboard(client, supervisor).context["supervision"]

    assert supervision["total"] == 7
    assert len(supervision["first"]) == 5
    assert supervision["first"][0] == first


# Coordinators ----------------------------------------------------------------------------------


def test_a_coordinator_sees_how_far_each_group_in_planning_has_got(client, group, coordinator):
    for item in CHECKLIST[:5]:
        ChecklistAnswerFactory(group=group, item_key=item.key)
    progress = checklist_progress(SupportGroup.objects.prefetch_related("checklist_answers").get(pk=group.pk))
    done = sum(section.is_complete for section in progress)

    page = dashboard(client, coordinator).content.decode()

    assert f"{done} of {len(progress)} sections completed" in page


def test_attendance_is_over_the_last_eight_sessions_with_a_register(client, active_group, coordinator):
    # Two old sessions nobody came to, then eight where three of four came.
    for days in (80, 73):
        session_with_register(active_group, days, [Status.ABSENT] * 4)
    for week in range(8):
        session_with_register(
            active_group, 7 * week + 3, [Status.PRESENT, Status.LATE, Status.LEFT_EARLY, Status.ABSENT]
        )
    GroupSessionFactory(group=active_group, date=days_ago(1))  # held, register not taken yet

    response = dashboard(client, coordinator)

    [rate] = response.context["attendance"]
    assert (rate.sessions, rate.marked, rate.attended, rate.percentage) == (8, 32, 24, 75)
    assert "75% attended over 8 sessions" in response.content.decode()


def test_an_active_group_without_registers_says_so(client, active_group, coordinator):
    page = dashboard(client, coordinator).content.decode()

    assert "No registers yet" in page


# Queries ---------------------------------------------------------------------------------------

# With open concerns and the sessions run alone this quarter, one query each; and the requests
# waiting for the supervisor, and the names hidden from them.
DASHBOARD_MAX_QUERIES = 17  # + the roles the main menu reads


def add_groups(user, count):
    """`count` active groups that the user coordinates and facilitates, each with members,
    sessions, registers and follow-ups; as many that they supervise (nobody supervises a group
    they coordinate), each with debriefs waiting; and as many groups in planning."""
    for _ in range(count):
        active = launch(SupportGroupFactory())
        colleague = UserFactory()
        for person, role in [
            (user, Role.COORDINATOR),
            (user, Role.LEAD_FACILITATOR),
            (colleague, Role.CO_FACILITATOR),
        ]:
            GroupRoleFactory(group=active, user=person, role=role)
        supervised = launch(SupportGroupFactory())
        GroupRoleFactory(group=supervised, user=user, role=Role.SUPERVISOR)
        GroupRoleFactory(group=supervised, user=colleague, role=Role.LEAD_FACILITATOR)
        for days in (3, 10, 17):
            session = session_with_register(
                active, days, [Status.PRESENT, Status.ABSENT, Status.LATE], facilitators=[user, colleague]
            )
            member = session.attendance.get(status=Status.ABSENT).member
            FollowUpFactory(member=member, session=session, assignee=user)
            debriefed = GroupSessionFactory(group=supervised, date=days_ago(days), facilitators_present=[colleague])
            DebriefFactory(session=debriefed, author=colleague, wellbeing=days % 5 + 1)
        GroupSessionFactory(group=active, date=days_ago(1), facilitators_present=[user])
        planning = SupportGroupFactory()
        GroupRoleFactory(group=planning, user=user, role=Role.COORDINATOR)
        ChecklistAnswerFactory(group=planning, item_key=CHECKLIST[0].key)


def test_the_dashboard_costs_the_same_queries_with_one_group_or_five(client, db, django_assert_max_num_queries):
    busy = UserFactory(username="busy")
    busy.user_permissions.add(Permission.objects.get(codename="add_supportgroup"))
    add_groups(busy, 1)
    sign_in(client, busy)
    with CaptureQueriesContext(connection) as one_group:
        response = client.get(reverse(DASHBOARD))
    assert len(response.context["facilitated"]) == 1

    add_groups(busy, 4)
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES), CaptureQueriesContext(connection) as five_groups:
        response = client.get(reverse(DASHBOARD))

    assert len(response.context["facilitated"]) == 5
    assert len(response.context["planning"]) == 5
    assert {rate.percentage for rate in response.context["attendance"]} == {67}
    assert response.context["supervision"]["total"] == 15
    assert len(five_groups) == len(one_group)
