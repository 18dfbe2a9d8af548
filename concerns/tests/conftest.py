"""A running group for the concerns tests: alice coordinates, bob leads, dana co-facilitates, sam
supervises; charlie (the root conftest's outsider) facilitates another group. Sky is a member who
missed last week's session, so she has an open follow-up for bob; Robin came."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory, mark_launched
from sessions_log.models import Attendance
from sessions_log.tests.factories import (
    AbsencePolicyFactory,
    AttendanceFactory,
    DebriefFactory,
    FollowUpFactory,
    GroupSessionFactory,
    MemberFactory,
)

REFLECTION = "I felt shaken after the break and did not sleep well."


def days_ago(days) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def co_facilitator(group):
    user = UserFactory(username="dana")
    GroupRoleFactory(group=group, user=user, role=GroupRole.Role.CO_FACILITATOR)
    return user


@pytest.fixture
def scene(group, coordinator, facilitator, co_facilitator, supervisor):
    mark_launched(group)
    AbsencePolicyFactory(group=group)
    sky = MemberFactory(group=group, display_name="Sky")
    robin = MemberFactory(group=group, display_name="Robin")
    session = GroupSessionFactory(
        group=group,
        date=days_ago(7),
        facilitators_present=[facilitator, co_facilitator],
        register_taken_at=timezone.now(),
    )
    AttendanceFactory(session=session, member=sky, status=Attendance.Status.ABSENT)
    AttendanceFactory(session=session, member=robin, status=Attendance.Status.PRESENT)
    follow_up = FollowUpFactory(member=sky, session=session, assignee=facilitator, due_on=days_ago(-3))
    debrief = DebriefFactory(session=session, author=facilitator, how_it_went=REFLECTION, wellbeing=4)
    return SimpleNamespace(
        group=group,
        session=session,
        sky=sky,
        robin=robin,
        follow_up=follow_up,
        debrief=debrief,
        people={
            "coordinator": coordinator,
            "facilitator": facilitator,
            "cofacilitator": co_facilitator,
            "supervisor": supervisor,
        },
    )
