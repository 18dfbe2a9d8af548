"""When a group meets, worked out from the meeting pattern in its plan."""

import datetime

from django.utils import timezone

from groups.models import SupportGroup

Frequency = SupportGroup.Frequency


def _first_on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def meeting_dates(group, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The dates from start to end (inclusive) on which the group's pattern says it meets.

    Weekly and fortnightly groups meet on their weekday (fortnightly counted from the week the
    group launched); twice-weekly groups also meet three days later; monthly groups meet on
    the first such weekday of each month.
    """
    if start > end:
        return []
    weekday = group.meeting_weekday
    if group.meeting_frequency == Frequency.MONTHLY:
        dates = []
        month = start.replace(day=1)
        while month <= end:
            day = _first_on_or_after(month, weekday)
            if start <= day <= end:
                dates.append(day)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return dates
    weekdays = [weekday]
    if group.meeting_frequency == Frequency.TWICE_WEEKLY:
        weekdays.append((weekday + 3) % 7)
    step = 14 if group.meeting_frequency == Frequency.FORTNIGHTLY else 7
    anchor = _anchor_date(group)
    dates = []
    for day_of_week in weekdays:
        first = _first_on_or_after(anchor, day_of_week)
        if first < start:
            periods_behind = (start - first).days // step
            first += datetime.timedelta(days=periods_behind * step)
            if first < start:
                first += datetime.timedelta(days=step)
        day = first
        while day <= end:
            dates.append(day)
            day += datetime.timedelta(days=step)
    return sorted(dates)


def _anchor_date(group) -> datetime.date:
    """Where the pattern is counted from: the day the group launched, or was created while still
    planning, as the organisation's calendar has it (TIME_ZONE), not UTC's: a group launched just
    after midnight in summer launched on that day, not the one before."""
    moment = group.launched_at or group.created_at
    return timezone.localdate(moment) if moment else datetime.date(2000, 1, 3)


def upcoming_dates(group, today: datetime.date, count: int = 3) -> list[datetime.date]:
    """The next few meeting dates from today on (within the next three months)."""
    return meeting_dates(group, today, today + datetime.timedelta(days=92))[:count]


def quarter_start(day: datetime.date) -> datetime.date:
    """The first day of the calendar quarter `day` falls in (January, April, July or October)."""
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
