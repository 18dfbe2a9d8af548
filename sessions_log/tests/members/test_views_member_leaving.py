"""A member leaving, the waiting list, the absence policy and closing follow-ups."""

import datetime

import pytest
from django.contrib import messages
from django.urls import reverse

from sessions_log.models import AbsencePolicy, Attendance, FollowUp, Member
from sessions_log.services import save_register
from sessions_log.tests.factories import GroupSessionFactory, MemberFactory
from sessions_log.tests.members.helpers import POLICY_DATA, _exit_data, members_url
from sessions_log.tests.records import TODAY
from tests.access_matrix import messages_of, sign_in

pytestmark = pytest.mark.django_db


# Leaving and the waiting list -----------------------------------------------------------------


def test_recording_that_a_member_left_closes_their_follow_ups(client, things, coordinator):
    url = reverse("sessions_log:member_exit", kwargs={"pk": things.group.pk, "member_pk": things.member.pk})

    response = sign_in(client, coordinator).post(url, _exit_data(things))

    assert response.status_code == 302
    things.member.refresh_from_db()
    assert things.member.status == Member.Status.EXITED
    assert things.member.aftercare_offered == "A call in a month."
    things.follow_up.refresh_from_db()
    assert things.follow_up.outcome == FollowUp.Outcome.MEMBER_LEFT


def test_leaving_needs_the_support_offered_afterwards(client, things, coordinator):
    url = reverse("sessions_log:member_exit", kwargs={"pk": things.group.pk, "member_pk": things.member.pk})

    response = sign_in(client, coordinator).post(url, {**_exit_data(things), "aftercare": ""})

    assert response.status_code == 200
    assert "aftercare" in response.context["form"].errors
    things.member.refresh_from_db()
    assert things.member.status == Member.Status.ACTIVE


def test_someone_who_has_left_cannot_leave_again(client, things, coordinator):
    things.member.status, things.member.exited_on, things.member.exit_reason = "exited", TODAY(), "moved_on"
    things.member.save()
    url = reverse("sessions_log:member_exit", kwargs={"pk": things.group.pk, "member_pk": things.member.pk})

    assert sign_in(client, coordinator).get(url).status_code == 404


def test_admitting_from_the_waiting_list_gives_them_a_place(client, things, facilitator):
    url = reverse("sessions_log:member_admit", kwargs={"pk": things.group.pk, "member_pk": things.waiting.pk})

    response = sign_in(client, facilitator).post(url)

    assert response.url == members_url(things.group)
    things.waiting.refresh_from_db()
    assert things.waiting.status == Member.Status.ACTIVE
    assert messages_of(response) == [(messages.SUCCESS, "Sky now has a place in the group.")]


def test_admitting_to_a_full_group_is_refused_with_a_message(client, things, facilitator):
    things.group.maximum_size = 2
    things.group.save()
    MemberFactory(group=things.group)
    url = reverse("sessions_log:member_admit", kwargs={"pk": things.group.pk, "member_pk": things.waiting.pk})

    response = sign_in(client, facilitator).post(url)

    assert response.status_code == 302
    things.waiting.refresh_from_db()
    assert things.waiting.status == Member.Status.WAITING_LIST
    assert messages_of(response) == [(messages.ERROR, "Sky could not be admitted: The group is full (2 members).")]


# The absence policy --------------------------------------------------------------------------


def test_a_coordinator_changes_the_absence_policy(client, active_group, coordinator):
    url = reverse("sessions_log:absence_policy", kwargs={"pk": active_group.pk})
    data = POLICY_DATA | {"apologies_count_as_missed": "on"}

    response = sign_in(client, coordinator).post(url, data)

    assert response.status_code == 302
    policy = AbsencePolicy.objects.get(group=active_group)
    assert policy.after_two_misses == "Phone them."
    assert policy.apologies_count_as_missed


