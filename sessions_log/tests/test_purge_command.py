"""`manage.py purge_expired`: what it prints (numbers, never names or content) and what --dry-run does."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone

from audit.models import AccessEvent
from groups.models import SupportGroup
from groups.tests.factories import mark_launched
from sessions_log import erasure
from sessions_log.erasure import PurgeIncomplete, access_log_cutoff, months_before, purge_expired
from sessions_log.models import Attendance, Debrief, Member
from sessions_log.services import exit_member
from sessions_log.tests.factories import DebriefFactory, FollowUpFactory, MemberFactory
from sessions_log.tests.records import TODAY, close, held_session, snapshot, take_register

pytestmark = pytest.mark.django_db

SECRET_NOTE = "Talked about how hard the anniversary was."


@pytest.fixture
def expired(group, facilitator):
    """A group with two members who left long ago, whose names and notes must never be printed,
    and a closed group past its retention period with a debrief."""
    mark_launched(group)
    session = held_session(group, 500, [facilitator])
    names = ["Zephyrine", "Quillon"]
    for name in names:
        member = MemberFactory(group=group, display_name=name, joined_on=TODAY() - datetime.timedelta(days=900))
        take_register(session, {member: Attendance.Status.PRESENT}, facilitator)
        FollowUpFactory(member=member, session=session, note=SECRET_NOTE)
        exit_member(
            member=member,
            exited_on=TODAY() - datetime.timedelta(days=450),
            reason=Member.ExitReason.MOVED_ON,
            aftercare=SECRET_NOTE,
            by=facilitator,
        )
    closed = close(SupportGroup.objects.create(name="Old group", purpose="p", why_group_work="w"), days_ago=800)
    old_session = held_session(closed, 900, [facilitator])
    MemberFactory(group=closed, display_name="Marigold")
    DebriefFactory(session=old_session, author=facilitator, how_it_went=SECRET_NOTE)
    return names + ["Marigold"]


def run(*args) -> str:
    out = StringIO()
    call_command("purge_expired", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_purge_prints_counts_and_never_a_name_or_a_word_of_content(expired):
    output = run()

    assert "Erased: 3 member record(s)" in output
    assert "1 debrief(s)" in output
    for name in expired:
        assert name not in output
    assert SECRET_NOTE not in output
    assert "anniversary" not in output
    assert not Member.objects.filter(display_name__in=expired).exists()


def test_a_dry_run_changes_nothing_and_says_so(expired):
    before = snapshot()

    output = run("--dry-run")

    assert snapshot() == before
    assert "Would erase: 3 member record(s)" in output
    assert "Dry run: nothing was changed." in output
    for name in expired:
        assert name not in output


def test_a_second_run_finds_nothing_to_erase(expired):
    run()

    output = run()

    assert re.findall(r"(\d+) (?:member|attendance|follow-up|debrief|history|access)", output) == ["0"] * 6


@pytest.fixture
def first_group_fails(monkeypatch, group):
    """The first group's purge fails half-way: after its members are erased, on its access log."""
    purge_access_log = erasure.purge_access_log

    def failing(*, before, group=None):
        if group is not None and group.pk == failing.group.pk:
            raise DatabaseError("could not serialize access")
        return purge_access_log(before=before, group=group)

    failing.group = group
    monkeypatch.setattr(erasure, "purge_access_log", failing)
    return group


def test_a_group_whose_purge_fails_is_left_as_it_was_and_the_others_are_still_purged(
    expired, first_group_fails, caplog
):
    # Before, every group was purged in one transaction: one failure undid them all and stopped.
    with pytest.raises(PurgeIncomplete) as incomplete:
        purge_expired(by=None, today=TODAY())

    assert incomplete.value.failed_group_ids == [first_group_fails.pk]
    # The failed group's members are all still there, erased members' access events included ...
    assert set(Member.objects.filter(group=first_group_fails).values_list("display_name", flat=True)) == {
        "Zephyrine",
        "Quillon",
    }
    assert not AccessEvent.objects.filter(group=first_group_fails, action=AccessEvent.Action.ERASED_MEMBER).exists()
    # ... and the closed group after it was purged.
    assert incomplete.value.counts.members == 1
    assert not Member.objects.filter(display_name="Marigold").exists()
    assert not Debrief.objects.exists()
    assert f"group {first_group_fails.pk} (DatabaseError)" in caplog.text
    assert "Zephyrine" not in caplog.text


