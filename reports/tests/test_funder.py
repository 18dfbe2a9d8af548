"""The funder report's rules: which counts are hidden, and how each figure is counted."""

import datetime

import pytest
from django.utils import timezone

from groups.models import SupportGroup
from groups.tests.factories import SupportGroupFactory
from reports.chart import monthly_chart
from reports.funder import (
    FEWER_THAN_5,
    HIDDEN,
    Month,
    average,
    build_funder_report,
    figures_by_group,
    publish,
    suppress,
    whole_months,
)
from reports.summary import rebuild
from sessions_log.erasure import erase_member
from sessions_log.models import Attendance, FollowUp, GroupSession
from sessions_log.tests.factories import AttendanceFactory, FollowUpFactory, GroupSessionFactory, MemberFactory

from .conftest import launched_group

Status = Attendance.Status
TODAY = timezone.localdate()


def days_ago(days) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


# The report counts whole calendar months: the period is the three months before this one.
PERIOD_START, PERIOD_END = whole_months(
    (TODAY.replace(day=1) - datetime.timedelta(days=80)), TODAY.replace(day=1) - datetime.timedelta(days=1)
)


def inside(days) -> datetime.date:
    """A day `days` after the period starts: always in it for fewer than 89 days."""
    return PERIOD_START + datetime.timedelta(days=days)


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def held(group, on, *, register=True):
    return GroupSessionFactory(group=group, date=on, register_taken_at=timezone.now() if register else None)


def not_run(group, on):
    return GroupSessionFactory(
        group=group,
        date=on,
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
    )


def figures_of(group, start, end):
    return figures_by_group([group.pk], start, end)[group.pk]


# suppress, average and publish ----------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4])
def test_every_count_under_5_including_0_is_shown_as_fewer_than_5(count):
    assert suppress(count) == "fewer than 5"


@pytest.mark.parametrize(("count", "shown"), [(5, 5), (6, 5), (7, 5), (8, 10), (12, 10), (13, 15), (250, 250)])
def test_counts_of_5_and_over_are_rounded_to_the_nearest_5(count, shown):
    assert suppress(count) == shown


def test_an_average_is_shown_to_one_decimal_place_when_it_rests_on_5_sessions_and_5_members():
    assert average(37, 5, 5) == 7.4


@pytest.mark.parametrize(("sessions", "attendees"), [(4, 10), (10, 4), (0, 0)])
def test_an_average_resting_on_fewer_than_5_sessions_or_members_is_not_shown(sessions, attendees):
    assert average(30, sessions, attendees) == HIDDEN


def test_a_lone_small_count_beside_a_shown_total_also_hides_the_smallest_other_count():
    # Total 3 + 9 + 20 = 32 is shown; without hiding 9, 32 - 9 - 20 would give away the 3.
    assert publish([20, 3, 9], total_is_shown=True) == [20, FEWER_THAN_5, HIDDEN]


def test_two_small_counts_hide_each_other_so_nothing_more_is_hidden():
    assert publish([20, 3, 1], total_is_shown=True) == [20, FEWER_THAN_5, FEWER_THAN_5]


def test_nothing_more_is_hidden_when_the_total_itself_is_not_shown():
    assert publish([3, 0], total_is_shown=False) == [FEWER_THAN_5, FEWER_THAN_5]


# What each figure counts ----------------------------------------------------------------------


@pytest.fixture
def period():
    return PERIOD_START, PERIOD_END


def test_sessions_held_and_not_run_count_only_those_dated_in_the_period(group, period):
    start, end = period
    for week in range(6):
        held(group, inside(8 + 7 * week))
    not_run(group, inside(51))
    not_run(group, inside(61))
    held(group, start - datetime.timedelta(days=1))  # the day before the period starts
    held(group, end + datetime.timedelta(days=1))  # the day after it ends

    figures = figures_of(group, *period)

    assert (figures.held, figures.not_run) == (6, 2)


