"""What the member record pages' tests point at: Robin, a member with a history, and Sky."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from sessions_log.models import FollowUp, MemberRequest
from sessions_log.services import close_follow_up
from sessions_log.tests.factories import DebriefFactory, DebriefNoteFactory, LessonFactory, MemberFactory
from sessions_log.tests.member_record.helpers import Status
from sessions_log.tests.records import held_session, take_register


@pytest.fixture
def things(active_group, coordinator, facilitator):
    """Robin and Sky on three registers; Robin missed two (two follow-ups, one closed with a note
    naming Sky); a lesson and a debrief note name them both. Robin has asked for their records."""
    group = active_group
    robin = MemberFactory(group=group, display_name="Robin")
    sky = MemberFactory(group=group, display_name="Sky")
    sessions = [held_session(group, days_ago, [facilitator]) for days_ago in (21, 14, 7)]
    take_register(sessions[0], {robin: Status.PRESENT, sky: Status.PRESENT}, facilitator)
    take_register(sessions[1], {robin: Status.ABSENT, sky: Status.LATE}, facilitator)
    take_register(sessions[2], {robin: Status.ABSENT, sky: Status.PRESENT}, facilitator)
    first = FollowUp.objects.get(member=robin, session=sessions[1])
    close_follow_up(
        follow_up=first,
        outcome=FollowUp.Outcome.CONTACTED,
        note="Robin will come back with sky next week.",
        by=facilitator,
    )
    LessonFactory(group=group, what_worked="Robin and Sky led the check-in together.", what_to_change="")
    LessonFactory(group=group, what_worked="A longer break helped everyone.", what_to_change="")
    debrief = DebriefFactory(session=sessions[0], author=facilitator)
    DebriefNoteFactory(debrief=debrief, text="Sky said ROBIN had been a great help.")
    # Robin's request is open, so the supervisor may answer for the debrief material naming them.
    MemberRequest.objects.create(member=robin, opened_by=coordinator, opened_at=timezone.now())
    return SimpleNamespace(group=group, robin=robin, sky=sky, sessions=sessions, debrief=debrief)