def test_the_command_reports_the_groups_it_could_not_purge_by_id_and_fails(expired, first_group_fails):
    out = StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("purge_expired", stdout=out, stderr=out)

    assert failure.value.returncode == 1
    assert str(failure.value).startswith(f"The purge failed for 1 group(s) (ids {first_group_fails.pk}).")
    assert "Erased: 1 member record(s)" in out.getvalue()
    for name in expired + [first_group_fails.name, "Old group"]:
        assert name not in out.getvalue() + str(failure.value)


def test_a_dry_run_that_meets_a_failing_group_changes_nothing_either(expired, first_group_fails):
    before = snapshot()

    with pytest.raises(CommandError):
        run("--dry-run")

    assert snapshot() == before


def _access_event(days_ago: int = 0, *, at=None, group=None, action=AccessEvent.Action.VIEWED_DEBRIEF) -> AccessEvent:
    event = AccessEvent.objects.create(action=action, group=group, object_type="sessions_log.Debrief")
    at = at or timezone.now() - datetime.timedelta(days=days_ago)
    AccessEvent.objects.filter(pk=event.pk).update(at=at)
    return event


@pytest.mark.parametrize("months", [24, 6])
def test_the_access_log_is_kept_for_its_stated_time_and_then_deleted(settings, months):
    settings.ACCESS_LOG_RETENTION_MONTHS = months
    limit_in_days = (TODAY() - months_before(TODAY(), months)).days
    kept = [_access_event(days) for days in (0, limit_in_days - 1)]
    _access_event(limit_in_days + 1)
    _access_event(limit_in_days + 400)

    assert "Would erase: 0 member record(s)" in run("--dry-run")
    assert AccessEvent.objects.count() == 4

    output = run()

    assert "2 access log record(s) past their retention period" in output
    assert list(AccessEvent.objects.order_by("pk")) == kept


def test_erasing_members_for_retention_keeps_the_new_access_event_that_says_so(expired):
    old = _access_event(5000)

    run()

    assert not AccessEvent.objects.filter(pk=old.pk).exists()
    actions = list(AccessEvent.objects.values_list("action", flat=True))
    assert actions
    assert set(actions) == {AccessEvent.Action.ERASED_MEMBER}


def test_a_group_that_keeps_its_records_longer_keeps_who_opened_them_as_long(settings, group):
    settings.ACCESS_LOG_RETENTION_MONTHS = 24
    SupportGroup.objects.filter(pk=group.pk).update(retention_months=36)
    thirty_months_ago = (TODAY() - months_before(TODAY(), 30)).days
    forty_months_ago = (TODAY() - months_before(TODAY(), 40)).days
    kept = [_access_event(thirty_months_ago, group=group)]
    _access_event(forty_months_ago, group=group)
    _access_event(thirty_months_ago)

    run()

    assert list(AccessEvent.objects.all()) == kept


def test_records_of_erasures_outlive_the_access_log_without_their_reason(settings, group):
    settings.ACCESS_LOG_RETENTION_MONTHS = 24
    old = [
        _access_event(5000, group=group, action=AccessEvent.Action.ERASED_MEMBER),
        _access_event(5000, action=AccessEvent.Action.ERASED_MEMBER),
    ]
    recent = _access_event(10, group=group, action=AccessEvent.Action.ERASED_MEMBER)
    AccessEvent.objects.filter(action=AccessEvent.Action.ERASED_MEMBER).update(detail="Asked by phone.")

    assert "0 access log record(s)" in run()

    assert list(AccessEvent.objects.order_by("pk")) == [*old, recent]
    assert {event.pk: event.detail for event in AccessEvent.objects.all()} == {
        old[0].pk: "",
        old[1].pk: "",
        recent.pk: "Asked by phone.",
    }


def test_the_access_log_cutoff_is_local_midnight_the_stated_months_ago(settings, db):
    """The last day of March, one month back, is the last day of February; an event a second
    before that midnight goes, one at midnight stays."""
    settings.ACCESS_LOG_RETENTION_MONTHS = 1
    today = datetime.date(2026, 3, 31)
    cutoff = access_log_cutoff(today)
    assert timezone.localtime(cutoff).replace(tzinfo=None) == datetime.datetime(2026, 2, 28)
    kept = _access_event(at=cutoff)
    _access_event(at=cutoff - datetime.timedelta(seconds=1))

    counts = purge_expired(by=None, today=today)

    assert counts.access_events == 1
    assert list(AccessEvent.objects.all()) == [kept]
