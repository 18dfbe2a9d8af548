"""The sessions pages and the register: who may open each one, and what each does.

Alice coordinates the group, Bob leads it and Sam supervises it. Charlie facilitates another
group, so he must not even learn that this one exists. Only facilitators record sessions and
take registers; the supervisor sees attendance as numbers, never members' names.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupRole, SupportGroup
from groups.tests.factories import GroupRoleFactory
from sessions_log import services, urls
from sessions_log.models import Attendance, FollowUp, GroupSession, Member
from sessions_log.services import SessionNotAllowed, record_session, save_register
from sessions_log.tests.factories import (
    AbsencePolicyFactory,
    AttendanceFactory,
    DebriefFactory,
    GroupSessionFactory,
    LessonFactory,
    MemberFactory,
)
from sessions_log.tests.records import TODAY, days_ago, url
from tests.access_matrix import (
    ROLES,
    Endpoint,
    allowed,
    assert_can_use,
    assert_sent_to_sign_in,
    assert_turned_away,
    messages_of,
    refused,
    sign_in,
    url_names,
)
from tests.error_summary import assert_every_link_finds_its_field, summary_links

pytestmark = pytest.mark.django_db

Status = Attendance.Status
EVERYONE = frozenset(ROLES)
FACILITATORS = frozenset({"facilitator"})
# Each counts the roles the main menu reads.
REGISTER_MAX_QUERIES = 7
SESSIONS_PAGE_MAX_QUERIES = 10
SESSION_PAGE_MAX_QUERIES = 12  # with the concerns raised from it
NOT_ACTIVE = "Sessions can only be recorded for an active group"
# Users get Faker names, which a member called "Robin" could share; nobody is called this.
UNMISTAKABLE_NAME = "Quillonelle"


# Helpers -------------------------------------------------------------------------------------


def session_data(**changes) -> dict:
    data = {
        # Today: `active_group` launched just now, and a group holds no session before its launch.
        "date": TODAY().isoformat(),
        "starts_at": "18:30",
        "ends_at": "20:00",
        "format": GroupSession.Format.IN_PERSON,
        "outcome": GroupSession.Outcome.HELD,
        "not_run_reason": "",
        "offered_instead": "",
    }
    data.update(changes)
    return data


def register_data(marks: dict) -> dict:
    return {f"member_{member.pk}": status for member, status in marks.items()}


def register_url(session):
    return url("register", session.group, session_pk=session.pk)


def set_status(group, status):
    SupportGroup.objects.filter(pk=group.pk).update(status=status, launched_at=timezone.now())
    group.refresh_from_db()
    return group


@pytest.fixture
def session(active_group, facilitator):
    """A session held a week ago, run by bob, with nobody marked yet."""
    return GroupSessionFactory(group=active_group, date=days_ago(7), facilitators_present=[facilitator])


@pytest.fixture
def things(active_group, session):
    return SimpleNamespace(group=active_group, session=session, member=MemberFactory(group=active_group))


def everything_about(group) -> dict:
    """A snapshot of the group's sessions and registers, to show a refused request changed nothing."""
    return {
        "sessions": list(GroupSession.objects.filter(group=group).order_by("pk").values()),
        "marks": list(Attendance.objects.filter(session__group=group).order_by("pk").values()),
        "follow_ups": list(FollowUp.objects.filter(session__group=group).order_by("pk").values()),
    }


# The access matrix ---------------------------------------------------------------------------


def _session(things):
    return {"session_pk": things.session.pk}


ENDPOINTS = [
    Endpoint("sessions_log:group_sessions", "GET", EVERYONE),
    Endpoint("sessions_log:session_create", "GET", FACILITATORS),
    Endpoint("sessions_log:session_create", "POST", FACILITATORS, data=lambda things: session_data()),
    Endpoint("sessions_log:session", "GET", EVERYONE, url_kwargs=_session),
    Endpoint("sessions_log:session_edit", "GET", FACILITATORS, url_kwargs=_session),
    Endpoint(
        "sessions_log:session_edit",
        "POST",
        FACILITATORS,
        url_kwargs=_session,
        data=lambda things: session_data(date=things.session.date.isoformat(), starts_at="19:00"),
    ),
    Endpoint("sessions_log:register", "GET", FACILITATORS, url_kwargs=_session),
    Endpoint(
        "sessions_log:register",
        "POST",
        FACILITATORS,
        url_kwargs=_session,
        data=lambda things: register_data({things.member: Status.PRESENT}),
    ),
]
REFUSED = refused(ENDPOINTS)
ALLOWED = allowed(ENDPOINTS)


