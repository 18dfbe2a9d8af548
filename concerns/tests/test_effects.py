"""Each kind of concern walked through what it changes (SR-3): the member's follow-up, the
supervisor's review of the session's debriefs, the coordinator's and supervisor's dashboards, and
closing. Distress handled in the session changes none of it; a safeguarding concern and a risk to
life change all of it. Outsiders find nothing, and coordinators never read a debrief."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern
from concerns.services import close_concern, raise_concern
from groups_site import events
from sessions_log.models import Attendance, Debrief, FollowUp
from sessions_log.services import save_register
from sessions_log.tests.factories import GroupSessionFactory
from tests.access_matrix import sign_in

from .conftest import REFLECTION, days_ago

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
Kind = Concern.Kind


def concern_about(scene, member, kind, **fields) -> Concern:
    told = {"who_was_told": "The safeguarding lead", "told_at": timezone.now()} if kind != Kind.DISTRESS else {}
    values = {
        "group": scene.group,
        "kind": kind,
        "member": member,
        "session": scene.session,
        "what_was_done": "Stayed with them in the quiet room, then followed the plan.",
        **told,
    }
    return Concern(**{**values, **fields})


@pytest.fixture
def heard():
    """The events announced, as (signal name, facts), once the services' transactions commit."""
    heard = []

    def listen(name):
        def receiver(sender, **facts):
            facts.pop("signal", None)
            heard.append((name, facts))

        return receiver

    receivers = {name: listen(name) for name in ("concern_raised", "concern_closed", "follow_up_assigned")}
    for name, receiver in receivers.items():
        getattr(events, name).connect(receiver)
    yield heard
    for name, receiver in receivers.items():
        getattr(events, name).disconnect(receiver)


def dashboard_concerns(client, user):
    return list(sign_in(client, user, verified=True).get(reverse("sessions_log:dashboard")).context["concerns"])


@pytest.mark.parametrize("kind", Kind.values)
def test_each_kind_of_concern_walked_through_its_effects(
    client, scene, kind, heard, django_capture_on_commit_callbacks
):
    coordinator, facilitator, supervisor = (scene.people[role] for role in ("coordinator", "facilitator", "supervisor"))
    escalates = kind in Concern.ESCALATING_KINDS
    debrief = Debrief.objects.get(pk=scene.debrief.pk)
    assert debrief.review_due_on == timezone.localdate(debrief.created_at) + datetime.timedelta(days=7)
    due_before = scene.follow_up.due_on

    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_concern(concern=concern_about(scene, scene.sky, kind), by=facilitator)

    # The member's follow-up: due today and a coordinator's, or left as the absence policy set it.
    follow_up = FollowUp.objects.get(pk=scene.follow_up.pk)
    if escalates:
        assert (follow_up.due_on, follow_up.assignee) == (TODAY(), coordinator)
        assert follow_up.action.startswith("Check in with them after the concern")
        assert concern.follow_up == follow_up
        assert FollowUp.history.filter(id=follow_up.pk).latest("history_id").history_change_reason == (
            "Brought forward after a concern"
        )
    else:
        assert (follow_up.due_on, follow_up.assignee) == (due_before, facilitator)
        assert concern.follow_up is None
    assert FollowUp.objects.filter(member=scene.sky).count() == 1

    # The supervisor's review of the session's debriefs: due the next day, and first in the queue.
    debrief = Debrief.objects.with_attention().get(pk=scene.debrief.pk)
    days = 1 if escalates else 7
    assert debrief.review_due_on == timezone.localdate(debrief.created_at) + datetime.timedelta(days=days)
    assert Debrief.objects.get(pk=scene.debrief.pk).review_due_on == debrief.review_due_on  # one rule, both ways
    assert Debrief.objects.filter(Debrief.needs_attention()).exists() is escalates
    assert debrief.is_flagged is escalates

    # The coordinator's and supervisor's dashboards, until it is closed; never a facilitator's.
    assert dashboard_concerns(client, coordinator) == ([concern] if escalates else [])
    assert dashboard_concerns(client, supervisor) == ([concern] if escalates else [])
    assert dashboard_concerns(client, facilitator) == []

    closer = coordinator if escalates else facilitator
    with django_capture_on_commit_callbacks(execute=True):
        close_concern(concern=concern, outcome="Taken forward; they are safe.", closed_on=TODAY(), by=closer)

    assert dashboard_concerns(client, coordinator) == []
    assert dashboard_concerns(client, supervisor) == []
    # What the facilitator went through still asks for a prompt review once the concern is closed.
    assert Debrief.objects.with_attention().get(pk=scene.debrief.pk).review_due_on == debrief.review_due_on

    announced = [(name, facts) for name, facts in heard if name.startswith("concern")]
    by_ids = {"concern_id": concern.pk, "group_id": scene.group.pk, "kind": kind}
    assert announced == [
        ("concern_raised", {**by_ids, "by_id": facilitator.pk}),
        ("concern_closed", {**by_ids, "by_id": closer.pk}),
    ]
    assert [facts["assignee_id"] for name, facts in heard if name == "follow_up_assigned"] == (
        [coordinator.pk] if escalates else []
    )


