"""The register, and the follow-ups its absences raise."""

import re

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_log import services
from sessions_log.models import Attendance, FollowUp, GroupSession, Member
from sessions_log.services import save_register
from sessions_log.tests.factories import AbsencePolicyFactory, GroupSessionFactory, MemberFactory
from sessions_log.tests.records import TODAY, days_ago, url
from sessions_log.tests.sessions.helpers import Status, register_data, register_url
from tests.access_matrix import messages_of, sign_in
from tests.error_summary import assert_every_link_finds_its_field, summary_links

pytestmark = pytest.mark.django_db
# Each counts the roles the main menu reads.
REGISTER_MAX_QUERIES = 7


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
