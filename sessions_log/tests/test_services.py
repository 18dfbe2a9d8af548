import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from groups.models import GroupRole, SupportGroup
from groups.tests.factories import GroupRoleFactory, SupportGroupFactory
from sessions_log import services
from sessions_log.models import AbsencePolicy, Attendance, FollowUp, GroupSession, Member
from sessions_log.services import (
    SessionNotAllowed,
    add_member,
    admit_from_waiting_list,
    close_follow_up,
    exit_member,
    record_session,
    save_register,
)
from sessions_log.tests.factories import GroupSessionFactory, MemberFactory

pytestmark = pytest.mark.django_db

Status = Attendance.Status
TODAY = timezone.localdate


def held_session(group, days_ago, facilitator=None):
    return GroupSessionFactory(
        group=group,
        date=TODAY() - datetime.timedelta(days=days_ago),
        facilitators_present=[facilitator] if facilitator else [],
    )


class TestMembers:
    def test_a_member_joins_while_there_is_room(self, active_group, facilitator):
        member = add_member(member=MemberFactory.build(group=active_group, display_name="Jo"), by=facilitator)
        assert member.status == Member.Status.ACTIVE

    def test_a_member_added_to_a_full_group_goes_on_the_waiting_list(self, active_group, facilitator):
        active_group.maximum_size = 2
        active_group.save()
        MemberFactory.create_batch(2, group=active_group)
        member = add_member(member=MemberFactory.build(group=active_group, display_name="Kit"), by=facilitator)
        assert member.status == Member.Status.WAITING_LIST

    def test_a_waiting_member_is_admitted_only_when_there_is_room(self, active_group, facilitator):
        active_group.maximum_size = 2
        active_group.save()
        first = MemberFactory(group=active_group)
        MemberFactory(group=active_group)
        waiting = add_member(member=MemberFactory.build(group=active_group, display_name="Kit"), by=facilitator)
        with pytest.raises(ValidationError):
            admit_from_waiting_list(member=waiting, by=facilitator)
        exit_member(
            member=first,
            exited_on=TODAY(),
            reason=Member.ExitReason.MOVED_ON,
            aftercare="A call in a month.",
            by=facilitator,
        )
        assert admit_from_waiting_list(member=waiting, by=facilitator).status == Member.Status.ACTIVE

    def test_nickname_groups_refuse_a_full_name(self, active_group, facilitator):
        active_group.member_names = SupportGroup.NameRecording.NICKNAME
        active_group.save()
        with pytest.raises(ValidationError) as error:
            add_member(member=MemberFactory.build(group=active_group, display_name="Jo Bloggs"), by=facilitator)
        assert "display_name" in error.value.message_dict

    def test_full_name_groups_accept_a_full_name(self, active_group, facilitator):
        active_group.member_names = SupportGroup.NameRecording.FULL_NAME
        active_group.save()
        assert add_member(member=MemberFactory.build(group=active_group, display_name="Jo Bloggs"), by=facilitator).pk

    def test_contact_details_are_refused_when_the_plan_does_not_allow_contact(self, active_group, facilitator):
        member = MemberFactory.build(group=active_group, display_name="Jo", contact_details="07700 900123")
        with pytest.raises(ValidationError) as error:
            add_member(member=member, by=facilitator)
        assert "contact_details" in error.value.message_dict

    def test_a_member_who_has_left_cannot_leave_again(self, active_group, facilitator):
        member = MemberFactory(group=active_group)
        exit_member(
            member=member, exited_on=TODAY(), reason=Member.ExitReason.MOVED_ON, aftercare="Call", by=facilitator
        )
        with pytest.raises(ValidationError):
            exit_member(member=member, exited_on=TODAY(), reason=Member.ExitReason.OTHER, aftercare="", by=facilitator)
        member.refresh_from_db()
        assert member.exit_reason == Member.ExitReason.MOVED_ON

    def test_a_member_cannot_leave_before_joining(self, active_group, facilitator):
        member = MemberFactory(group=active_group, joined_on=TODAY())
        with pytest.raises(ValidationError):
            exit_member(
                member=member,
                exited_on=TODAY() - datetime.timedelta(days=1),
                reason="other",
                aftercare="Call",
                by=facilitator,
            )

    def test_leaving_closes_the_members_open_follow_ups(self, active_group, facilitator):
        member = MemberFactory(group=active_group)
        session = held_session(active_group, 7)
        save_register(session=session, marks={member.pk: Status.ABSENT}, by=facilitator)
        exit_member(
            member=member,
            exited_on=TODAY(),
            reason=Member.ExitReason.STOPPED_COMING,
            aftercare="Letter",
            by=facilitator,
        )
        missed = FollowUp.objects.get(member=member, kind=FollowUp.Kind.MISSED_SESSIONS)
        assert missed.outcome == FollowUp.Outcome.MEMBER_LEFT


