"""The register totals kept on sessions and members (sessions_log.counters) always equal a recount
of the marks: after registers are taken and corrected, after an erasure and after the purge."""

import datetime
import random

import pytest
from django.db.models import Count, Max, Q

from groups.tests.factories import mark_launched
from sessions_log.erasure import erase_member, purge_expired
from sessions_log.models import Attendance, GroupSession, Member
from sessions_log.services import exit_member, save_register
from sessions_log.tests.factories import MemberFactory
from sessions_log.tests.records import TODAY, held_session

pytestmark = pytest.mark.django_db

STATUSES = list(Attendance.Status.values)


def kept_equals_recount(group):
    """Every session's and member's kept totals against a count of the marks, made here."""
    sessions = GroupSession.objects.filter(group=group).with_register_recount()
    assert [(s.pk, s.marked_count, s.attended_count) for s in sessions] == [
        (s.pk, s.recounted_marked, s.recounted_attended) for s in sessions
    ]
    came = Q(attendance__status__in=Attendance.ATTENDED)
    members = Member.objects.filter(group=group).annotate(
        marked=Count("attendance"),
        attended=Count("attendance", filter=came),
        last=Max("attendance__session__date", filter=came),
    )
    assert [(m.pk, m.sessions_marked, m.sessions_attended, m.last_attended_on) for m in members] == [
        (m.pk, m.marked, m.attended, m.last) for m in members
    ]
    return True


@pytest.fixture
def busy_group(group, coordinator, facilitator):
    """Eight sessions, six members, registers taken and corrected at random (a fixed seed)."""
    mark_launched(group)
    rng = random.Random(17)
    members = [
        MemberFactory(group=group, display_name=name, joined_on=TODAY() - datetime.timedelta(days=400))
        for name in ("Robin", "Sky", "Ash", "Cal", "Dee", "Eli")
    ]
    sessions = [held_session(group, days_ago, [facilitator]) for days_ago in range(56, 0, -7)]
    for session in sessions:
        save_register(session=session, marks={m.pk: rng.choice(STATUSES) for m in members}, by=facilitator)
    for session in rng.sample(sessions, 3):  # corrections, some marks changed
        save_register(session=session, marks={m.pk: rng.choice(STATUSES) for m in members}, by=facilitator)
    return members


def test_totals_equal_a_recount_after_registers_and_corrections(group, busy_group):
    assert GroupSession.objects.filter(group=group, marked_count=6).count() == 8
    assert kept_equals_recount(group)


def test_a_register_correction_that_drops_an_attendance_lowers_the_members_totals(group, busy_group, facilitator):
    robin = busy_group[0]
    session = GroupSession.objects.filter(group=group).order_by("-date").first()
    save_register(session=session, marks={m.pk: Attendance.Status.PRESENT for m in busy_group}, by=facilitator)
    robin.refresh_from_db()
    assert robin.last_attended_on == session.date

    save_register(session=session, marks={m.pk: Attendance.Status.ABSENT for m in busy_group}, by=facilitator)

    robin.refresh_from_db()
    assert robin.last_attended_on != session.date
    assert kept_equals_recount(group)


def test_totals_equal_a_recount_after_an_erasure(group, busy_group, coordinator):
    before = dict(GroupSession.objects.filter(group=group).values_list("pk", "marked_count"))

    erase_member(member=busy_group[0], reason="Asked in writing.", by=coordinator)

    assert dict(GroupSession.objects.filter(group=group).values_list("pk", "marked_count")) == before
    assert kept_equals_recount(group)


def test_totals_equal_a_recount_after_the_purge(group, busy_group, facilitator):
    group.retention_months = 1
    group.save()
    exit_member(
        member=busy_group[1], exited_on=TODAY(), reason=Member.ExitReason.MOVED_ON, aftercare="", by=facilitator
    )
    before = dict(GroupSession.objects.filter(group=group).values_list("pk", "attended_count"))

    assert purge_expired(by=None, today=TODAY() + datetime.timedelta(days=40)).members == 1

    assert dict(GroupSession.objects.filter(group=group).values_list("pk", "attended_count")) == before
    assert kept_equals_recount(group)