@pytest.mark.parametrize("kind", Concern.ESCALATING_KINDS)
def test_a_member_with_nothing_to_follow_up_gets_a_check_in_for_the_coordinator(scene, kind):
    concern = raise_concern(concern=concern_about(scene, scene.robin, kind), by=scene.people["facilitator"])

    check_in = FollowUp.objects.get(member=scene.robin)
    assert check_in.kind == FollowUp.Kind.AFTER_CONCERN
    assert (check_in.due_on, check_in.assignee, check_in.session) == (TODAY(), scene.people["coordinator"], None)
    assert "Check in with them" in check_in.action
    assert concern.follow_up == check_in


def test_distress_handled_in_the_session_raises_no_follow_up(scene):
    raise_concern(concern=concern_about(scene, scene.robin, Kind.DISTRESS), by=scene.people["facilitator"])

    assert not FollowUp.objects.filter(member=scene.robin).exists()


def test_an_overdue_follow_up_stays_overdue_when_brought_forward(scene):
    FollowUp.objects.filter(pk=scene.follow_up.pk).update(due_on=days_ago(2))

    raise_concern(concern=concern_about(scene, scene.sky, Kind.SAFEGUARDING), by=scene.people["facilitator"])

    follow_up = FollowUp.objects.get(pk=scene.follow_up.pk)
    assert (follow_up.due_on, follow_up.assignee) == (days_ago(2), scene.people["coordinator"])


def test_a_concern_between_sessions_changes_no_review(scene):
    concern = raise_concern(
        concern=concern_about(
            scene, scene.sky, Kind.RISK_TO_LIFE, session=None, where=Concern.Where.PHONE_OR_MESSAGE, happened_on=TODAY()
        ),
        by=scene.people["coordinator"],
    )

    assert concern.follow_up == scene.follow_up
    assert not Debrief.objects.filter(Debrief.needs_attention()).exists()


def test_while_a_serious_concern_is_open_a_missed_session_is_followed_up_the_same_day_by_the_coordinator(scene):
    facilitator, coordinator = scene.people["facilitator"], scene.people["coordinator"]
    raise_concern(concern=concern_about(scene, scene.robin, Kind.SAFEGUARDING), by=facilitator)
    later = GroupSessionFactory(group=scene.group, date=days_ago(1), facilitators_present=[facilitator])

    changes = save_register(
        session=later,
        marks={scene.robin.pk: Attendance.Status.ABSENT, scene.sky.pk: Attendance.Status.ABSENT},
        by=facilitator,
    )

    raised = {follow_up.member: follow_up for follow_up in changes.raised}
    assert (raised[scene.robin].due_on, raised[scene.robin].assignee) == (TODAY(), coordinator)
    # Sky has no concern: the absence policy as usual.
    assert (raised[scene.sky].due_on, raised[scene.sky].assignee) == (TODAY() + datetime.timedelta(days=3), facilitator)


# Who sees what ---------------------------------------------------------------------------------


def test_outsiders_are_told_a_concern_does_not_exist(client, scene, outsider):
    concern = raise_concern(concern=concern_about(scene, scene.sky, Kind.RISK_TO_LIFE), by=scene.people["facilitator"])
    sign_in(client, outsider, verified=True)

    for name, kwargs in [
        ("concerns:concerns", {}),
        ("concerns:concern_create", {}),
        ("concerns:concern", {"concern_pk": concern.pk}),
        ("concerns:concern_edit", {"concern_pk": concern.pk}),
    ]:
        response = client.get(reverse(name, kwargs={"pk": scene.group.pk, **kwargs}))
        assert response.status_code == 404, name
    response = client.post(
        reverse("concerns:concern_close", kwargs={"pk": scene.group.pk, "concern_pk": concern.pk}),
        {"outcome": "Closed by a stranger.", "closed_on": TODAY().isoformat()},
    )
    assert response.status_code == 404
    assert Concern.objects.get(pk=concern.pk).is_open
    assert concern.pk not in [c.pk for c in dashboard_concerns(client, outsider)]


def test_coordinators_never_see_a_debriefs_reflection_on_any_page_about_a_concern(client, scene):
    coordinator = scene.people["coordinator"]
    concern = raise_concern(concern=concern_about(scene, scene.sky, Kind.RISK_TO_LIFE), by=scene.people["facilitator"])
    sign_in(client, coordinator, verified=True)

    pages = [
        reverse("sessions_log:dashboard"),
        reverse("concerns:concerns", kwargs={"pk": scene.group.pk}),
        reverse("concerns:concern", kwargs={"pk": scene.group.pk, "concern_pk": concern.pk}),
        reverse("sessions_log:session", kwargs={"pk": scene.group.pk, "session_pk": scene.session.pk}),
        reverse("sessions_log:member", kwargs={"pk": scene.group.pk, "member_pk": scene.sky.pk}),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert REFLECTION not in response.content.decode(), page
    debrief_page = reverse("sessions_log:debrief", kwargs={"pk": scene.group.pk, "debrief_pk": scene.debrief.pk})
    assert client.get(debrief_page).status_code == 403
