"""One session's page, and what the group's plan page shows of sessions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupRole, SupportGroup
from groups.tests.factories import GroupRoleFactory
from sessions_log.services import save_register
from sessions_log.tests.factories import (
    DebriefFactory,
    GroupSessionFactory,
    LessonFactory,
    MemberFactory,
)
from sessions_log.tests.records import TODAY, url
from sessions_log.tests.sessions.helpers import UNMISTAKABLE_NAME, Status
from tests.access_matrix import (
    sign_in,
)

pytestmark = pytest.mark.django_db
SESSION_PAGE_MAX_QUERIES = 12  # with the concerns raised from it


# One session ---------------------------------------------------------------------------------


def test_the_session_page_lists_who_wrote_a_debrief_but_never_what_they_wrote(
    client, session, facilitator, coordinator
):
    debrief = DebriefFactory(session=session, author=facilitator, how_it_went="Quiet, and Robin struggled.")

    response = sign_in(client, coordinator).get(session.get_absolute_url())

    html = response.content.decode()
    assert f"Debrief by {facilitator}" in html
    assert "Quiet, and Robin struggled." not in html
    # Coordinators only learn that a debrief exists: no link to read it.
    assert url("debrief", session.group, debrief_pk=debrief.pk) not in html


def test_the_supervisor_and_author_get_a_link_to_the_debrief(client, session, facilitator, supervisor):
    debrief = DebriefFactory(session=session, author=facilitator)
    link = url("debrief", session.group, debrief_pk=debrief.pk)

    assert link in sign_in(client, supervisor).get(session.get_absolute_url()).content.decode()
    assert link in sign_in(client, facilitator).get(session.get_absolute_url()).content.decode()


def test_a_facilitator_present_is_asked_for_their_debrief_until_they_write_it(client, session, facilitator):
    write = url("debrief_write", session.group, session_pk=session.pk)
    sign_in(client, facilitator)

    assert write in client.get(session.get_absolute_url()).content.decode()
    DebriefFactory(session=session, author=facilitator)
    assert write not in client.get(session.get_absolute_url()).content.decode()


def test_a_coordinator_is_not_asked_for_a_debrief(client, session, coordinator):
    html = sign_in(client, coordinator).get(session.get_absolute_url()).content.decode()

    assert url("debrief_write", session.group, session_pk=session.pk) not in html


def test_the_session_page_shows_the_register_names_only_to_those_who_see_members(
    client, session, facilitator, supervisor
):
    robin = MemberFactory(group=session.group, display_name=UNMISTAKABLE_NAME)
    save_register(session=session, marks={robin.pk: Status.APOLOGIES}, by=facilitator)

    for_facilitator = sign_in(client, facilitator).get(session.get_absolute_url()).content.decode()
    for_supervisor = sign_in(client, supervisor).get(session.get_absolute_url()).content.decode()

    assert UNMISTAKABLE_NAME in for_facilitator
    assert UNMISTAKABLE_NAME not in for_supervisor
    assert "Sent apologies: <strong>1</strong>" in for_supervisor


def test_the_session_page_shows_its_lessons_and_links_to_record_one(client, session, coordinator):
    LessonFactory(group=session.group, session=session, what_worked="Tea first, then the check-in round.")

    html = sign_in(client, coordinator).get(session.get_absolute_url()).content.decode()

    assert "Tea first, then the check-in round." in html
    assert f"{url('lesson_create', session.group)}?session={session.pk}" in html


# The group's plan page -----------------------------------------------------------------------


def test_the_plan_page_of_a_running_group_links_to_its_sessions_and_members(client, active_group, supervisor):
    html = sign_in(client, supervisor).get(reverse("groups:plan", kwargs={"pk": active_group.pk})).content.decode()

    assert url("group_sessions", active_group) in html
    assert url("members", active_group) in html


def test_the_plan_page_of_a_group_in_planning_has_no_sessions_link(client, group, coordinator):
    html = sign_in(client, coordinator).get(reverse("groups:plan", kwargs={"pk": group.pk})).content.decode()

    assert url("group_sessions", group) not in html


def test_the_session_page_takes_the_same_queries_however_many_marks_and_debriefs(
    client, session, facilitator, django_assert_max_num_queries
):
    def session_page_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(session.get_absolute_url())
        assert response.status_code == 200
        return len(queries)

    sign_in(client, facilitator)
    # Two facilitators throughout: a session run alone reads the support plan too, for its warning.
    session.facilitators_present.add(GroupRoleFactory(group=session.group, role=GroupRole.Role.CO_FACILITATOR).user)
    members = MemberFactory.create_batch(2, group=session.group)
    save_register(session=session, marks=dict.fromkeys([m.pk for m in members], Status.ABSENT), by=facilitator)
    few = session_page_queries()
    members += MemberFactory.create_batch(10, group=session.group)
    save_register(session=session, marks=dict.fromkeys([m.pk for m in members], Status.LATE), by=facilitator)
    for _ in range(3):
        session.facilitators_present.add(GroupRoleFactory(group=session.group, role=GroupRole.Role.CO_FACILITATOR).user)
    for author in session.facilitators_present.all():
        DebriefFactory(session=session, author=author)
    LessonFactory.create_batch(3, group=session.group, session=session)

    assert session_page_queries() == few
    with django_assert_max_num_queries(SESSION_PAGE_MAX_QUERIES):
        client.get(session.get_absolute_url())


def test_the_sessions_page_lists_recent_meeting_dates_nobody_has_recorded(client, active_group, facilitator):
    SupportGroup.objects.filter(pk=active_group.pk).update(launched_at=timezone.now() - datetime.timedelta(days=60))
    tuesdays = [TODAY() - datetime.timedelta(days=(TODAY().weekday() - 1) % 7 or 7)]
    tuesdays.append(tuesdays[0] - datetime.timedelta(days=7))
    GroupSessionFactory(group=active_group, date=tuesdays[1])

    response = sign_in(client, facilitator).get(url("group_sessions", active_group))

    assert tuesdays[0] in response.context["unrecorded"]
    assert tuesdays[1] not in response.context["unrecorded"]
    assert f"?date={tuesdays[0].isoformat()}" in response.content.decode()
