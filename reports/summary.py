"""The funder report's summary: each group's figures per calendar month (GroupMonth) and each
member's marks per month (AttendeeMonth), kept up to date by the services that change what they
count, inside their own transaction.

- `refresh_months(group_id, months)` works a group's months out again from the records as they
  now are. Called after a session is recorded or corrected, a register saved, a follow-up closed,
  and after an erasure. It only ever replaces the rows made from records that are kept, so it
  always equals a count of them (reports/tests/test_summary.py).
- `keep_erased_members(group_id, member_ids)`, inside an erasure and before the records go, adds
  what those members' marks and follow-ups counted to the group's rows for erased records, and
  turns their number on their AttendeeMonth rows into a random one. So a report over a past
  period shows the same figures after an erasure or the retention purge as before it.
- `rebuild(group_ids)` works every month of these groups out again (the demo data, and a
  deployment's first summary).

Derived numbers, with no history of their own: written with bulk inserts and deletes (the reports
app is not in audit/tests/test_no_untracked_writes.py's list: nothing here is a record).
"""

import datetime
import secrets
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sessions_log.models import HELD, HELD_WITH_REGISTER, Attendance, FollowUp, GroupSession

from .models import AttendeeMonth, GroupMonth, SummaryVersion

ATTENDED = Q(status__in=Attendance.ATTENDED)
GROUP_MONTH_COUNTS = (
    "sessions_held",
    "sessions_not_run",
    "sessions_with_register",
    "marks",
    "attendances",
    "follow_ups_raised",
    "follow_ups_closed",
)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def this_month() -> datetime.date:
    """The month a follow-up raised or closed now is counted in (the site's time zone)."""
    return month_of(timezone.localdate())


def months_of_follow_ups(follow_ups) -> set[datetime.date]:
    """The months these follow-ups were raised and closed in (the site's time zone)."""
    months = set()
    for raised, closed in follow_ups.values_list("created_at", "closed_at"):
        months.update(month_of(timezone.localdate(moment)) for moment in (raised, closed) if moment)
    return months


def _in_months(months, field):
    return {f"{field}__in": sorted(months)} if months is not None else {}


def _moment_in_months(months, field) -> Q:
    """A timestamp within any of these months, in the site's time zone (every moment when None)."""
    if months is None:
        return Q()
    tz = timezone.get_current_timezone()
    within = Q(pk__in=[])
    for month in months:
        after = (month + datetime.timedelta(days=32)).replace(day=1)
        start, end = (datetime.datetime.combine(day, datetime.time.min, tzinfo=tz) for day in (month, after))
        within |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return within


def _count_group_months(group_ids, months) -> dict[tuple[int, datetime.date], dict]:
    """Every GroupMonth count of these groups' kept records, by (group, month): four queries."""
    counts: dict[tuple[int, datetime.date], dict] = defaultdict(lambda: dict.fromkeys(GROUP_MONTH_COUNTS, 0))
    sessions = (
        GroupSession.objects.filter(group_id__in=group_ids)
        .annotate(month=TruncMonth("date"))
        .filter(**_in_months(months, "month"))
        .values("group_id", "month")
        .annotate(
            sessions_held=Count("pk", filter=HELD),
            sessions_not_run=Count("pk", filter=~HELD),
            sessions_with_register=Count("pk", filter=HELD_WITH_REGISTER),
        )
        .order_by()
    )
    marks = (
        Attendance.objects.filter(session__group_id__in=group_ids, session__outcome=GroupSession.Outcome.HELD)
        .annotate(month=TruncMonth("session__date"))
        .filter(**_in_months(months, "month"))
        .values("month", group_id=F("session__group_id"))
        .annotate(marks=Count("pk"), attendances=Count("pk", filter=ATTENDED))
        .order_by()
    )
    # Every follow-up of the group's members: for missed sessions, and the check-ins after a concern
    # or after leaving, which name no session.
    follow_ups = FollowUp.objects.filter(member__group_id__in=group_ids)
    raised = (
        follow_ups.filter(_moment_in_months(months, "created_at"))
        .annotate(month=TruncMonth("created_at"))
        .values("month", group_id=F("member__group_id"))
        .annotate(follow_ups_raised=Count("pk"))
        .order_by()
    )
    closed = (
        follow_ups.filter(_moment_in_months(months, "closed_at"), closed_at__isnull=False)
        .annotate(month=TruncMonth("closed_at"))
        .values("month", group_id=F("member__group_id"))
        .annotate(follow_ups_closed=Count("pk"))
        .order_by()
    )
    for rows in (sessions, marks, raised, closed):
        for row in rows:
            month = row.pop("month")
            month = month.date() if isinstance(month, datetime.datetime) else month
            counts[(row.pop("group_id"), month)].update(row)
    return counts


