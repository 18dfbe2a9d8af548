"""The funder report reads a summary the services keep (reports.summary); its figures must equal a
count of the records themselves (reports/tests/recount.py, the way the report counted before), at
two sizes of data and for periods of one month to a year, and must not change after an erasure or
the retention purge, which take the records away."""

import datetime
import io

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.models import SupportGroup
from reports.funder import figures_by_group, whole_months
from reports.models import AttendeeMonth, GroupMonth
from reports.summary import rebuild
from sessions_log.erasure import erase_member, purge_expired
from sessions_log.models import Member
from sessions_log.services import exit_member

from .recount import recount_figures_by_group

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DEMO_USERNAMES = ("coordinator", "facilitator", "cofacilitator", "supervisor")
# Figures about sessions and marks, which the records keep as numbers after an erasure too.
NUMBERS_KEPT_ON_SESSIONS = ("held", "not_run", "held_with_register", "attendances")


def months_back(months: int) -> datetime.date:
    index = TODAY.year * 12 + TODAY.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


PERIODS = {
    "this month": whole_months(TODAY, TODAY),
    "last month": whole_months(months_back(1), months_back(1)),
    "the last three months": whole_months(months_back(3), months_back(1)),
    "the last twelve months": whole_months(months_back(11), TODAY),
    "two years to last month": whole_months(months_back(24), months_back(1)),
}


@pytest.fixture
def scale(db):
    """seed_scale's data (demo/scale.py), the benchmark's own, at a given size."""
    from demo.scale import ScalePlan, seed_scale

    users = {username: UserFactory(username=username) for username in DEMO_USERNAMES}

    def seed(groups, sessions_per_group, seed=1):
        seed_scale(
            plan=ScalePlan(groups=groups, sessions_per_group=sessions_per_group, founding_members=8),
            demo_users=users,
            password=None,
            seed=seed,
        )
        return list(SupportGroup.objects.values_list("pk", flat=True))

    return seed


def assert_summary_equals_recount(group_ids):
    for name, (start, end) in PERIODS.items():
        assert figures_by_group(group_ids, start, end) == recount_figures_by_group(group_ids, start, end), name


@pytest.mark.parametrize(("groups", "sessions_per_group"), [(3, 20), (6, 60)])
def test_the_summary_equals_a_recount_of_the_records(scale, groups, sessions_per_group):
    group_ids = scale(groups, sessions_per_group)

    assert_summary_equals_recount(group_ids)
    assert GroupMonth.objects.exists() and AttendeeMonth.objects.exists()


def test_rebuilding_the_summary_changes_nothing(scale):
    group_ids = scale(3, 30)
    before = list(GroupMonth.objects.order_by("group", "month").values())

    rebuild(group_ids)

    assert [{**row, "id": None} for row in GroupMonth.objects.order_by("group", "month").values()] == [
        {**row, "id": None} for row in before
    ]


def test_an_erasure_changes_no_figure_of_any_period(scale):
    group_ids = scale(3, 30)
    member = Member.objects.filter(sessions_attended__gt=4).order_by("pk").first()
    coordinator = SupportGroup.objects.get(pk=member.group_id).coordinators[0]
    before = {name: figures_by_group(group_ids, *period) for name, period in PERIODS.items()}

    erase_member(member=member, reason="Asked in writing.", by=coordinator)

    assert {name: figures_by_group(group_ids, *period) for name, period in PERIODS.items()} == before
    # The records no longer say who came: a recount now finds one member fewer, the summary does not.
    start, end = PERIODS["two years to last month"]
    recount = recount_figures_by_group([member.group_id], start, end)[member.group_id]
    assert recount.attendees == before["two years to last month"][member.group_id].attendees - 1
    for name in NUMBERS_KEPT_ON_SESSIONS:
        assert getattr(recount, name) == getattr(before["two years to last month"][member.group_id], name)


def test_the_purge_changes_no_figure_of_any_period(scale):
    group_ids = scale(3, 30)
    group = SupportGroup.objects.filter(pk__in=group_ids, status=SupportGroup.Status.ACTIVE).first()
    group.retention_months = 1
    group.save()
    leaving = list(Member.objects.filter(group=group, status=Member.Status.ACTIVE)[:3])
    for member in leaving:
        exit_member(
            member=member, exited_on=TODAY, reason=Member.ExitReason.MOVED_ON, aftercare="", by=group.coordinators[0]
        )
    before = {name: figures_by_group(group_ids, *period) for name, period in PERIODS.items()}

    counts = purge_expired(by=None, today=TODAY + datetime.timedelta(days=40))

    assert counts.members >= 3
    assert {name: figures_by_group(group_ids, *period) for name, period in PERIODS.items()} == before
    # Other groups, untouched, still equal a recount.
    assert_summary_equals_recount([pk for pk in group_ids if pk != group.pk])


def test_the_report_keeps_each_groups_figures_until_its_summary_changes(
    scale, django_assert_num_queries, django_assert_max_num_queries
):
    from reports.funder import figures_of_groups
    from sessions_log.models import GroupSession
    from sessions_log.services import save_register

    scale(3, 20)
    groups = list(SupportGroup.objects.filter(launched_at__isnull=False))
    start, end = PERIODS["the last twelve months"]
    first = figures_of_groups(groups, start, end)

    with django_assert_num_queries(1):  # the summaries' versions; the figures come from the cache
        assert figures_of_groups(groups, start, end) == first

    session = GroupSession.objects.filter(group=groups[0], date__gte=start).with_register().latest("date")
    marks = dict(session.attendance.values_list("member_id", "status"))
    save_register(session=session, marks=dict.fromkeys(marks, "absent"), by=groups[0].facilitators[0])

    after = figures_of_groups(groups, start, end)
    assert after[groups[0].pk].attendances < first[groups[0].pk].attendances
    assert after == {**first, groups[0].pk: after[groups[0].pk]}
    assert after == {**recount_figures_with_planned(groups, start, end)}


def recount_figures_with_planned(groups, start, end):
    from reports.funder import _planned

    recount = recount_figures_by_group([group.pk for group in groups], start, end)
    for group in groups:
        recount[group.pk].planned = _planned(group, start, end)
    return recount


def test_the_rebuild_command_works_the_summary_out_again_and_keeps_erased_members_counts(scale):
    from django.core.management import call_command

    group_ids = scale(3, 20)
    member = Member.objects.filter(sessions_attended__gt=4).order_by("pk").first()
    erase_member(
        member=member, reason="Asked in writing.", by=SupportGroup.objects.get(pk=member.group_id).coordinators[0]
    )
    before = {name: figures_by_group(group_ids, *period) for name, period in PERIODS.items()}
    GroupMonth.objects.filter(from_erased_records=False).delete()

    call_command("rebuild_funder_summary", stdout=io.StringIO())

    assert {name: figures_by_group(group_ids, *period) for name, period in PERIODS.items()} == before