def test_the_access_matrix_covers_every_sessions_page():
    from sessions_log.views import sessions

    assert url_names(urls, sessions) == {endpoint.name for endpoint in ENDPOINTS}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(client, things, endpoint):
    assert_sent_to_sign_in(client, things, endpoint, lambda: everything_about(things.group))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_people_outside_the_group_are_told_it_does_not_exist(client, things, outsider, endpoint):
    assert_turned_away(client, outsider, things, endpoint, lambda: everything_about(things.group), 404)


@pytest.mark.parametrize(("endpoint", "role"), REFUSED, ids=str)
def test_team_members_without_the_right_are_refused_and_nothing_changes(client, request, things, endpoint, role):
    user = request.getfixturevalue(role)
    assert_turned_away(client, user, things, endpoint, lambda: everything_about(things.group), 403)


@pytest.mark.parametrize(("endpoint", "role"), ALLOWED, ids=str)
def test_team_members_with_the_right_can_use_the_page(client, request, things, endpoint, role):
    assert_can_use(client, request.getfixturevalue(role), things, endpoint)


def test_a_co_facilitator_records_sessions_too(client, active_group):
    cofacilitator = GroupRoleFactory(group=active_group, role=GroupRole.Role.CO_FACILITATOR).user

    response = sign_in(client, cofacilitator).get(url("session_create", active_group))

    assert response.status_code == 200


# Recording a session -------------------------------------------------------------------------


# A paused group still records the meetings it did not hold (sessions_log/tests/test_endings.py).
@pytest.mark.parametrize("status", [SupportGroup.Status.PLANNING, SupportGroup.Status.CLOSED])
def test_the_service_refuses_sessions_for_a_group_that_is_not_active(group, facilitator, status):
    set_status(group, status)
    session = GroupSessionFactory.build(group=group, date=days_ago(1))

    with pytest.raises(SessionNotAllowed, match=NOT_ACTIVE):
        record_session(session=session, facilitators=[facilitator], by=facilitator)
    assert not GroupSession.objects.exists()


# A paused group still records the meetings it did not hold (sessions_log/tests/test_endings.py).
@pytest.mark.parametrize("status", [SupportGroup.Status.PLANNING, SupportGroup.Status.CLOSED])
def test_the_record_page_says_plainly_that_a_group_not_active_holds_no_sessions(client, group, facilitator, status):
    set_status(group, status)

    response = sign_in(client, facilitator).get(url("session_create", group))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sessions cannot be recorded for this group now." in html
    assert f"It is {group.get_status_display().lower()}" in html
    assert 'name="date"' not in html


# A paused group still records the meetings it did not hold (sessions_log/tests/test_endings.py).
@pytest.mark.parametrize("status", [SupportGroup.Status.PLANNING, SupportGroup.Status.CLOSED])
def test_recording_a_session_for_a_group_not_active_is_refused_with_the_reason(client, group, facilitator, status):
    set_status(group, status)

    response = sign_in(client, facilitator).post(url("session_create", group), session_data())

    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert error.startswith(NOT_ACTIVE)
    assert error in response.content.decode().replace("&#x27;", "'")
    assert not GroupSession.objects.exists()