class TestRecordSession:
    def make(self, group, **fields):
        # Today: `active_group` launched just now, and a group holds no session before its launch.
        fields = {"date": TODAY(), **fields}
        return GroupSessionFactory.build(group=group, **fields)

    def test_a_facilitator_records_a_session_of_an_active_group(self, active_group, facilitator):
        session = record_session(session=self.make(active_group), facilitators=[facilitator], by=facilitator)
        assert list(session.facilitators_present.all()) == [facilitator]
        assert session.recorded_by == facilitator

    @pytest.mark.parametrize(
        "status, refusal",
        [
            ("planning", "only be recorded for an active group"),
            # A paused group records only the meetings it did not hold, with what was offered instead.
            ("paused", "only meetings that did not run are recorded"),
            ("closed", "only be recorded for an active group"),
        ],
    )
    def test_held_sessions_are_refused_unless_the_group_is_active(self, group, facilitator, status, refusal):
        SupportGroup.objects.filter(pk=group.pk).update(status=status, launched_at=timezone.now())
        with pytest.raises(SessionNotAllowed, match=refusal):
            record_session(session=self.make(group), facilitators=[facilitator], by=facilitator)
        assert not GroupSession.objects.exists()

    def test_a_session_cannot_be_held_in_the_future(self, active_group, facilitator):
        tomorrow = TODAY() + datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as error:
            record_session(session=self.make(active_group, date=tomorrow), facilitators=[], by=facilitator)
        assert "date" in error.value.message_dict

    def test_a_session_that_did_not_run_needs_a_reason(self, active_group, facilitator):
        session = self.make(active_group, outcome=GroupSession.Outcome.DID_NOT_RUN)
        with pytest.raises(ValidationError) as error:
            record_session(session=session, facilitators=[], by=facilitator)
        assert "not_run_reason" in error.value.message_dict

    def test_a_future_session_that_will_not_run_can_be_recorded_ahead(self, active_group, facilitator):
        session = self.make(
            active_group,
            date=TODAY() + datetime.timedelta(days=7),
            outcome=GroupSession.Outcome.DID_NOT_RUN,
            not_run_reason=GroupSession.NotRunReason.HOLIDAY,
            offered_instead="Phone check-ins",
        )
        assert record_session(session=session, facilitators=[], by=facilitator).pk

    def test_a_session_with_a_register_cannot_become_one_that_did_not_run(self, active_group, facilitator):
        member = MemberFactory(group=active_group)
        session = held_session(active_group, 7)
        save_register(session=session, marks={member.pk: Status.PRESENT}, by=facilitator)
        session.outcome, session.not_run_reason = GroupSession.Outcome.DID_NOT_RUN, "holiday"
        with pytest.raises(ValidationError) as error:
            record_session(session=session, facilitators=[], by=facilitator)
        assert "outcome" in error.value.message_dict

    def test_coordinators_and_supervisors_do_not_record_sessions(self, active_group, coordinator, supervisor):
        for person in (coordinator, supervisor):
            with pytest.raises(PermissionDenied):
                record_session(session=self.make(active_group), facilitators=[], by=person)


