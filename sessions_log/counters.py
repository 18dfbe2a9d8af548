"""Register totals kept on the rows pages read: each session's marked and attended numbers, and
each member's sessions marked, attended and the date they last came.

They are worked out afresh from the marks (with a session's erased members' numbers) by
`refresh_register_counts`, which the services that change marks call inside their own
transaction, after the change: `save_register`, and erasure and the retention purge
(sessions_log.erasure). So they always equal a recount (sessions_log/tests/test_counters.py),
and the pages that show them count nothing.

These are numbers derived from rows whose every change is in the history, so they are left out of
the history themselves (`excluded_fields`) and written with one UPDATE each, the only writes in
the app made around django-simple-history on purpose (audit/tests/test_no_untracked_writes.py
lists this module).
"""

from collections.abc import Iterable

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Attendance, GroupSession, Member

ATTENDED = Q(status__in=Attendance.ATTENDED)


def _count(marks, condition=None):
    """A subquery counting the marks (of one session or one member), 0 when there are none."""
    counted = marks.order_by().annotate(n=Count("pk", filter=condition)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def refresh_register_counts(*, session_ids: Iterable[int] = (), member_ids: Iterable[int] = ()) -> None:
    """Work the kept totals of these sessions and members out again from their marks. Inside the
    caller's transaction, after it has changed the marks."""
    session_ids, member_ids = sorted(set(session_ids)), sorted(set(member_ids))
    if session_ids:
        marks = Attendance.objects.filter(session=OuterRef("pk")).values("session")
        GroupSession.objects.filter(pk__in=session_ids).update(
            marked_count=_count(marks) + F("erased_marked_count"),
            attended_count=_count(marks, ATTENDED) + F("erased_attended_count"),
        )
    if member_ids:
        marks = Attendance.objects.filter(member=OuterRef("pk")).values("member")
        last_came = marks.filter(ATTENDED).order_by().annotate(last=Max("session__date")).values("last")
        Member.objects.filter(pk__in=member_ids).update(
            sessions_marked=_count(marks),
            sessions_attended=_count(marks, ATTENDED),
            last_attended_on=Subquery(last_came),
        )
