"""The scale generator (demo/scale.py) writes in bulk instead of through the services, so these
check that its data still keeps the services' rules, and that `seed_demo --scale` is safe."""

import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from demo.scale import CHANGE_REASON, NAME_SUFFIX, ScalePlan, seed_scale
from demo.scale_sessions import REVIEW_BACKLOG_DAYS
from groups.models import GroupRole, SupportGroup
from sessions_log.models import AbsencePolicy, Attendance, Debrief, FollowUp, GroupSession, Member
from sessions_log.services import _raise_follow_ups

PLAN = ScalePlan(groups=3, sessions_per_group=12, founding_members=6)


@pytest.fixture
def demo_users(db):
    return {name: UserFactory(username=name) for name in ("coordinator", "facilitator", "cofacilitator", "supervisor")}


@pytest.fixture
def seeded(demo_users):
    return seed_scale(plan=PLAN, demo_users=demo_users, password=None)


def test_scale_creates_running_groups_with_weekly_sessions_in_the_past(seeded):
    running = SupportGroup.objects.filter(name__endswith=NAME_SUFFIX, status=SupportGroup.Status.ACTIVE)
    assert running.count() == PLAN.groups
    assert SupportGroup.objects.filter(name__endswith=NAME_SUFFIX, status=SupportGroup.Status.PLANNING).count() == 1
    today = timezone.localdate()
    for group in running:
        dates = list(group.sessions.order_by("date").values_list("date", flat=True))
        assert len(dates) == PLAN.sessions_per_group
        assert all(later - earlier == datetime.timedelta(weeks=1) for earlier, later in itertools.pairwise(dates))
        assert dates[-1] < today
        assert {day.weekday() for day in dates} == {group.meeting_weekday}


def test_registers_name_exactly_the_members_expected_at_each_session(seeded):
    taken = GroupSession.objects.filter(register_taken_at__isnull=False)
    assert taken.exists()
    for session in taken:
        marked = set(session.attendance.values_list("member_id", flat=True))
        expected = set(Member.objects.on_register_for(session).values_list("pk", flat=True))
        assert marked == expected
        assert len(marked) == PLAN.founding_members


def test_sessions_that_did_not_run_have_a_reason_and_no_register(seeded):
    for session in GroupSession.objects.filter(outcome=GroupSession.Outcome.DID_NOT_RUN):
        assert session.not_run_reason
        assert not session.attendance.exists()


def test_follow_ups_are_those_the_service_raises_after_each_register(seeded):
    def summary(follow_ups):
        return sorted(
            (f.member_id, f.session_id, f.consecutive_misses, f.action, f.assignee_id) for f in follow_ups.all()
        )

    written = summary(FollowUp.objects)
    assert Attendance.objects.filter(status=Attendance.Status.ABSENT).count() == len(written) > 0
    FollowUp.objects.all().delete()
    for session in GroupSession.objects.filter(register_taken_at__isnull=False).order_by("date"):
        _raise_follow_ups(session=session, by=None)
    assert summary(FollowUp.objects) == written


def test_follow_ups_are_due_the_policys_days_after_the_register(seeded):
    days = datetime.timedelta(days=AbsencePolicy().days_to_follow_up)
    for follow_up in FollowUp.objects.select_related("session"):
        assert follow_up.created_at == follow_up.session.register_taken_at
        assert follow_up.due_on == timezone.localtime(follow_up.created_at).date() + days


def test_only_the_last_fortnights_debriefs_await_review(seeded):
    cutoff = timezone.localdate() - datetime.timedelta(days=REVIEW_BACKLOG_DAYS)
    awaiting = Debrief.objects.awaiting_review()
    assert awaiting.exists()
    assert not awaiting.filter(session__date__lt=cutoff).exists()
    assert not Debrief.objects.exclude(review__isnull=True).filter(session__date__gte=cutoff).exists()


def test_every_debrief_is_by_a_facilitator_present_at_its_session(seeded):
    for debrief in Debrief.objects.select_related("session"):
        assert debrief.session.facilitators_present.filter(pk=debrief.author_id).exists()


def test_the_demo_accounts_get_their_share_of_groups(demo_users):
    seed_scale(
        plan=ScalePlan(groups=24, sessions_per_group=1, founding_members=2), demo_users=demo_users, password=None
    )

    def held(username, role):
        return GroupRole.objects.filter(user=demo_users[username], role=role).count()

    # 20 running groups and the first of the one planning group.
    assert held("coordinator", GroupRole.Role.COORDINATOR) == 21
    assert held("facilitator", GroupRole.Role.LEAD_FACILITATOR) == 10
    assert held("cofacilitator", GroupRole.Role.CO_FACILITATOR) == 5
    assert held("supervisor", GroupRole.Role.SUPERVISOR) == 15


def test_every_row_written_has_its_history(seeded):
    for model in (SupportGroup, GroupSession, Attendance, FollowUp, Debrief):
        assert model.history.filter(history_change_reason=CHANGE_REASON).count() == model.objects.count()


def test_automatic_timestamps_work_again_after_seeding(seeded, demo_users):
    debrief = Debrief.objects.filter(author=demo_users["facilitator"]).first()
    created = Debrief.objects.create(session=debrief.session, author=UserFactory(), how_it_went="Fine.", wellbeing=4)
    assert created.created_at > timezone.now() - datetime.timedelta(minutes=1)


def test_seed_demo_with_scale_adds_the_data_once(db):
    call_command("seed_demo", scale=2, stdout=StringIO())
    groups = SupportGroup.objects.count()
    assert SupportGroup.objects.filter(name__endswith=NAME_SUFFIX).count() == 3

    output = StringIO()
    call_command("seed_demo", scale=2, stdout=output)
    assert SupportGroup.objects.count() == groups
    assert "nothing added" in output.getvalue()