@pytest.mark.parametrize("role", ["facilitator", "supervisor"])
def test_others_read_the_absence_policy_without_a_form(client, request, active_group, role):
    response = sign_in(client, request.getfixturevalue(role)).get(
        reverse("sessions_log:absence_policy", kwargs={"pk": active_group.pk})
    )

    html = response.content.decode()
    assert response.context["form"] is None
    assert '<form method="post" novalidate>' not in html
    assert "Phone to check in and ask how they are." in html
    assert "Only a coordinator can change this policy." in html


def test_the_absence_policy_page_cites_the_guidance(client, active_group, coordinator):
    response = sign_in(client, coordinator).get(reverse("sessions_log:absence_policy", kwargs={"pk": active_group.pk}))

    html = response.content.decode()
    assert "LifeSIGNS: Guidance on running or supporting a real-life group" in html
    assert "LS-Q16" in html


# Closing follow-ups --------------------------------------------------------------------------


def _close_url(things):
    return reverse("sessions_log:follow_up_close", kwargs={"pk": things.group.pk, "follow_up_pk": things.follow_up.pk})


def test_closing_a_follow_up_returns_to_the_page_it_came_from(client, things, facilitator):
    back = reverse("sessions_log:group_sessions", kwargs={"pk": things.group.pk})

    response = sign_in(client, facilitator).post(
        _close_url(things), {"outcome": FollowUp.Outcome.CONTACTED, "note": "Fine.", "next": back}
    )

    assert response.url == back
    things.follow_up.refresh_from_db()
    assert not things.follow_up.is_open
    assert things.follow_up.closed_by == facilitator


def test_closing_a_follow_up_never_redirects_to_another_site(client, things, facilitator):
    response = sign_in(client, facilitator).post(
        _close_url(things), {"outcome": FollowUp.Outcome.CONTACTED, "note": "", "next": "https://evil.example/"}
    )

    assert response.url == members_url(things.group)


def test_an_assignee_who_has_left_the_team_is_told_the_group_does_not_exist(client, things):
    response = sign_in(client, things.follow_up.assignee).post(
        _close_url(things), {"outcome": FollowUp.Outcome.NO_RESPONSE, "note": ""}
    )

    assert response.status_code == 404


def test_a_supervisor_assigned_a_follow_up_may_close_it(client, things, supervisor):
    FollowUp.objects.filter(pk=things.follow_up.pk).update(assignee=supervisor)

    response = sign_in(client, supervisor).post(_close_url(things), {"outcome": FollowUp.Outcome.CONTACTED})

    assert response.status_code == 302
    things.follow_up.refresh_from_db()
    assert not things.follow_up.is_open


def test_closing_a_follow_up_without_an_outcome_shows_the_form_again(client, things, coordinator):
    response = sign_in(client, coordinator).post(
        _close_url(things), {"outcome": "", "note": "Left a voicemail.", "next": members_url(things.group)}
    )

    assert response.status_code == 200
    assert "outcome" in response.context["form"].errors
    assert "Left a voicemail." in response.content.decode()
    things.follow_up.refresh_from_db()
    assert things.follow_up.is_open


def test_closing_a_follow_up_twice_says_it_is_already_closed(client, things, coordinator):
    sign_in(client, coordinator)
    client.post(_close_url(things), {"outcome": FollowUp.Outcome.CONTACTED})

    response = client.post(_close_url(things), {"outcome": FollowUp.Outcome.OTHER})

    assert messages_of(response)[-1] == (messages.ERROR, "This follow-up is already closed.")
    things.follow_up.refresh_from_db()
    assert things.follow_up.outcome == FollowUp.Outcome.CONTACTED


def test_follow_ups_raised_by_a_register_appear_on_the_member_list(client, active_group, facilitator):
    member = MemberFactory(group=active_group, display_name="Robin")
    session = GroupSessionFactory(group=active_group, date=TODAY() - datetime.timedelta(days=2))
    save_register(session=session, marks={member.pk: Attendance.Status.ABSENT}, by=facilitator)

    response = sign_in(client, facilitator).get(members_url(active_group))

    [robin] = response.context["active"]
    assert [follow_up.assignee for follow_up in robin.open_follow_ups] == [facilitator]