class TestRegister:
    def test_saving_a_register_marks_everyone_and_stamps_the_session(self, active_group, facilitator):
        members = MemberFactory.create_batch(3, group=active_group)
        session = held_session(active_group, 7)
        save_register(session=session, marks={m.pk: Status.PRESENT for m in members}, by=facilitator)
        assert Attendance.objects.filter(session=session).count() == 3
        session.refresh_from_db()
        assert session.has_register

    def test_changing_a_mark_keeps_the_earlier_one_in_history(self, active_group, facilitator):
        co_facilitator = GroupRoleFactory(group=active_group, role=GroupRole.Role.CO_FACILITATOR).user
        member = MemberFactory(group=active_group)
        session = held_session(active_group, 7)
        save_register(session=session, marks={member.pk: Status.PRESENT}, by=facilitator)
        save_register(session=session, marks={member.pk: Status.LATE}, by=co_facilitator)
        mark = Attendance.objects.get(session=session, member=member)
        assert mark.status == Status.LATE
        assert [h.status for h in mark.history.order_by("history_date")] == [Status.PRESENT, Status.LATE]
        assert mark.history.earliest("history_date").history_user == facilitator
        assert mark.history.latest("history_date").history_user == co_facilitator

    def test_a_fault_part_way_through_leaves_no_marks(self, active_group, facilitator, monkeypatch):
        members = MemberFactory.create_batch(4, group=active_group)
        session = held_session(active_group, 7)

        def fail(**kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr(services, "_raise_follow_ups", fail)
        with pytest.raises(RuntimeError):
            save_register(session=session, marks={m.pk: Status.ABSENT for m in members}, by=facilitator)
        assert Attendance.objects.count() == 0
        assert Attendance.history.count() == 0
        session.refresh_from_db()
        assert not session.has_register

    def test_a_register_cannot_name_a_member_of_another_group(self, active_group, facilitator):
        stranger = MemberFactory()
        with pytest.raises(ValidationError):
            save_register(session=held_session(active_group, 7), marks={stranger.pk: Status.PRESENT}, by=facilitator)
        assert Attendance.objects.count() == 0

    def test_a_session_that_did_not_run_has_no_register(self, active_group, facilitator):
        session = GroupSessionFactory(
            group=active_group, outcome=GroupSession.Outcome.DID_NOT_RUN, not_run_reason="holiday"
        )
        member = MemberFactory(group=active_group)
        with pytest.raises(ValidationError):
            save_register(session=session, marks={member.pk: Status.PRESENT}, by=facilitator)


class TestAbsenceFollowUp:
    @pytest.fixture
    def member(self, active_group):
        return MemberFactory(group=active_group, display_name="Robin")

    def miss_in_a_row(self, group, member, by, statuses):
        """One session a week for each status, oldest first; returns the follow-ups raised."""
        for weeks_ago, status in zip(range(len(statuses), 0, -1), statuses, strict=True):
            save_register(session=held_session(group, weeks_ago * 7), marks={member.pk: status}, by=by)
        return list(FollowUp.objects.filter(member=member).order_by("session__date"))

    def test_one_two_and_three_misses_raise_stepped_follow_ups(self, active_group, member, facilitator, coordinator):
        follow_ups = self.miss_in_a_row(active_group, member, facilitator, [Status.ABSENT] * 4)
        policy = services.absence_policy_for(active_group)
        assert [f.consecutive_misses for f in follow_ups] == [1, 2, 3, 4]
        assert [f.action for f in follow_ups] == [
            policy.after_one_miss,
            policy.after_two_misses,
            policy.after_three_misses,
            policy.after_three_misses,
        ]
        assert [f.assignee for f in follow_ups] == [facilitator, facilitator, coordinator, coordinator]
        assert all(f.due_on == TODAY() + datetime.timedelta(days=policy.days_to_follow_up) for f in follow_ups)

    def test_attending_resets_the_run(self, active_group, member, facilitator):
        follow_ups = self.miss_in_a_row(active_group, member, facilitator, [Status.ABSENT, Status.LATE, Status.ABSENT])
        assert [f.consecutive_misses for f in follow_ups] == [1, 1]

    def test_apologies_are_passed_over_by_default(self, active_group, member, facilitator):
        follow_ups = self.miss_in_a_row(
            active_group, member, facilitator, [Status.ABSENT, Status.APOLOGIES, Status.ABSENT]
        )
        assert [f.consecutive_misses for f in follow_ups] == [1, 2]

    def test_apologies_count_when_the_policy_says_so(self, active_group, member, facilitator):
        AbsencePolicy.objects.create(group=active_group, apologies_count_as_missed=True)
        follow_ups = self.miss_in_a_row(active_group, member, facilitator, [Status.APOLOGIES, Status.APOLOGIES])
        assert [f.consecutive_misses for f in follow_ups] == [1, 2]

    def test_a_group_can_change_what_happens(self, active_group, member, facilitator, coordinator):
        AbsencePolicy.objects.create(
            group=active_group, after_one_miss="Coordinator rings", after_one_miss_assignee="coordinator"
        )
        [follow_up] = self.miss_in_a_row(active_group, member, facilitator, [Status.ABSENT])
        assert (follow_up.action, follow_up.assignee) == ("Coordinator rings", coordinator)

    def test_correcting_the_register_withdraws_an_open_follow_up(self, active_group, member, facilitator):
        session = held_session(active_group, 7)
        save_register(session=session, marks={member.pk: Status.ABSENT}, by=facilitator)
        assert FollowUp.objects.count() == 1
        save_register(session=session, marks={member.pk: Status.PRESENT}, by=facilitator)
        assert FollowUp.objects.count() == 0

    def test_saving_the_same_register_twice_raises_one_follow_up(self, active_group, member, facilitator):
        session = held_session(active_group, 7)
        for _ in range(2):
            save_register(session=session, marks={member.pk: Status.ABSENT}, by=facilitator)
        assert FollowUp.objects.count() == 1

    def test_closing_a_follow_up_records_outcome_and_who(self, active_group, member, facilitator):
        [follow_up] = self.miss_in_a_row(active_group, member, facilitator, [Status.ABSENT])
        close_follow_up(
            follow_up=follow_up, outcome=FollowUp.Outcome.CONTACTED, note="Spoke; back next week.", by=facilitator
        )
        follow_up.refresh_from_db()
        assert not follow_up.is_open
        assert follow_up.closed_by == facilitator
        with pytest.raises(ValidationError):
            close_follow_up(follow_up=follow_up, outcome=FollowUp.Outcome.OTHER, note="", by=facilitator)

    def test_a_later_session_on_the_same_day_does_not_hide_a_miss(self, active_group, member, facilitator):
        early = GroupSessionFactory(group=active_group, starts_at=datetime.time(18, 30), ends_at=datetime.time(19))
        late = GroupSessionFactory(
            group=active_group, date=early.date, starts_at=datetime.time(20, 30), ends_at=datetime.time(21)
        )
        save_register(session=late, marks={member.pk: Status.PRESENT}, by=facilitator)
        changes = save_register(session=early, marks={member.pk: Status.ABSENT}, by=facilitator)
        assert [f.consecutive_misses for f in changes.raised] == [1]

    def test_reading_the_policy_does_not_store_one(self, active_group):
        assert services.absence_policy_for(active_group).pk is None
        assert not AbsencePolicy.objects.exists()

    def test_without_a_lead_facilitator_a_co_facilitator_is_assigned(self, coordinator):
        group = SupportGroupFactory(active=True)
        GroupRole.objects.filter(group=group, role=GroupRole.Role.LEAD_FACILITATOR).delete()
        co = GroupRoleFactory(group=group, role=GroupRole.Role.CO_FACILITATOR).user
        member = MemberFactory(group=group)
        save_register(session=held_session(group, 7), marks={member.pk: Status.ABSENT}, by=co)
        assert FollowUp.objects.get().assignee == co