def _attendee_months(group_ids, months, member_ids=None) -> list[AttendeeMonth]:
    """Each member's marks per month at held sessions, from their marks in session order."""
    marks = (
        Attendance.objects.filter(session__group_id__in=group_ids, session__outcome=GroupSession.Outcome.HELD)
        .annotate(month=TruncMonth("session__date"))
        .filter(**_in_months(months, "month"))
    )
    if member_ids is not None:
        marks = marks.filter(member_id__in=member_ids)
    marks = marks.order_by("member_id", "session__date", "session__starts_at", "session_id").values_list(
        "session__group_id", "month", "member_id", "status"
    )
    rows: dict[tuple, AttendeeMonth] = {}
    for group_id, month, member_id, status in marks:
        row = rows.get((member_id, month))
        if row is None:
            row = rows[(member_id, month)] = AttendeeMonth(group_id=group_id, month=month, attendee=member_id)
        row.marks += 1
        if status in Attendance.ATTENDED:
            row.attended += 1
            row.last_attended_position = row.marks
    return list(rows.values())


def refresh_months(group_id: int, months: Iterable[datetime.date]) -> None:
    """Work these months of the group out again from its kept records, inside the caller's
    transaction, after its change. The rows for erased records are left as they are."""
    _refresh([group_id], {month_of(month) for month in months})


def rebuild(group_ids: Iterable[int]) -> None:
    """Work every month of these groups out again from their kept records."""
    _refresh(list(group_ids), None)


def _changed(group_ids) -> None:
    """A new version of these groups' summary: figures kept in the cache under the old one are
    never read again (reports.funder)."""
    known = set(SummaryVersion.objects.filter(group_id__in=group_ids).values_list("group_id", flat=True))
    SummaryVersion.objects.bulk_create([SummaryVersion(group_id=pk) for pk in set(group_ids) - known])
    SummaryVersion.objects.filter(group_id__in=group_ids).update(version=F("version") + 1)


def _refresh(group_ids: list[int], months: set[datetime.date] | None) -> None:
    if not group_ids or months == set():
        return
    _changed(group_ids)
    counts = _count_group_months(group_ids, months)
    kept = GroupMonth.objects.filter(group_id__in=group_ids, from_erased_records=False, **_in_months(months, "month"))
    kept.delete()
    GroupMonth.objects.bulk_create(
        [GroupMonth(group_id=group_id, month=month, **figures) for (group_id, month), figures in counts.items()]
    )
    # Erased members' rows have a negative number: they stay.
    AttendeeMonth.objects.filter(group_id__in=group_ids, attendee__gt=0, **_in_months(months, "month")).delete()
    AttendeeMonth.objects.bulk_create(_attendee_months(group_ids, months))


def keep_erased_members(group_id: int, member_ids: list[int]) -> set[datetime.date]:
    """Before these members' records are erased: add what their marks and follow-ups counted to
    the group's rows for erased records, and give their AttendeeMonth rows a random number in
    place of theirs. Returns the months they counted in, for refresh_months after the erasure."""
    if not member_ids:
        return set()
    _changed([group_id])
    marks = (
        Attendance.objects.filter(member_id__in=member_ids, session__outcome=GroupSession.Outcome.HELD)
        .annotate(month=TruncMonth("session__date"))
        .values("month")
        .annotate(marks=Count("pk"), attendances=Count("pk", filter=ATTENDED))
        .order_by()
    )
    follow_ups = FollowUp.objects.filter(member_id__in=member_ids)
    additions: dict[datetime.date, dict] = defaultdict(lambda: dict.fromkeys(GROUP_MONTH_COUNTS, 0))
    for row in marks:
        additions[row.pop("month")].update(row)
    for raised, closed in follow_ups.values_list("created_at", "closed_at"):
        additions[month_of(timezone.localdate(raised))]["follow_ups_raised"] += 1
        if closed:
            additions[month_of(timezone.localdate(closed))]["follow_ups_closed"] += 1
    for month, added in sorted(additions.items()):
        row, _ = GroupMonth.objects.select_for_update().get_or_create(
            group_id=group_id, month=month, from_erased_records=True
        )
        for name, value in added.items():
            setattr(row, name, getattr(row, name) + value)
        row.save()
    for member_id in member_ids:
        rows = AttendeeMonth.objects.filter(group_id=group_id, attendee=member_id)
        # Below zero, so never a member's number; random, so never traced back to one.
        rows.update(attendee=-1 - secrets.randbelow(2**62))
    return set(additions)
