"""The funder report: how groups ran over a period, as numbers about groups, never about a person.

Funders get numbers, not diaries (shared/DOMAIN.md): nothing here names a member or gives a
row per member, every count under 5 is shown as "fewer than 5" (see `suppress`), and a number
that would let a reader work out a hidden one from a total is hidden too (see `publish`).

Every figure is worked out in the database, in the same few queries however many groups,
sessions and members there are; only the planned meeting dates, which follow from each group's
meeting pattern, are counted in Python (no query).
"""

import datetime
from dataclasses import dataclass, field, fields

from django.db import connections
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum, Window
from django.db.models.functions import Coalesce, RowNumber, TruncMonth
from django.utils import timezone

from sessions_log.models import HELD, HELD_WITH_REGISTER, Attendance, FollowUp, GroupSession
from sessions_log.schedule import meeting_dates

SMALL_COUNT = 5
FEWER_THAN_5 = "fewer than 5"
# Shown instead of a number that is big enough to show, but would give away a small one.
HIDDEN = "not shown"
# A member's first sessions in the period: "still attending" means coming after these.
SETTLING_IN_SESSIONS = 4
DECIMAL_PLACES = 1

Held = GroupSession.Outcome.HELD
DidNotRun = GroupSession.Outcome.DID_NOT_RUN


def suppress(count: int) -> int | str:
    """Any count under 5 is shown as "fewer than 5"; 5 and over are shown as they are.

    The rule includes 0: a funder is never told that a group had no one, or one, or four
    people, because in a small group a small number can point to a person. It applies to every
    count in the report (page, CSV and chart), sessions as well as people, so that no reader
    has to know which counts are about people.
    """
    return count if count >= SMALL_COUNT else FEWER_THAN_5


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


def _period_bounds(start, end):
    """The period as aware datetimes [from, until) in the site's time zone, for timestamps."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return since, until


def figures_by_group(group_ids, start, end) -> dict[int, Figures]:
    """Every figure except the planned sessions, per group, in three queries.

    - held / not run: sessions recorded with a date in the period, by outcome;
    - attendees: distinct members marked present, late or left early at a held session in it;
    - attendances and held_with_register: for the average, marks of attending divided by held
      sessions whose register was taken (a session without a register tells nothing about
      how many came); attendances include those of members whose records have since been
      erased, kept on each session as a number, but such members are no longer among the
      attendees or those still attending, as nothing says who they were;
    - still_attending: members whose 5th or later marked held session, counting from their
      first in the period, is an attendance (a "mark" is any register entry, present or not);
    - follow-ups raised / closed: created / closed in the period, for any member of the group.
    """
    figures = {group_id: Figures() for group_id in group_ids}
    in_period = Q(date__gte=start, date__lte=end)

    sessions = (
        GroupSession.objects.filter(in_period, group_id__in=group_ids)
        .values("group_id")
        .annotate(
            held=Count("pk", filter=HELD),
            not_run=Count("pk", filter=Q(outcome=DidNotRun)),
            held_with_register=Count("pk", filter=HELD_WITH_REGISTER),
            # Marks of members whose records were erased live on only as numbers on the session.
            erased_attendances=Coalesce(Sum("erased_attended_count", filter=HELD), 0),
        )
        .order_by()
    )
    for row in sessions:
        target = figures[row["group_id"]]
        target.held, target.not_run, target.held_with_register = row["held"], row["not_run"], row["held_with_register"]
        target.attendances = row["erased_attendances"]

    for group_id, attendances, attendees, still_attending in _attendance_by_group(group_ids, start, end):
        target = figures[group_id]
        target.attendances += attendances
        target.attendees = attendees
        target.still_attending = still_attending

    since, until = _period_bounds(start, end)
    raised_in_period = Q(created_at__gte=since, created_at__lt=until)
    closed_in_period = Q(closed_at__gte=since, closed_at__lt=until)
    follow_ups = (
        FollowUp.objects.filter(raised_in_period | closed_in_period, session__group_id__in=group_ids)
        .values("session__group_id")
        .annotate(raised=Count("pk", filter=raised_in_period), closed=Count("pk", filter=closed_in_period))
        .order_by()
    )
    for row in follow_ups:
        target = figures[row["session__group_id"]]
        target.follow_ups_raised, target.follow_ups_closed = row["raised"], row["closed"]
    return figures


def _attendance_by_group(group_ids, start, end) -> list[tuple[int, int, int, int]]:
    """(group, attendances, attendees, still attending) from the marks at held sessions in the
    period, in one pass over them.

    Each member's marks are numbered in date order; a member is still attending when one of
    their marks numbered 5 or more is an attendance. The numbering must see every mark, missed
    sessions included, so whether the member came is filtered on only after it.

    The ORM builds the numbered marks, but it cannot count over a window function (PostgreSQL
    allows no window function inside an aggregate's FILTER), so the counting is one SQL
    statement around it. Filtering the marks on their number with `pk__in` instead, as the ORM
    can, reads the period's marks twice and took twice as long on 200 groups' data.
    """
    if not group_ids:
        return []  # the ORM cannot write "IN ()" into SQL, so there would be nothing to wrap
    numbered = (
        Attendance.objects.filter(
            session__group_id__in=group_ids,
            session__outcome=Held,
            session__date__gte=start,
            session__date__lte=end,
        )
        .annotate(
            nth=Window(
                RowNumber(),
                partition_by=[F("member_id")],
                order_by=[F("session__date").asc(), F("session__starts_at").asc(), F("session_id").asc()],
            ),
            came=ExpressionWrapper(Q(status__in=Attendance.ATTENDED), output_field=BooleanField()),
        )
        .values("member_id", "nth", "came", group_id=F("session__group_id"))
        .order_by()
    )
    numbered_sql, params = numbered.query.get_compiler(using=numbered.db).as_sql()
    # FILTER on an aggregate: PostgreSQL, and SQLite from 3.30 (Django 5.2 needs 3.31 or later).
    with connections[numbered.db].cursor() as cursor:
        cursor.execute(
            f"""
            SELECT group_id,
                   COUNT(*) FILTER (WHERE came),
                   COUNT(DISTINCT member_id) FILTER (WHERE came),
                   COUNT(DISTINCT member_id) FILTER (WHERE came AND nth > %s)
            FROM ({numbered_sql}) AS numbered
            GROUP BY group_id
            """,
            (SETTLING_IN_SESSIONS, *params),
        )
        return cursor.fetchall()


def _months(start, end) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def held_by_month(group_ids, start, end) -> list[tuple[datetime.date, int]]:
    """Sessions held in each calendar month of the period (all the groups together), one query."""
    counts = dict(
        GroupSession.objects.held()
        .filter(group_id__in=group_ids, date__gte=start, date__lte=end)
        .annotate(month=TruncMonth("date"))
        .values_list("month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return [(month, counts.get(month, 0)) for month in _months(start, end)]


def build_funder_report(*, groups, start: datetime.date, end: datetime.date) -> Report:
    """The report for these groups over the period [start, end], every number published safely.

    Groups that had not launched by the end of the period are left out: they held nothing.
    With more than one group, a row per group is followed by the total of them all.
    """
    groups = [group for group in groups if group.launched_at and timezone.localdate(group.launched_at) <= end]
    group_ids = [group.pk for group in groups]
    by_group = figures_by_group(group_ids, start, end) if groups else {}
    for group in groups:
        by_group[group.pk].planned = _planned(group, start, end)

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
