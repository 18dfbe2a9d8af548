"""Erasing a member on request, and purging records past the group's retention period (LS-Q20).

Both use one mechanism: the member, their marks, their follow-ups and every history copy go, and
the sessions they came to keep their attendance numbers. Robin is the member being erased; Sky
stays, and must lose nothing.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AccessEvent
from groups.models import SupportGroup
from sessions_log import erasure
from sessions_log.erasure import erase_member, months_before, purge_expired
from sessions_log.models import Attendance, Debrief, DebriefNote, DebriefReview, FollowUp, GroupSession, Member
from sessions_log.services import exit_member
from sessions_log.tests.factories import (
    DebriefFactory,
    DebriefNoteFactory,
    DebriefReviewFactory,
    LessonFactory,
    MemberFactory,
)
from sessions_log.tests.records import (
    TODAY,
    close,
    held_session,
    history_rows_referencing,
    register_counts,
    snapshot,
    take_register,
)

pytestmark = pytest.mark.django_db

Status = Attendance.Status


@pytest.fixture
def scene(active_group, facilitator):
    """An active group where Robin and Sky have been on three registers; Robin missed the last
    two (so has follow-ups) and had his record edited (so has several history copies)."""
    group = active_group
    robin = MemberFactory(group=group, display_name="Robin")
    sky = MemberFactory(group=group, display_name="Sky")
    robin.referral_route, robin.referring_organisation = Member.Referral.PROFESSIONAL, "Riverside GP surgery"
    robin.save()
    sessions = [held_session(group, days_ago, [facilitator]) for days_ago in (21, 14, 7)]
    take_register(sessions[0], {robin: Status.PRESENT, sky: Status.PRESENT}, facilitator)
    take_register(sessions[1], {robin: Status.ABSENT, sky: Status.LATE}, facilitator)
    take_register(sessions[2], {robin: Status.APOLOGIES, sky: Status.ABSENT}, facilitator)
    # A corrected mark, so Robin's attendance has more than one history copy.
    take_register(sessions[2], {robin: Status.ABSENT, sky: Status.ABSENT}, facilitator)
    return SimpleNamespace(group=group, robin=robin, sky=sky, sessions=sessions)


def left(group, name, *, days_ago, facilitator=None):
    member = MemberFactory(group=group, display_name=name, joined_on=TODAY() - datetime.timedelta(days=900))
    exit_member(
        member=member,
        exited_on=TODAY() - datetime.timedelta(days=days_ago),
        reason=Member.ExitReason.MOVED_ON,
        aftercare="A call a month later.",
        by=facilitator or group.coordinators[0],
    )
    return member


# Erasure on request ----------------------------------------------------------------------------


def test_erasing_a_member_removes_their_record_marks_and_follow_ups(scene, coordinator):
    assert FollowUp.objects.filter(member=scene.robin).exists()

    counts = erase_member(member=scene.robin, reason="Asked in writing on 3 March.", by=coordinator)

    assert not Member.objects.filter(pk=scene.robin.pk).exists()
    assert not Attendance.objects.filter(member_id=scene.robin.pk).exists()
    assert not FollowUp.objects.filter(member_id=scene.robin.pk).exists()
    assert (counts.members, counts.attendance_marks, counts.follow_ups) == (1, 3, 2)
    assert counts.history_copies > counts.attendance_marks


def test_after_erasure_no_history_table_references_the_member(scene, coordinator):
    assert history_rows_referencing(scene.robin.pk)  # the check can see them before

    erase_member(member=scene.robin, reason="Asked in writing on 3 March.", by=coordinator)

    assert history_rows_referencing(scene.robin.pk) == {}


def test_erasing_a_member_keeps_every_sessions_attendance_numbers(scene, coordinator):
    before = register_counts(scene.group)
    assert before == {scene.sessions[0].pk: (2, 2), scene.sessions[1].pk: (2, 1), scene.sessions[2].pk: (2, 0)}

    erase_member(member=scene.robin, reason="Asked in writing on 3 March.", by=coordinator)

    assert register_counts(scene.group) == before
    assert sum(session.erased_marked_count for session in GroupSession.objects.filter(group=scene.group)) == 3


def test_erasing_one_member_leaves_the_others_records_and_history_alone(scene, coordinator):
    sky_marks = list(Attendance.objects.filter(member=scene.sky).values())
    sky_history = history_rows_referencing(scene.sky.pk)

    erase_member(member=scene.robin, reason="Asked in writing on 3 March.", by=coordinator)

    assert list(Attendance.objects.filter(member=scene.sky).values()) == sky_marks
    assert history_rows_referencing(scene.sky.pk) == sky_history


def test_an_erasure_is_recorded_by_member_number_and_reason_never_by_name(scene, coordinator):
    erase_member(member=scene.robin, reason="Robin asked in writing on 3 March.", by=coordinator)

    event = AccessEvent.objects.get(action=AccessEvent.Action.ERASED_MEMBER)
    assert (event.user, event.group, event.object_type, event.object_id) == (
        coordinator,
        scene.group,
        "sessions_log.Member",
        scene.robin.pk,
    )
    assert event.detail == "[the member] asked in writing on 3 March."
    assert "Robin" not in str(AccessEvent.objects.values_list())


@pytest.mark.parametrize("role", ["facilitator", "supervisor", "outsider"])
def test_only_a_coordinator_may_erase_a_member(scene, request, role):
    user = request.getfixturevalue(role)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        erase_member(member=scene.robin, reason="Asked in writing.", by=user)

    assert snapshot() == before


def test_an_erasure_needs_a_reason(scene, coordinator):
    before = snapshot()

    with pytest.raises(ValidationError) as refusal:
        erase_member(member=scene.robin, reason="   ", by=coordinator)

    assert "reason" in refusal.value.message_dict
    assert snapshot() == before


def test_an_erasure_that_fails_part_way_changes_nothing(scene, coordinator, monkeypatch):
    before = snapshot()

    def log_is_down(**kwargs):
        raise RuntimeError("the access log could not be written")

    monkeypatch.setattr(erasure, "record_access", log_is_down)
    with pytest.raises(RuntimeError):
        erase_member(member=scene.robin, reason="Asked in writing.", by=coordinator)

    assert snapshot() == before


def test_a_member_cannot_be_erased_twice(scene, coordinator):
    erase_member(member=scene.robin, reason="Asked in writing.", by=coordinator)

    with pytest.raises(ValidationError, match="already been erased"):
        erase_member(member=scene.robin, reason="Asked again.", by=coordinator)


def test_a_register_saved_after_an_erasure_still_counts_the_erased_marks(scene, coordinator, facilitator):
    erase_member(member=scene.robin, reason="Asked in writing.", by=coordinator)

    take_register(scene.sessions[0], {scene.sky: Status.ABSENT}, facilitator)

    assert register_counts(scene.group)[scene.sessions[0].pk] == (2, 1)


def test_the_session_page_summary_still_adds_up_after_an_erasure(client, scene, coordinator):
    session = scene.sessions[0]
    before = GroupSession.objects.with_register_counts().get(pk=session.pk).marked_count
    erase_member(member=scene.robin, reason="Asked in writing.", by=coordinator)
    client.force_login(coordinator)

    response = client.get(reverse("sessions_log:session", kwargs={"pk": scene.group.pk, "session_pk": session.pk}))

    assert sum(count for _, count in response.context["register_summary"]) == before


# Retention ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "months", "expected"),
    [
        (datetime.date(2026, 5, 15), 12, datetime.date(2025, 5, 15)),
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 3, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 1, 10), 14, datetime.date(2024, 11, 10)),
    ],
)
def test_months_before_counts_calendar_months(today, months, expected):
    assert months_before(today, months) == expected


def test_members_who_left_longer_ago_than_the_retention_period_are_erased(scene, facilitator):
    scene.group.retention_months = 12
    scene.group.save()
    long_gone = left(scene.group, "Ash", days_ago=400)
    recent = left(scene.group, "Bea", days_ago=300)

    counts = purge_expired(by=None, today=TODAY())

    assert counts.members == 1
    assert not Member.objects.filter(pk=long_gone.pk).exists()
    assert history_rows_referencing(long_gone.pk) == {}
    assert set(Member.objects.filter(group=scene.group).values_list("display_name", flat=True)) == {
        "Robin",
        "Sky",
        "Bea",
    }
    assert history_rows_referencing(recent.pk)


def test_the_retention_period_is_each_groups_own(scene, facilitator):
    scene.group.retention_months = 24
    scene.group.save()
    left(scene.group, "Ash", days_ago=400)

    assert purge_expired(by=None, today=TODAY()).members == 0


def test_a_group_closed_longer_than_its_retention_period_keeps_only_its_sessions_and_numbers(scene, facilitator):
    debrief = DebriefFactory(session=scene.sessions[0], author=facilitator)
    DebriefReviewFactory(debrief=debrief)
    DebriefNoteFactory(debrief=debrief, text="Robin seemed brighter.")
    debrief.how_it_went = "Changed after a second thought."
    debrief.save()
    lesson = LessonFactory(group=scene.group)
    counts_before = register_counts(scene.group)
    close(scene.group, days_ago=400)

    counts = purge_expired(by=None, today=TODAY())

    assert (counts.members, counts.debriefs) == (2, 1)
    assert not Member.objects.filter(group=scene.group).exists()
    assert not Debrief.objects.filter(session__group=scene.group).exists()
    for model in (Member, Attendance, FollowUp, Debrief, DebriefReview, DebriefNote):
        assert not model.history.exists(), model
    assert GroupSession.objects.filter(group=scene.group).count() == 3
    assert register_counts(scene.group) == counts_before
    assert GroupSession.objects.filter(group=scene.group).held().count() == 3
    assert list(scene.group.lessons.all()) == [lesson]


def test_a_group_closed_more_recently_keeps_its_records(scene, facilitator):
    DebriefFactory(session=scene.sessions[0], author=facilitator)
    close(scene.group, days_ago=100)
    before = snapshot()

    assert not purge_expired(by=None, today=TODAY())
    assert snapshot() == before


def test_the_purge_keeps_every_sessions_attendance_numbers(scene, facilitator):
    scene.group.retention_months = 1
    scene.group.save()
    exit_member(
        member=scene.robin, exited_on=TODAY(), reason=Member.ExitReason.MOVED_ON, aftercare="A call.", by=facilitator
    )
    before = register_counts(scene.group)

    counts = purge_expired(by=None, today=TODAY() + datetime.timedelta(days=40))

    assert counts.members == 1
    assert register_counts(scene.group) == before


def test_running_the_purge_twice_changes_nothing_the_second_time(scene, facilitator):
    scene.group.retention_months = 12
    scene.group.save()
    left(scene.group, "Ash", days_ago=400)
    other = close(SupportGroup.objects.create(name="Old group", purpose="p", why_group_work="w"), days_ago=800)
    MemberFactory(group=other, display_name="Cal")
    assert purge_expired(by=None, today=TODAY())
    after_first = snapshot()

    second = purge_expired(by=None, today=TODAY())

    assert not second
    assert snapshot() == after_first


def test_a_dry_run_changes_nothing_and_counts_what_a_real_run_would_erase(scene, facilitator):
    scene.group.retention_months = 12
    scene.group.save()
    left(scene.group, "Ash", days_ago=400)
    before = snapshot()

    rehearsal = purge_expired(by=None, today=TODAY(), dry_run=True)

    assert snapshot() == before
    assert rehearsal.members == 1
    assert purge_expired(by=None, today=TODAY()) == rehearsal


def test_history_copies_of_members_removed_some_other_way_go_after_the_retention_period(scene, facilitator):
    scene.group.retention_months = 1
    scene.group.save()
    gone = MemberFactory(group=scene.group, display_name="Dee")
    gone_id = gone.pk
    gone.delete()  # e.g. through the admin: the deletion leaves history copies behind
    assert history_rows_referencing(gone_id)

    assert purge_expired(by=None, today=TODAY()).history_copies == 0  # not yet past the retention period
    counts = purge_expired(by=None, today=TODAY() + datetime.timedelta(days=40))

    assert counts.history_copies == 2
    assert history_rows_referencing(gone_id) == {}


def test_the_purge_records_each_erasure_without_a_user_or_a_name(scene, facilitator):
    scene.group.retention_months = 12
    scene.group.save()
    ash = left(scene.group, "Ash", days_ago=400)

    purge_expired(by=None, today=TODAY())

    event = AccessEvent.objects.get(action=AccessEvent.Action.ERASED_MEMBER)
    assert (event.user, event.object_id, event.group) == (None, ash.pk, scene.group)
    assert event.detail == "Retention period ended: 12 months after the member left."