def test_members_who_attended_are_counted_once_each_and_only_when_they_came(group, period):
    regular, late_comer, apologetic = (MemberFactory(group=group) for _ in range(3))
    first, second = held(group, inside(10)), held(group, inside(17))
    AttendanceFactory(session=first, member=regular, status=Status.PRESENT)
    AttendanceFactory(session=second, member=regular, status=Status.LEFT_EARLY)
    AttendanceFactory(session=first, member=late_comer, status=Status.LATE)
    AttendanceFactory(session=first, member=apologetic, status=Status.APOLOGIES)
    AttendanceFactory(session=second, member=apologetic, status=Status.ABSENT)

    figures = figures_of(group, *period)

    assert figures.attendees == 2
    assert figures.attendances == 3
    assert figures.held_with_register == 2


def test_the_average_divides_attendances_by_held_sessions_with_a_register(group, period):
    members = [MemberFactory(group=group) for _ in range(6)]
    for week in range(5):
        session = held(group, inside(8 + 7 * week))
        for member in members[: 5 + (week == 0)]:
            AttendanceFactory(session=session, member=member)
    held(group, inside(50), register=False)  # says nothing about how many came

    figures = figures_of(group, *period)

    assert figures.held == 6
    assert figures.average_attendance == 5.2  # 26 attendances over 5 registers


def test_members_whose_records_were_erased_still_count_as_they_did(group, period, coordinator):
    members = [MemberFactory(group=group) for _ in range(5)]
    came, stayed_away = MemberFactory(group=group), MemberFactory(group=group)
    for week in range(5):
        session = held(group, inside(8 + 7 * week))
        for member in members:
            AttendanceFactory(session=session, member=member)
        AttendanceFactory(session=session, member=came, status=Status.PRESENT if week else Status.ABSENT)
        AttendanceFactory(session=session, member=stayed_away, status=Status.ABSENT)
    FollowUpFactory(member=stayed_away, session=session)  # raised this month
    before, this_month = figures_of(group, *period), figures_of(group, TODAY, TODAY)

    for member in (came, stayed_away):
        erase_member(member=member, reason="Asked in writing.", by=coordinator)

    assert figures_of(group, *period) == before
    assert figures_of(group, TODAY, TODAY) == this_month
    assert (before.attendees, before.still_attending) == (6, 6)
    assert before.average_attendance == 5.8  # 25 + 4 attendances over 5 registers
    assert this_month.follow_ups_raised == 1


def _marks(group, member, statuses, *, first):
    """A mark per status, a week apart, oldest first."""
    for index, status in enumerate(statuses):
        on = first + datetime.timedelta(days=7 * index)
        session = GroupSession.objects.filter(group=group, date=on).first() or held(group, on)
        AttendanceFactory(session=session, member=member, status=status)


def test_a_member_still_attends_after_their_first_4_sessions_when_their_5th_or_later_mark_is_an_attendance(
    group, period
):
    P, A = Status.PRESENT, Status.ABSENT
    fifth_attended = MemberFactory(group=group)
    _marks(group, fifth_attended, [P, P, P, P, P], first=inside(2))
    sixth_attended = MemberFactory(group=group)
    _marks(group, sixth_attended, [A, P, A, P, A, Status.LATE], first=inside(2))
    only_four = MemberFactory(group=group)
    _marks(group, only_four, [P, P, P, P], first=inside(2))
    fifth_missed = MemberFactory(group=group)
    _marks(group, fifth_missed, [P, P, P, P, A], first=inside(2))

    assert figures_of(group, *period).still_attending == 2


def test_sessions_before_the_period_do_not_count_towards_a_members_first_4(group, period):
    member = MemberFactory(group=group)
    # Four sessions before the period, then two inside it: only the 1st and 2nd in the period.
    _marks(group, member, [Status.PRESENT] * 6, first=inside(-27))

    assert figures_of(group, *period).still_attending == 0


def test_no_groups_have_no_figures(db, period):
    assert figures_by_group([], *period) == {}


