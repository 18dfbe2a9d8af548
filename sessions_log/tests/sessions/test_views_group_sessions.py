"""The group's sessions page: its list, its attendance chart and its query count."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups.models import SupportGroup
from sessions_log.models import GroupSession
from sessions_log.services import save_register
from sessions_log.tests.factories import (
    AttendanceFactory,
    GroupSessionFactory,
    MemberFactory,
)
from sessions_log.tests.records import days_ago, url
from sessions_log.tests.sessions.helpers import UNMISTAKABLE_NAME, Status, set_status
from tests.access_matrix import (
    sign_in,
)

pytestmark = pytest.mark.django_db
SESSIONS_PAGE_MAX_QUERIES = 10


# The group's sessions page -------------------------------------------------------------------


def test_the_sessions_page_offers_facilitators_the_coming_dates_to_record(client, active_group, facilitator):
    response = sign_in(client, facilitator).get(url("group_sessions", active_group))

    upcoming = [day for day, _ in response.context["upcoming"]]
    assert upcoming
    html = response.content.decode()
    for day in upcoming:
        assert f"{url('session_create', active_group)}?date={day.isoformat()}" in html


def test_the_sessions_page_offers_no_recording_to_a_coordinator(client, active_group, coordinator):
    html = sign_in(client, coordinator).get(url("group_sessions", active_group)).content.decode()

    assert url("session_create", active_group) not in html


def test_a_held_session_without_a_register_reads_as_not_taken(client, session, coordinator):
    html = sign_in(client, coordinator).get(url("group_sessions", session.group)).content.decode()

    assert ">Not taken</span>" in html
    assert "1 register not taken" in html


def test_the_attendance_chart_is_an_accessible_image_with_the_same_numbers_in_a_table(client, session, facilitator):
    members = MemberFactory.create_batch(3, group=session.group)
    save_register(
        session=session,
        marks={members[0].pk: Status.PRESENT, members[1].pk: Status.LATE, members[2].pk: Status.ABSENT},
        by=facilitator,
    )

    html = sign_in(client, facilitator).get(url("group_sessions", session.group)).content.decode()

    assert 'role="img"' in html
    assert '<title id="chart-title">' in html
    assert re.search(r"<desc id=\"chart-desc\">[^<]*2 of 3\.", html)
    assert html.count(">2 of 3</text>") == 1
    assert "<caption>The chart's numbers</caption>" in html


# A Tuesday at noon: the test's "today", far from midnight, so its dates cannot change under it.
CHART_TODAY = datetime.datetime(2026, 11, 17, 12, 0, tzinfo=datetime.UTC)


@time_machine.travel(CHART_TODAY, tick=False)
def test_the_chart_shows_at_most_the_last_twelve_registers(client, active_group, facilitator):
    member = MemberFactory(group=active_group)
    # Oldest first, so that the order rows happen to come back in would not pass for newest first.
    for week in range(14, 0, -1):
        AttendanceFactory(session=GroupSessionFactory(group=active_group, date=days_ago(7 * week)), member=member)
    GroupSession.objects.update(register_taken_at=timezone.now())

    response = sign_in(client, facilitator).get(url("group_sessions", active_group))

    rows = response.context["chart"].rows
    assert len(rows) == 12
    assert [row.session.date for row in rows] == [days_ago(7 * week) for week in range(12, 0, -1)]


def test_recorded_sessions_come_twenty_a_page_newest_first_with_totals_over_them_all(client, active_group, facilitator):
    # Oldest first, so that an order the database happens to keep would not pass for newest first.
    for week in range(25, 0, -1):
        GroupSessionFactory(group=active_group, date=days_ago(7 * week))
    sign_in(client, facilitator)

    first = client.get(url("group_sessions", active_group))
    second = client.get(url("group_sessions", active_group), {"page": 2})

    assert [session.date for session in first.context["page"]] == [days_ago(7 * week) for week in range(1, 21)]
    assert [session.date for session in second.context["page"]] == [days_ago(7 * week) for week in range(21, 26)]
    assert first.context["totals"]["held"] == second.context["totals"]["held"] == 25
    assert "25 sessions recorded; showing 1 to 20, newest first." in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    assert "25 registers not taken." in second.content.decode()


def test_the_supervisor_sees_attendance_numbers_but_no_names(client, session, facilitator, supervisor):
    robin = MemberFactory(group=session.group, display_name=UNMISTAKABLE_NAME)
    save_register(session=session, marks={robin.pk: Status.PRESENT}, by=facilitator)

    response = sign_in(client, supervisor).get(url("group_sessions", session.group))

    html = response.content.decode()
    assert UNMISTAKABLE_NAME not in html
    assert "1 of 1" in html
    assert "Each member's attendance" not in html


def test_facilitators_see_each_members_attendance(client, session, facilitator):
    robin = MemberFactory(group=session.group, display_name="Robin")
    MemberFactory(group=session.group, display_name="Sky")
    save_register(session=session, marks={robin.pk: Status.LATE}, by=facilitator)

    response = sign_in(client, facilitator).get(url("group_sessions", session.group))

    summary = {
        m.display_name: (m.sessions_attended, m.sessions_marked, m.last_attended_on)
        for m in response.context["members"]
    }
    assert summary == {"Robin": (1, 1, session.date), "Sky": (0, 0, None)}


def test_the_sessions_page_takes_the_same_queries_however_many_members_and_sessions(
    client, active_group, facilitator, django_assert_max_num_queries
):
    def sessions_page_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("group_sessions", active_group))
        assert response.status_code == 200
        return len(queries)

    def add(sessions, members):
        new_members = MemberFactory.create_batch(members, group=active_group)
        for _ in range(sessions):
            session = GroupSessionFactory(group=active_group, date=days_ago(7 * (GroupSession.objects.count() + 1)))
            save_register(
                session=session, marks=dict.fromkeys([m.pk for m in new_members], Status.PRESENT), by=facilitator
            )

    sign_in(client, facilitator)
    add(sessions=2, members=3)
    few = sessions_page_queries()
    add(sessions=15, members=12)

    assert sessions_page_queries() == few
    with django_assert_max_num_queries(SESSIONS_PAGE_MAX_QUERIES):
        client.get(url("group_sessions", active_group))


def test_a_paused_group_expects_no_sessions(client, active_group, facilitator):
    set_status(active_group, SupportGroup.Status.PAUSED)

    response = sign_in(client, facilitator).get(url("group_sessions", active_group))

    assert response.context["upcoming"] == []
    assert "The group is paused, so it holds no sessions for now." in response.content.decode()
