"""What concerns and the co-facilitation safeguard show on the pages of sessions_log and groups: a
session's page, a member's page, the debrief form, the dashboard, the plan page and the change
history."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern
from concerns.services import raise_concern
from concerns.tests.factories import ComplaintFactory, ConcernFactory
from groups.tests.factories import FacilitatorSupportPlanFactory
from sessions_log.schedule import quarter_start
from sessions_log.tests.factories import GroupSessionFactory
from tests.access_matrix import sign_in

from .conftest import days_ago

pytestmark = pytest.mark.django_db

COVER = "The coordinator steps in, and the duty worker is on call by phone."


def session_page(client, scene, user, session=None):
    session = session or scene.session
    url = reverse("sessions_log:session", kwargs={"pk": scene.group.pk, "session_pk": session.pk})
    return sign_in(client, user, verified=True).get(url)


# The co-facilitation safeguard (LS-Q12, GW-6) -----------------------------------------------------


def test_a_session_run_alone_warns_says_what_the_plan_says_and_asks_for_a_lesson(client, scene):
    FacilitatorSupportPlanFactory(group=scene.group, cofacilitation_and_cover=COVER)
    alone = GroupSessionFactory(
        group=scene.group, date=days_ago(14), facilitators_present=[scene.people["facilitator"]]
    )

    response = session_page(client, scene, scene.people["facilitator"], alone)

    page = response.content.decode()
    assert response.context["run_alone"]
    assert "This session was run with fewer than two facilitators." in page
    assert COVER in page
    assert f"/groups/{scene.group.pk}/lessons/new/?session={alone.pk}&amp;theme=leadership" in page


def test_a_session_with_two_facilitators_gives_no_warning(client, scene):
    response = session_page(client, scene, scene.people["facilitator"])

    assert not response.context["run_alone"]
    assert "fewer than two facilitators" not in response.content.decode()


def test_recording_a_session_alone_says_so_at_once(client, scene):
    facilitator = scene.people["facilitator"]
    url = reverse("sessions_log:session_create", kwargs={"pk": scene.group.pk})
    data = {
        "date": days_ago(1).isoformat(),
        "starts_at": "18:30",
        "ends_at": "20:00",
        "format": "in_person",
        "facilitators_present": [facilitator.pk],
        "outcome": "held",
    }

    response = sign_in(client, facilitator, verified=True).post(url, data)

    assert response.status_code == 302
    assert any("fewer than two facilitators" in str(message) for message in get_messages(response.wsgi_request))


def test_the_coordinators_dashboard_counts_sessions_run_alone_this_quarter(client, scene):
    facilitator = scene.people["facilitator"]
    for days in (1, 2):
        GroupSessionFactory(group=scene.group, date=days_ago(days), facilitators_present=[facilitator])
    # Before the quarter began, and a session that did not run: neither counts.
    before = quarter_start(timezone.localdate()) - datetime.timedelta(days=1)
    GroupSessionFactory(group=scene.group, date=before, facilitators_present=[facilitator])
    GroupSessionFactory(group=scene.group, date=days_ago(3), outcome="did_not_run", not_run_reason="holiday")

    coordinator_view = sign_in(client, scene.people["coordinator"], verified=True).get(
        reverse("sessions_log:dashboard")
    )
    facilitator_view = sign_in(client, facilitator, verified=True).get(reverse("sessions_log:dashboard"))

    expected = 2 if days_ago(2) >= quarter_start(timezone.localdate()) else 1
    assert coordinator_view.context["run_alone"] == [(scene.group, expected)]
    assert "Sessions run with one facilitator" in coordinator_view.content.decode()
    assert facilitator_view.context["run_alone"] == []


def test_the_support_plans_help_says_what_happens_when_a_session_runs_alone():
    from groups.models import FacilitatorSupportPlan

    help_text = FacilitatorSupportPlan._meta.get_field("cofacilitation_and_cover").help_text
    assert "run with one facilitator" in help_text
    assert "shows a warning and asks for a lesson learnt" in help_text


# Debriefs point to concerns --------------------------------------------------------------------


def test_the_debrief_form_asks_for_a_reflection_and_points_to_raising_a_concern(client, scene):
    url = reverse("sessions_log:debrief_write", kwargs={"pk": scene.group.pk, "session_pk": scene.session.pk})
    ConcernFactory(session=scene.session, distress=True)

    response = sign_in(client, scene.people["cofacilitator"], verified=True).get(url)

    assert set(response.context["form"].fields) == {"how_it_went", "anything_difficult", "wellbeing", "support_wanted"}
    page = response.content.decode()
    assert f"/groups/{scene.group.pk}/concerns/new/?session={scene.session.pk}" in page
    assert "1 concern raised from this session so far." in page


def test_the_session_page_lists_its_concerns_and_offers_to_raise_one(client, scene):
    ConcernFactory(session=scene.session, member=scene.sky, kind=Concern.Kind.RISK_TO_LIFE)

    facilitator_page = session_page(client, scene, scene.people["facilitator"]).content.decode()
    supervisor_page = session_page(client, scene, scene.people["supervisor"]).content.decode()

    assert "Risk to life" in facilitator_page and "About Sky." in facilitator_page
    assert "Raise a concern from this session" in facilitator_page
    assert "Risk to life" in supervisor_page and "Sky" not in supervisor_page
    assert "Raise a concern from this session" not in supervisor_page


def test_the_members_page_lists_concerns_about_them_and_offers_to_raise_one(client, scene):
    ConcernFactory(session=scene.session, member=scene.sky, distress=True)
    url = reverse("sessions_log:member", kwargs={"pk": scene.group.pk, "member_pk": scene.sky.pk})

    page = sign_in(client, scene.people["coordinator"], verified=True).get(url).content.decode()

    assert "Distress handled in the session" in page
    assert f"/groups/{scene.group.pk}/concerns/new/?member={scene.sky.pk}" in page


def test_a_check_in_after_a_concern_reads_as_such_on_the_members_page(client, scene):
    raise_concern(
        concern=Concern(
            group=scene.group,
            kind=Concern.Kind.SAFEGUARDING,
            member=scene.robin,
            session=scene.session,
            what_was_done="Followed the policy.",
            who_was_told="The safeguarding lead",
            told_at=timezone.now(),
        ),
        by=scene.people["facilitator"],
    )
    url = reverse("sessions_log:member", kwargs={"pk": scene.group.pk, "member_pk": scene.robin.pk})

    page = sign_in(client, scene.people["coordinator"], verified=True).get(url).content.decode()

    assert "Check-in after a concern." in page
    export = reverse("sessions_log:member_export", kwargs={"pk": scene.group.pk, "member_pk": scene.robin.pk})
    exported = client.get(export)
    assert exported.status_code == 200
    assert [concern["kind"] for concern in exported.context["data"]["concerns"]] == ["Safeguarding concern"]


# The plan page and the change history ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "concerns", "complaints_log", "add_to_log"),
    [
        ("coordinator", True, True, False),
        ("facilitator", True, False, True),
        ("supervisor", True, True, False),
    ],
)
def test_the_plan_page_leads_each_role_to_what_they_may_use(client, scene, role, concerns, complaints_log, add_to_log):
    page = sign_in(client, scene.people[role], verified=True).get(reverse("groups:plan", kwargs={"pk": scene.group.pk}))

    text = page.content.decode()
    assert (f"/groups/{scene.group.pk}/concerns/" in text) is concerns
    assert (f'/groups/{scene.group.pk}/complaints/"' in text) is complaints_log
    assert (f"/groups/{scene.group.pk}/complaints/new/" in text) is add_to_log


def test_the_change_history_lists_concerns_complaints_and_check_ins(client, scene):
    raise_concern(
        concern=Concern(
            group=scene.group,
            kind=Concern.Kind.RISK_TO_LIFE,
            member=scene.robin,
            where=Concern.Where.PHONE_OR_MESSAGE,
            happened_on=timezone.localdate(),
            what_was_done="Called the crisis line together.",
            who_was_told="The crisis team",
            told_at=timezone.now(),
        ),
        by=scene.people["coordinator"],
    )
    ComplaintFactory(group=scene.group)

    response = sign_in(client, scene.people["supervisor"], verified=True).get(
        reverse("audit:group_history", kwargs={"pk": scene.group.pk})
    )

    kinds = {entry.kind for entry in response.context["entries"]}
    assert {"Concern", "Follow-up"} <= kinds
    reasons = {entry.reason for entry in response.context["entries"]}
    # A follow-up's reason is kept from the supervisor, who does not see members' records.
    assert "Raised: risk to life" in reasons
    assert "Raised: check-in after a concern" not in reasons
