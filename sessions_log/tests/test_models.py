import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups.models import SupportGroup
from groups.tests.factories import SupportGroupFactory
from sessions_log.models import AbsencePolicy, Attendance, GroupSession, attendance_percentage, naming_problem
from sessions_log.services import consecutive_misses
from sessions_log.tests.factories import AttendanceFactory, GroupSessionFactory, MemberFactory

Status = Attendance.Status
Naming = SupportGroup.NameRecording


@pytest.mark.parametrize(
    ("name", "policy", "ok"),
    [
        ("Jo", Naming.NICKNAME, True),
        ("Mary-Ann", Naming.FIRST_NAME, True),
        ("Jo Bloggs", Naming.FIRST_NAME, False),
        ("Jo Bloggs", Naming.NICKNAME, False),
        ("Jo Bloggs", Naming.FULL_NAME, True),
        ("   ", Naming.FULL_NAME, False),
    ],
)
def test_names_must_fit_the_groups_naming_policy(name, policy, ok):
    assert (naming_problem(name, policy) is None) is ok


@pytest.mark.parametrize(
    ("marks", "apologies_count", "expected"),
    [
        ([Status.ABSENT, Status.ABSENT, Status.PRESENT, Status.ABSENT], False, 2),
        ([Status.PRESENT, Status.ABSENT], False, 0),
        ([Status.ABSENT, Status.APOLOGIES, Status.ABSENT, Status.LATE], False, 2),
        ([Status.ABSENT, Status.APOLOGIES, Status.ABSENT, Status.LATE], True, 3),
        ([Status.LEFT_EARLY, Status.ABSENT], True, 0),
        ([], False, 0),
    ],
)
def test_consecutive_misses_counts_back_to_the_last_attendance(marks, apologies_count, expected):
    policy = AbsencePolicy(apologies_count_as_missed=apologies_count)
    assert consecutive_misses(marks, policy) == expected


@pytest.mark.parametrize(("misses", "step"), [(1, "one"), (2, "two"), (3, "three"), (7, "three")])
def test_three_or_more_misses_share_the_last_step(misses, step):
    policy = AbsencePolicy(after_one_miss="one", after_two_misses="two", after_three_misses="three")
    assert policy.step_for(misses)[0] == step


@pytest.mark.parametrize(("attended", "marked", "expected"), [(8, 10, 80), (2, 3, 67), (0, 4, 0), (0, 0, None)])
def test_attendance_percentage_is_whole_and_absent_when_nothing_was_marked(attended, marked, expected):
    assert attendance_percentage(attended, marked) == expected


@pytest.mark.django_db
def test_session_totals_count_registers_and_marks_in_one_query(django_assert_num_queries):
    """Held with a register, held without one, and not run; marks kept as numbers after an
    erasure count with the rest, and another group's sessions count for nothing."""
    group = SupportGroupFactory(active=True)
    today = timezone.localdate()
    taken = GroupSessionFactory(
        group=group,
        date=today - datetime.timedelta(days=7),
        register_taken_at=timezone.now(),
        erased_marked_count=2,
        erased_attended_count=1,
    )
    AttendanceFactory(session=taken, status=Attendance.Status.PRESENT)
    AttendanceFactory(session=taken, status=Attendance.Status.LATE)
    AttendanceFactory(session=taken, status=Attendance.Status.ABSENT)
    GroupSessionFactory(group=group, date=today - datetime.timedelta(days=14))
    GroupSessionFactory(
        group=group,
        date=today - datetime.timedelta(days=21),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
    )
    AttendanceFactory(session__register_taken_at=timezone.now())

    with django_assert_num_queries(1):
        totals = GroupSession.objects.filter(group=group).totals()

    assert totals == {
        "recorded": 3,
        "held": 2,
        "with_register": 1,
        "missing_register": 1,
        "marked": 5,
        "attended": 3,
    }


@pytest.mark.django_db
def test_session_totals_of_a_group_with_no_sessions_are_zero():
    GroupSessionFactory()  # another group's

    assert set(GroupSession.objects.filter(group=SupportGroupFactory(active=True)).totals().values()) == {0}


def left(joined_on, exited_on, **fields):
    return MemberFactory.build(
        group=SupportGroupFactory(),
        joined_on=joined_on,
        status="exited",
        exited_on=exited_on,
        exit_reason="moved_on",
        **fields,
    )


@pytest.mark.django_db
def test_a_member_cannot_have_joined_after_the_day_they_left():
    member = left(datetime.date(2026, 5, 4), datetime.date(2026, 5, 3))

    with pytest.raises(ValidationError) as refusal:
        member.full_clean()

    assert refusal.value.message_dict["joined_on"] == [
        "They left the group on 3 May 2026, so the date they joined must be on or before that."
    ]


@pytest.mark.django_db
def test_a_member_may_leave_on_the_day_they_joined():
    left(datetime.date(2026, 5, 3), datetime.date(2026, 5, 3)).full_clean()


@pytest.mark.django_db
def test_the_database_refuses_a_member_who_left_before_joining_whatever_the_path():
    member = left(datetime.date(2026, 5, 3), datetime.date(2026, 5, 3))
    member.save()

    member.joined_on = datetime.date(2026, 5, 4)
    with pytest.raises(IntegrityError, match="member_leaves_on_or_after_joining"), transaction.atomic():
        member.save()
