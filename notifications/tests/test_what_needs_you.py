"""The dashboard's "What needs you" lists what the reminder emails point to, by the same rules
(notifications.needs): an email is never the only place someone learns that something needs them."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from groups.models import GroupRole, SupportGroup
from groups.tests.factories import RiskAssessmentFactory
from notifications import needs
from notifications.tests.test_reminders import TUESDAY, at
from sessions_log.models import Debrief
from sessions_log.tests.factories import DebriefFactory, FollowUpFactory, GroupSessionFactory, MemberFactory
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db
Role = GroupRole.Role


@pytest.fixture
def everything_due(group, coordinator, facilitator, supervisor):
    """On Wednesday morning: Tuesday's session unrecorded, a follow-up due, a debrief and the risk
    assessment past their review dates."""
    with time_machine.travel(at(25, 9), tick=False):
        SupportGroup.objects.filter(pk=group.pk).update(status=SupportGroup.Status.ACTIVE, launched_at=at(3, 12))
        group.refresh_from_db()
        session = GroupSessionFactory(group=group, date=datetime.date(2026, 11, 10))
        GroupSessionFactory(group=group, date=datetime.date(2026, 11, 17))
        member = MemberFactory(group=group, display_name="Robin")
        FollowUpFactory(member=member, session=session, assignee=facilitator, due_on=datetime.date(2026, 11, 25))
        debrief = DebriefFactory(session=session, author=facilitator)
        Debrief.objects.filter(pk=debrief.pk).update(created_at=at(10, 21))
        RiskAssessmentFactory(group=group, review_date=datetime.date(2026, 11, 20))
        yield group


def shown_to(client, user) -> list[dict]:
    with time_machine.travel(at(25, 9), tick=False):
        response = sign_in(client, user, verified=True).get(reverse("sessions_log:dashboard"))
    assert response.status_code == 200
    return response.context["needs"]


def emailed_to(user) -> list[str]:
    with time_machine.travel(at(25, 9), tick=False):
        return [need.summary(at(25, 9).date()) for need in needs.needs_now(person=user)]


def test_the_lead_facilitator_sees_the_session_to_record_and_the_follow_up_their_reminders_are_about(
    client, everything_due, facilitator
):
    shown = shown_to(client, facilitator)

    assert (
        [need["summary"] for need in shown]
        == emailed_to(facilitator)
        == [
            "Record Tuesday 24 November\u2019s session of Riverside evening group.",
            "A follow-up after missed sessions in Riverside evening group is due today.",
        ]
    )
    assert shown[0]["url"] == f"/groups/{everything_due.pk}/sessions/new/?date={TUESDAY.isoformat()}"
    html = client.get(reverse("sessions_log:dashboard")).content.decode()
    assert "What needs you" in html and "Record the session" in html


def test_the_coordinator_sees_the_risk_assessment_past_its_review_date(client, everything_due, coordinator):
    assert (
        [need["summary"] for need in shown_to(client, coordinator)]
        == emailed_to(coordinator)
        == ["The risk assessment of Riverside evening group was due for review on 20 November 2026."]
    )


def test_the_supervisor_sees_the_debriefs_waiting_past_their_review_date(client, everything_due, supervisor):
    [shown] = shown_to(client, supervisor)

    assert len(emailed_to(supervisor)) == 1
    assert shown == {
        "summary": "A debrief waits for your review past its due date.",
        "url": reverse("sessions_log:review_queue"),
        "link_text": "Open the review queue",
    }


def test_someone_with_nothing_due_is_told_so(client, group, coordinator):
    html = sign_in(client, coordinator, verified=True).get(reverse("sessions_log:dashboard")).content.decode()

    assert "Nothing is waiting for you" in html
