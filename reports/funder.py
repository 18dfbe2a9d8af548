"""The funder report: how groups ran over a period, as numbers about groups, never about a person.

Funders get numbers, not diaries (shared/DOMAIN.md): nothing here names a member or gives a
row per member. Every count is rounded to the nearest 5 and any count under 5 is shown as "fewer
than 5" (see `suppress`), a report covers whole calendar months only (`whole_months`), so that
no small number can be worked out by subtracting one report from another, and a number that would
let a reader work out a hidden one from a total is hidden too (see `publish`).

Every figure comes from the summary the services keep per group and month (reports.summary), in
the same few queries however long the groups' history; only the planned meeting dates, which
follow from each group's meeting pattern, are counted in Python (no query).
"""

import datetime
from dataclasses import dataclass, field, fields

from django.core.cache import cache
from django.db import connections
from django.db.models import Sum
from django.utils import timezone

from sessions_log.models import GroupSession
from sessions_log.schedule import meeting_dates

from .models import AttendeeMonth, GroupMonth, SummaryVersion

SMALL_COUNT = 5
# Every count shown is rounded to the nearest multiple of this (see `suppress`).
ROUNDING = 5
FEWER_THAN_5 = "fewer than 5"
# Shown instead of a number that is big enough to show, but would give away a small one.
HIDDEN = "not shown"
# A member's first sessions in the period: "still attending" means coming after these.
SETTLING_IN_SESSIONS = 4
DECIMAL_PLACES = 1

Held = GroupSession.Outcome.HELD
DidNotRun = GroupSession.Outcome.DID_NOT_RUN