def test_a_session_held_in_the_future_is_refused_beside_the_date_and_the_typing_kept(client, active_group, facilitator):
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()

    response = sign_in(client, facilitator).post(
        url("session_create", active_group), session_data(date=tomorrow, starts_at="19:15")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["A session cannot be recorded as held on a date still to come."]
    html = response.content.decode()
    assert f'value="{tomorrow}"' in html
    assert 'value="19:15"' in html
    assert not GroupSession.objects.exists()


def test_a_future_session_that_will_not_run_can_be_recorded_ahead(client, active_group, facilitator):
    data = session_data(
        date=(TODAY() + datetime.timedelta(days=7)).isoformat(),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
        offered_instead="A phone check-in; members were told by text.",
    )

    response = sign_in(client, facilitator).post(url("session_create", active_group), data)

    session = GroupSession.objects.get()
    assert response.url == session.get_absolute_url()
    assert session.recorded_by == facilitator


def test_recording_a_held_session_goes_straight_to_its_register(client, active_group, facilitator):
    response = sign_in(client, facilitator).post(
        url("session_create", active_group), session_data(facilitators_present=[facilitator.pk])
    )

    session = GroupSession.objects.get()
    assert response.url == register_url(session)
    assert list(session.facilitators_present.all()) == [facilitator]


def test_recording_the_same_session_twice_is_refused_on_the_form(client, things, facilitator):
    response = sign_in(client, facilitator).post(
        url("session_create", things.group), session_data(date=things.session.date.isoformat())
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["A session at that time is already recorded."]
    assert GroupSession.objects.count() == 1


def test_the_record_form_starts_from_the_date_asked_for(client, active_group, facilitator):
    day = days_ago(3)

    response = sign_in(client, facilitator).get(url("session_create", active_group) + f"?date={day.isoformat()}")

    form = response.context["form"]
    assert form["date"].value() == day
    assert form["starts_at"].value() == active_group.meeting_start
    assert form["ends_at"].value() == active_group.meeting_end
    assert form["facilitators_present"].value() == [facilitator.pk]


def test_the_record_form_offers_the_latest_meeting_date_not_yet_recorded(client, active_group, facilitator):
    # Launched a month ago, meeting weekly on Tuesdays: record the latest Tuesday, then expect the one before.
    SupportGroup.objects.filter(pk=active_group.pk).update(launched_at=timezone.now() - datetime.timedelta(days=30))
    latest_tuesday = TODAY() - datetime.timedelta(days=(TODAY().weekday() - 1) % 7)
    GroupSessionFactory(group=active_group, date=latest_tuesday)

    response = sign_in(client, facilitator).get(url("session_create", active_group))

    assert response.context["form"]["date"].value() == latest_tuesday - datetime.timedelta(days=7)


def test_editing_a_session_saves_through_the_service(client, things, facilitator):
    response = sign_in(client, facilitator).post(
        url("session_edit", things.group, session_pk=things.session.pk),
        session_data(date=things.session.date.isoformat(), starts_at="19:00", facilitators_present=[]),
    )

    assert response.url == things.session.get_absolute_url()
    things.session.refresh_from_db()
    assert things.session.starts_at == datetime.time(19, 0)
    assert not things.session.facilitators_present.exists()


# The register --------------------------------------------------------------------------------


def test_the_register_lists_everyone_expected_each_defaulting_to_present(client, session, facilitator):
    members = MemberFactory.create_batch(3, group=session.group)
    MemberFactory(group=session.group, joined_on=TODAY())  # joined after the session
    MemberFactory(group=session.group, status=Member.Status.WAITING_LIST)

    response = sign_in(client, facilitator).get(register_url(session))

    form = response.context["form"]
    assert [member for member, _, _ in form.rows()] == members
    assert all(field.value() == Status.PRESENT for _, field, _ in form.rows())


def test_the_register_shows_saved_marks_and_anyone_marked_who_has_since_left(client, session, facilitator):
    robin = MemberFactory(group=session.group, display_name="Robin")
    ash = MemberFactory(group=session.group, display_name="Ash")
    save_register(session=session, marks={robin.pk: Status.LATE, ash.pk: Status.PRESENT}, by=facilitator)
    Member.objects.filter(pk=ash.pk).update(status=Member.Status.EXITED, exited_on=TODAY(), exit_reason="moved_on")

    response = sign_in(client, facilitator).get(register_url(session))

    values = {member.display_name: field.value() for member, field, _ in response.context["form"].rows()}
    assert values == {"Ash": Status.PRESENT, "Robin": Status.LATE}
    assert "(left the group)" in response.content.decode()


def test_the_register_has_large_toggle_buttons_and_no_inline_script(client, session, facilitator):
    member = MemberFactory(group=session.group)

    html = sign_in(client, facilitator).get(register_url(session)).content.decode()

    assert html.count(f'name="member_{member.pk}"') == len(Status.choices)
    assert 'class="btn-check"' in html
    assert 'name="mark_all"' in html
    assert "sessions_log/register.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_saving_the_register_marks_every_row_and_says_what_happened(client, session, facilitator):
    present, late, absent = MemberFactory.create_batch(3, group=session.group)

    response = sign_in(client, facilitator).post(
        register_url(session), register_data({present: Status.PRESENT, late: Status.LATE, absent: Status.ABSENT})
    )

    assert response.url == session.get_absolute_url()
    marks = dict(Attendance.objects.filter(session=session).values_list("member_id", "status"))
    assert marks == {present.pk: Status.PRESENT, late.pk: Status.LATE, absent.pk: Status.ABSENT}
    session.refresh_from_db()
    assert session.has_register
    [(level, text)] = messages_of(response)
    assert level == messages.SUCCESS
    assert "2 of 3 attended" in text
    assert "1 follow-up raised" in text
    # The follow-up is a link away, on the page the message lands on.
    members_link = f'<a class="alert-link" href="{url("members", session.group)}">see them on the members page</a>'
    assert members_link in client.get(response.url).content.decode()


def test_a_register_starts_everyone_present_until_it_is_saved(client, session, facilitator):
    member = MemberFactory(group=session.group)
    sign_in(client, facilitator)

    assert "Everyone starts as present" in client.get(register_url(session)).content.decode()
    client.post(register_url(session), register_data({member: Status.ABSENT}))
    page = client.get(register_url(session)).content.decode()
    assert "Everyone starts as present" not in page
    assert "each person shows the mark they were given" in page


def test_each_persons_marks_are_a_group_that_says_how_to_use_it_by_keyboard(client, session, facilitator):
    members = MemberFactory.create_batch(2, group=session.group)

    html = sign_in(client, facilitator).get(register_url(session)).content.decode()

    assert html.count('aria-describedby="register-keys"') == len(members)
    assert (
        '<p id="register-keys" class="visually-hidden">With a keyboard, use the arrow keys to change this '
        "person's mark. Tab moves on to the next person.</p>"
    ) in html


def test_marking_everyone_present_without_javascript_saves_nothing(client, session, facilitator):
    member = MemberFactory(group=session.group)
    save_register(session=session, marks={member.pk: Status.ABSENT}, by=facilitator)

    response = sign_in(client, facilitator).post(register_url(session), {"mark_all": "1"})

    assert response.status_code == 200
    assert [field.value() for _, field, _ in response.context["form"].rows()] == [Status.PRESENT]
    assert "Everyone is marked present." in response.content.decode()
    assert Attendance.objects.get().status == Status.ABSENT


def test_changing_a_mark_keeps_the_earlier_one_in_its_history(client, session, facilitator):
    member = MemberFactory(group=session.group)
    sign_in(client, facilitator)
    client.post(register_url(session), register_data({member: Status.PRESENT}))
    assert Attendance.history.count() == 1

    client.post(register_url(session), register_data({member: Status.LEFT_EARLY}))

    mark = Attendance.objects.get()
    assert mark.status == Status.LEFT_EARLY
    assert Attendance.history.count() == 2
    assert [entry.status for entry in mark.history.order_by("history_date")] == [Status.PRESENT, Status.LEFT_EARLY]


def test_a_fault_part_way_through_saving_leaves_no_marks(client, session, facilitator, monkeypatch):
    members = MemberFactory.create_batch(4, group=session.group)

    def fail_after_the_marks_are_written(**kwargs):
        assert Attendance.objects.filter(session=session).count() == 4
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_raise_follow_ups", fail_after_the_marks_are_written)

    with pytest.raises(RuntimeError):
        sign_in(client, facilitator).post(register_url(session), register_data(dict.fromkeys(members, Status.ABSENT)))

    assert Attendance.objects.count() == 0
    assert Attendance.history.count() == 0
    session.refresh_from_db()
    assert session.register_taken_at is None


def test_a_mark_that_is_not_on_the_register_is_refused_and_nothing_saved(client, session, facilitator):
    member = MemberFactory(group=session.group)

    response = sign_in(client, facilitator).post(register_url(session), {f"member_{member.pk}": "asleep"})

    assert response.status_code == 200
    assert f"member_{member.pk}" in response.context["form"].errors
    assert not Attendance.objects.exists()
    html = response.content.decode()
    assert summary_links(html) == [
        (
            f"#id_member_{member.pk}_0",
            f"{member.display_name}: Select a valid choice. asleep is not one of the available choices.",
        )
    ]
    assert_every_link_finds_its_field(html)


def test_a_session_that_did_not_run_has_no_register_page(client, active_group, facilitator):
    session = GroupSessionFactory(
        group=active_group, outcome=GroupSession.Outcome.DID_NOT_RUN, not_run_reason=GroupSession.NotRunReason.VENUE
    )

    response = sign_in(client, facilitator).get(register_url(session))

    assert response.url == session.get_absolute_url()


def test_the_register_takes_the_same_queries_for_3_or_15_members(
    client, session, facilitator, django_assert_max_num_queries
):
    def register_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(register_url(session))
        assert response.status_code == 200
        return len(queries), len(response.context["form"].rows())

    sign_in(client, facilitator)
    members = MemberFactory.create_batch(3, group=session.group)
    save_register(session=session, marks={members[0].pk: Status.LATE}, by=facilitator)
    few, rows = register_queries()
    assert rows == 3
    MemberFactory.create_batch(12, group=session.group)

    many, rows = register_queries()

    assert rows == 15
    assert many == few
    with django_assert_max_num_queries(REGISTER_MAX_QUERIES):
        client.get(register_url(session))


# Follow-ups raised by the register -------------------------------------------------------------


class TestFollowUpsFromTheRegister:
    @pytest.fixture
    def robin(self, active_group):
        return MemberFactory(group=active_group, display_name="Robin")

    def take_registers(self, client, group, member, statuses):
        """A register each week for the given marks, oldest first."""
        for weeks_ago, status in zip(range(len(statuses), 0, -1), statuses, strict=True):
            session = GroupSessionFactory(group=group, date=days_ago(weeks_ago * 7))
            response = client.post(register_url(session), register_data({member: status}))
            assert response.status_code == 302
        return list(FollowUp.objects.filter(member=member).order_by("session__date"))

    def test_one_two_and_three_misses_raise_the_policys_steps_for_the_right_person(
        self, client, active_group, robin, facilitator, coordinator
    ):
        sign_in(client, facilitator)

        follow_ups = self.take_registers(client, active_group, robin, [Status.ABSENT] * 3)

        policy = services.absence_policy_for(active_group)
        assert [f.consecutive_misses for f in follow_ups] == [1, 2, 3]
        assert [f.action for f in follow_ups] == [
            policy.after_one_miss,
            policy.after_two_misses,
            policy.after_three_misses,
        ]
        assert [f.assignee for f in follow_ups] == [facilitator, facilitator, coordinator]

    def test_apologies_neither_raise_nor_break_a_run_by_default(self, client, active_group, robin, facilitator):
        sign_in(client, facilitator)

        follow_ups = self.take_registers(client, active_group, robin, [Status.ABSENT, Status.APOLOGIES, Status.ABSENT])

        assert [f.consecutive_misses for f in follow_ups] == [1, 2]

    def test_apologies_count_as_missed_when_the_policy_says_so(self, client, active_group, robin, facilitator):
        AbsencePolicyFactory(group=active_group, apologies_count_as_missed=True)
        sign_in(client, facilitator)

        follow_ups = self.take_registers(client, active_group, robin, [Status.APOLOGIES, Status.APOLOGIES])

        assert [f.consecutive_misses for f in follow_ups] == [1, 2]

    def test_marking_someone_present_after_all_withdraws_their_follow_up(self, client, session, robin, facilitator):
        sign_in(client, facilitator)
        client.post(register_url(session), register_data({robin: Status.ABSENT}))
        assert FollowUp.objects.filter(session=session, member=robin).exists()

        response = client.post(register_url(session), register_data({robin: Status.PRESENT}))

        assert not FollowUp.objects.filter(session=session).exists()
        _, text = messages_of(response)[-1]
        assert "1 follow-up withdrawn" in text


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