def test_follow_ups_are_counted_as_raised_and_closed_within_the_period(group, period):
    start, end = period
    member = MemberFactory(group=group)
    # (raised, closed) for each: the summary is then worked out again, as the services would.
    times = [
        (inside(11), inside(17)),
        (inside(18), None),
        (inside(-99), inside(15)),
        (end + datetime.timedelta(days=2), None),
    ]
    for raised, closed in times:
        follow_up = FollowUpFactory(member=member, session=held(group, raised - datetime.timedelta(days=1)))
        FollowUp.objects.filter(pk=follow_up.pk).update(
            created_at=moment(raised),
            closed_at=moment(closed) if closed else None,
            outcome=FollowUp.Outcome.CONTACTED if closed else "",
        )
    rebuild([group.pk])

    figures = figures_of(group, start, end)

    assert (figures.follow_ups_raised, figures.follow_ups_closed) == (2, 2)


# Planned sessions and the whole report --------------------------------------------------------


def _tuesdays(start, end):
    return sum(1 for n in range((end - start).days + 1) if (start + datetime.timedelta(days=n)).weekday() == 1)


def test_planned_sessions_are_the_meeting_dates_in_the_period_from_launch(db, period):
    start, end = period
    long_running = launched_group("Long running")
    launched_lately = launched_group("Launched lately", days_ago=(TODAY - inside(30)).days)

    report = build_funder_report(groups=[long_running, launched_lately], start=start, end=end)

    planned = {row.label: row.cells[0] for row in report.rows}
    # Counts rounded to the nearest 5, as every count is.
    assert planned["Long running"] == suppress(_tuesdays(start, end))
    assert planned["Launched lately"] == suppress(_tuesdays(timezone.localdate(launched_lately.launched_at), end))
    assert planned["Long running"] > planned["Launched lately"] >= 5


def test_a_closed_group_planned_no_sessions_after_it_closed(db, period):
    start, end = period
    closed = launched_group("Closed one")
    SupportGroup.objects.filter(pk=closed.pk).update(status=SupportGroup.Status.CLOSED, closed_at=moment(inside(40)))
    closed.refresh_from_db()

    report = build_funder_report(groups=[closed], start=start, end=end)

    assert report.rows[0].cells[0] == suppress(_tuesdays(start, inside(40)))


def test_groups_that_had_not_launched_are_left_out_and_several_groups_get_a_total(db, period):
    start, end = period
    first, second = launched_group("First"), launched_group("Second")
    planning = SupportGroupFactory(name="Still planning")
    for week in range(6):
        held(first, inside(8 + 7 * week))
        held(second, inside(8 + 7 * week))

    report = build_funder_report(groups=[first, planning, second], start=start, end=end)

    assert [row.label for row in report.rows] == ["First", "Second"]
    held_column = report.headings.index("Sessions held")
    assert [row.cells[held_column] for row in report.rows] == [5, 5]  # 6, rounded to the nearest 5
    assert report.total.cells[held_column] == 10  # 12, rounded


# The chart ------------------------------------------------------------------------------------


def test_a_month_with_fewer_than_5_is_a_dashed_box_reaching_5_never_a_full_bar():
    chart = monthly_chart([Month(TODAY.replace(day=1), FEWER_THAN_5), Month(TODAY.replace(day=1), HIDDEN)])

    small, hidden = chart.bars
    assert small.is_small and small.value_label == "<5"
    assert 0 < small.height <= (chart.baseline - chart.ticks[-1].y) / 2
    assert hidden.is_hidden and hidden.height == 0 and hidden.value_label == "–"
    assert [tick.value for tick in chart.ticks] == [0, 5, 10]


def test_the_chart_scale_grows_in_round_steps_with_the_busiest_month():
    chart = monthly_chart([Month(TODAY.replace(day=1), 9), Month(TODAY.replace(day=1), 23)])

    assert [tick.value for tick in chart.ticks] == [0, 5, 10, 15, 20, 25]
    assert chart.bars[1].height > chart.bars[0].height > 0
