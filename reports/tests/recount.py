"""The funder report's figures counted straight from the records, the way the report counted them
before it read a summary: what the summary the services keep (reports.summary) must always equal.
Only the tests use it."""

import datetime

from django.db import connections
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from reports.funder import SETTLING_IN_SESSIONS, Figures
from sessions_log.models import HELD, HELD_WITH_REGISTER, Attendance, FollowUp, GroupSession

Held = GroupSession.Outcome.HELD
DidNotRun = GroupSession.Outcome.DID_NOT_RUN


def _period_bounds(start, end):
    """The period as aware datetimes [from, until) in the site's time zone, for timestamps."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return since, until


def recount_figures_by_group(group_ids, start, end) -> dict[int, Figures]:
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