def suppress(count: int) -> int | str:
    """Any count under 5 is shown as "fewer than 5"; 5 and over are rounded to the nearest 5.

    The rule includes 0: a funder is never told that a group had no one, or one, or four
    people, because in a small group a small number can point to a person. It applies to every
    count in the report (page, CSV and chart), sessions as well as people, so that no reader
    has to know which counts are about people.

    Rounding stops differencing: two reports over overlapping periods (January to June, and
    January to May) would otherwise give, subtracted, June's figure alone, however small. Each
    shown count is within 2 of the true one, so the difference of two shown counts leaves the
    true difference anywhere in a range 8 wide: never one number under 5, however the periods are
    chosen (reports/tests/test_differencing.py). Periods are whole calendar months, so no choice
    of days can split a month's sessions either.
    """
    if count < SMALL_COUNT:
        return FEWER_THAN_5
    return (count + ROUNDING // 2) // ROUNDING * ROUNDING


def average(total: int, sessions: int, attendees: int) -> float | str:
    """Members attending per session, to one decimal place, or HIDDEN when it rests on fewer
    than 5 sessions or fewer than 5 members: an average of a small number gives it away."""
    if sessions < SMALL_COUNT or attendees < SMALL_COUNT:
        return HIDDEN
    return round(total / sessions, DECIMAL_PLACES)


def publish(counts: list[int], *, total_is_shown: bool) -> list[int | str]:
    """The counts as they may be shown beside their total.

    Each count under 5 becomes "fewer than 5". If exactly one count is hidden that way and the
    total is shown, anyone could subtract the others from the total to find it, so the smallest
    of the other counts is hidden as well ("not shown"): then only the sum of two is known.
    """
    shown: list[int | str] = [suppress(count) for count in counts]
    small = [index for index, count in enumerate(counts) if count < SMALL_COUNT]
    if total_is_shown and len(small) == 1 and len(counts) > 1:
        others = [index for index in range(len(counts)) if index != small[0]]
        shown[min(others, key=lambda index: counts[index])] = HIDDEN
    return shown


@dataclass
class Figures:
    """The raw numbers for one group (or, added up, for all of them). Never shown as they are:
    `Report` publishes them through `suppress` and `publish`."""

    planned: int = 0
    held: int = 0
    not_run: int = 0
    attendees: int = 0
    still_attending: int = 0
    follow_ups_raised: int = 0
    follow_ups_closed: int = 0
    # Not shown: what the average is worked out from.
    held_with_register: int = 0
    attendances: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def average_attendance(self) -> float | str:
        return average(self.attendances, self.held_with_register, self.attendees)


# The report's columns: the Figures attribute and its heading.
COUNT_COLUMNS = (
    ("planned", "Sessions planned"),
    ("held", "Sessions held"),
    ("not_run", "Sessions that did not run"),
    ("attendees", "Members who attended"),
    ("still_attending", f"Members still attending after their first {SETTLING_IN_SESSIONS} sessions"),
    ("follow_ups_raised", "Follow-ups raised"),
    ("follow_ups_closed", "Follow-ups closed"),
)
AVERAGE_HEADING = "Average attendance per held session"
HEADINGS = [heading for _, heading in COUNT_COLUMNS[:4]] + [AVERAGE_HEADING] + [h for _, h in COUNT_COLUMNS[4:]]


@dataclass
class Row:
    label: str
    cells: list[int | float | str]


@dataclass
class Month:
    month: datetime.date
    held: int | str


@dataclass
class Report:
    start: datetime.date
    end: datetime.date
    rows: list[Row]
    total: Row | None
    months: list[Month]
    headings: list[str] = field(default_factory=lambda: list(HEADINGS))

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _cells(shown_counts: dict[str, int | str], average_attendance) -> list:
    counts = [shown_counts[name] for name, _ in COUNT_COLUMNS]
    return counts[:4] + [average_attendance] + counts[4:]


def _planned(group, start, end) -> int:
    """Meeting dates the group's pattern gives within the period, from its launch until it
    closed (a group that has not launched planned none)."""
    if group.launched_at is None:
        return 0
    first = max(start, timezone.localdate(group.launched_at))
    last = min(end, timezone.localdate(group.closed_at)) if group.closed_at else end
    return len(meeting_dates(group, first, last))


def whole_months(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period widened to whole calendar months: from the first day of `start`'s month to the
    last day of `end`'s. The report counts only whole months (see `suppress`)."""
    after = (end.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return start.replace(day=1), after - datetime.timedelta(days=1)


def figures_by_group(group_ids, start, end) -> dict[int, Figures]:
    """Every figure except the planned sessions, per group, for the whole months from `start`'s
    to `end`'s, from the summary the services keep (reports.summary), in two queries however long
    the groups' history:

    - held / not run: sessions recorded with a date in the period, by outcome;
    - attendees: different members marked present, late or left early at a held session in it;
    - attendances and held_with_register: for the average, marks of attending divided by held
      sessions whose register was taken (a session without a register tells nothing about how
      many came);
    - still_attending: members whose 5th or later marked held session, counting from their first
      in the period, is an attendance (a "mark" is any register entry, present or not);
    - follow-ups raised / closed: raised / closed in the period, for any member of the group.

    Members whose records have since been erased, on request or by the retention purge, still
    count in every figure as they did (their marks and follow-ups are kept as numbers, and who
    came as a random number): a report over a past period does not change after an erasure.
    """
    first, last = whole_months(start, end)
    figures = {group_id: Figures() for group_id in group_ids}
    if not group_ids:
        return figures
    months = (
        GroupMonth.objects.filter(group_id__in=group_ids, month__gte=first, month__lte=last)
        .values("group_id")
        .annotate(
            held=Sum("sessions_held"),
            not_run=Sum("sessions_not_run"),
            held_with_register=Sum("sessions_with_register"),
            attendances=Sum("attendances"),
            follow_ups_raised=Sum("follow_ups_raised"),
            follow_ups_closed=Sum("follow_ups_closed"),
        )
        .order_by()
    )
    for row in months:
        target = figures[row.pop("group_id")]
        for name, value in row.items():
            setattr(target, name, value)
    for group_id, attendees, still_attending in _attendees_by_group(group_ids, first, last):
        figures[group_id].attendees = attendees
        figures[group_id].still_attending = still_attending
    return figures


def _attendees_by_group(group_ids, first_month, last_month) -> list[tuple[int, int, int]]:
    """(group, members who attended, members still attending) from each member's months.

    A member's marks in the period are numbered across its months: those of the months before
    one, plus the place of that month's last attendance among its own marks. They are still
    attending when that number passes SETTLING_IN_SESSIONS in any month. One statement: the ORM
    cannot count over a window function (PostgreSQL allows none inside an aggregate).
    """
    table = AttendeeMonth._meta.db_table
    placeholders = ", ".join(["%s"] * len(group_ids))
    with connections[AttendeeMonth.objects.db].cursor() as cursor:
        cursor.execute(
            f"""
            SELECT group_id, SUM(came), SUM(stayed) FROM (
                SELECT group_id, attendee,
                       MAX(CASE WHEN attended > 0 THEN 1 ELSE 0 END) AS came,
                       MAX(CASE WHEN last_attended_position > 0 AND earlier + last_attended_position > %s
                           THEN 1 ELSE 0 END) AS stayed
                FROM (
                    SELECT group_id, attendee, attended, last_attended_position,
                           COALESCE(SUM(marks) OVER (
                               PARTITION BY group_id, attendee ORDER BY month
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                           ), 0) AS earlier
                    FROM {table}
                    WHERE group_id IN ({placeholders}) AND month >= %s AND month <= %s
                ) AS numbered
                GROUP BY group_id, attendee
            ) AS per_member
            GROUP BY group_id
            """,
            (SETTLING_IN_SESSIONS, *group_ids, first_month, last_month),
        )
        return [(group_id, int(came), int(stayed)) for group_id, came, stayed in cursor.fetchall()]


def _months(start, end) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def held_by_month(group_ids, start, end) -> list[tuple[datetime.date, int]]:
    """Sessions held in each calendar month of the period (all the groups together), one query."""
    first, last = whole_months(start, end)
    counts = dict(
        GroupMonth.objects.filter(group_id__in=group_ids, month__gte=first, month__lte=last)
        .values_list("month")
        .annotate(held=Sum("sessions_held"))
        .order_by()
    )
    return [(month, counts.get(month, 0)) for month in _months(first, last)]


# Figures are kept in the cache under their group's summary version, so nothing in the cache is
# ever read after a change: this only lets unused entries go.
FIGURES_CACHE_SECONDS = 24 * 60 * 60


def _figures_key(group, version: int, start, end) -> str:
    """What a group's figures for the period depend on: its summary's version, and the parts of
    its plan that say when it meets (for the sessions planned). Numbers only, nothing personal."""
    pattern = (group.meeting_frequency, group.meeting_weekday, group.launched_at, group.closed_at, group.created_at)
    moments = ":".join(f"{moment:%Y%m%d%H%M%S%f}" if moment else "-" for moment in pattern[2:])
    return f"funder-figures:{group.pk}:{version}:{pattern[0]}:{pattern[1]}:{moments}:{start:%Y%m}:{end:%Y%m}"


def figures_of_groups(groups, start, end) -> dict[int, Figures]:
    """Each group's figures, planned sessions included, for the whole months from `start`'s to
    `end`'s: from the cache when the group's summary has not changed since they were worked out
    (reports.summary bumps its version with every change), else from the summary. An
    organisation-wide report then costs about the same however many groups it covers: the figures
    of a group nobody has changed are not worked out again."""
    start, end = whole_months(start, end)
    versions = dict(
        SummaryVersion.objects.filter(group_id__in=[group.pk for group in groups]).values_list("group_id", "version")
    )
    keys = {group.pk: _figures_key(group, versions.get(group.pk, 0), start, end) for group in groups}
    found = cache.get_many(list(keys.values()))
    figures = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [group for group in groups if group.pk not in figures]
    if missing:
        worked_out = figures_by_group([group.pk for group in missing], start, end)
        for group in missing:
            worked_out[group.pk].planned = _planned(group, start, end)
        cache.set_many({keys[pk]: figure for pk, figure in worked_out.items()}, FIGURES_CACHE_SECONDS)
        figures.update(worked_out)
    return figures


def build_funder_report(*, groups, start: datetime.date, end: datetime.date) -> Report:
    """The report for these groups over the period [start, end], every number published safely.

    Groups that had not launched by the end of the period are left out: they held nothing.
    With more than one group, a row per group is followed by the total of them all.
    """
    start, end = whole_months(start, end)
    groups = [group for group in groups if group.launched_at and timezone.localdate(group.launched_at) <= end]
    group_ids = [group.pk for group in groups]
    by_group = figures_of_groups(groups, start, end) if groups else {}

    figures = [by_group[group.pk] for group in groups]
    total = sum(figures, Figures())
    months = held_by_month(group_ids, start, end) if groups else []
    month_cells = publish([count for _, count in months], total_is_shown=total.held >= SMALL_COUNT)

    if len(groups) <= 1:
        rows = [Row(group.name, _published_row(figure)) for group, figure in zip(groups, figures, strict=True)]
        return Report(start, end, rows, None, [Month(m, c) for (m, _), c in zip(months, month_cells, strict=True)])

    columns = {}
    for name, _ in COUNT_COLUMNS:
        counts = [getattr(figure, name) for figure in figures]
        columns[name] = publish(counts, total_is_shown=getattr(total, name) >= SMALL_COUNT)
    rows = [
        Row(group.name, _cells({name: columns[name][index] for name in columns}, figure.average_attendance))
        for index, (group, figure) in enumerate(zip(groups, figures, strict=True))
    ]
    total_row = Row("All these groups", _published_row(total))
    return Report(start, end, rows, total_row, [Month(m, c) for (m, _), c in zip(months, month_cells, strict=True)])


def _published_row(figure: Figures) -> list:
    return _cells({name: suppress(getattr(figure, name)) for name, _ in COUNT_COLUMNS}, figure.average_attendance)
