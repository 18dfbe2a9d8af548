"""The members pages: who may open each one, and what each does with good and bad input.

Alice coordinates the group, Bob leads it and Sam supervises it. Charlie facilitates another
group, so he must not even learn that this one exists. Members' names are for the people who
run the group, so Sam is refused them.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groups.models import SupportGroup
from sessions_log import urls
from sessions_log.models import AbsencePolicy, Attendance, FollowUp, Member, Signposting
from sessions_log.services import save_register
from sessions_log.tests.factories import FollowUpFactory, GroupSessionFactory, MemberFactory
from sessions_log.tests.records import TODAY, days_ago
from tests.access_matrix import (
    ROLES,
    Endpoint,
    allowed,
    assert_can_use,
    assert_sent_to_sign_in,
    assert_turned_away,
    messages_of,
    refused,
    sign_in,
    url_names,
)

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(ROLES)
RUNNERS = frozenset({"coordinator", "facilitator"})
COORDINATORS = frozenset({"coordinator"})
# session, user, group with roles, members, their open follow-ups, signposting of those waiting,
# people signposted elsewhere (with how many), one more for the session's own bookkeeping, and the
# roles the main menu reads
MEMBER_LIST_MAX_QUERIES = 9


# Helpers -------------------------------------------------------------------------------------


def member_data(**changes) -> dict:
    data = {
        "display_name": "Kit",
        "joined_on": TODAY().isoformat(),
        "referral_route": Member.Referral.SELF,
        "referring_organisation": "",
    }
    data.update(changes)
    return data


def members_url(group):
    return reverse("sessions_log:members", kwargs={"pk": group.pk})


@pytest.fixture
def things(active_group):
    """What the member pages point at: an attending member with a follow-up assigned to someone
    outside the team, and a member on the waiting list. The team holds contact details (so a
    coordinator can stop holding them)."""
    SupportGroup.objects.filter(pk=active_group.pk).update(holds_contact_details=True)
    member = MemberFactory(group=active_group, display_name="Robin")
    return SimpleNamespace(
        group=active_group,
        member=member,
        waiting=MemberFactory(group=active_group, display_name="Sky", status=Member.Status.WAITING_LIST),
        follow_up=FollowUpFactory(
            member=member, session=GroupSessionFactory(group=active_group), assignee=UserFactory(username="erin")
        ),
    )


def everything_about(group) -> dict:
    """A snapshot of the group's member records, to show a refused request changed nothing."""
    return {
        "members": list(Member.objects.filter(group=group).order_by("pk").values()),
        "follow_ups": list(FollowUp.objects.filter(member__group=group).order_by("pk").values()),
        "policy": list(AbsencePolicy.objects.filter(group=group).values()),
        "signposting": list(Signposting.objects.filter(group=group).order_by("pk").values()),
        "holds_contact_details": SupportGroup.objects.filter(pk=group.pk).values_list(
            "holds_contact_details", flat=True
        )[0],
    }


# The access matrix ---------------------------------------------------------------------------


def _member(things):
    return {"member_pk": things.member.pk}


def _waiting(things):
    return {"member_pk": things.waiting.pk}


def _exit_data(things):
    return {"exited_on": TODAY().isoformat(), "reason": Member.ExitReason.MOVED_ON, "aftercare": "A call in a month."}


POLICY_DATA = {
    "after_one_miss": "Text to say we missed them.",
    "after_one_miss_assignee": AbsencePolicy.Assignee.LEAD_FACILITATOR,
    "after_two_misses": "Phone them.",
    "after_two_misses_assignee": AbsencePolicy.Assignee.LEAD_FACILITATOR,
    "after_three_misses": "Meet to talk about whether the group suits them.",
    "after_three_misses_assignee": AbsencePolicy.Assignee.COORDINATOR,
    "days_to_follow_up": "2",
}

ENDPOINTS = [
    Endpoint("sessions_log:members", "GET", RUNNERS),
    Endpoint("sessions_log:member_add", "GET", RUNNERS),
    Endpoint("sessions_log:member_add", "POST", RUNNERS, data=lambda things: member_data()),
    Endpoint("sessions_log:member_edit", "GET", RUNNERS, url_kwargs=_member),
    Endpoint(
        "sessions_log:member_edit",
        "POST",
        RUNNERS,
        url_kwargs=_member,
        data=lambda things: member_data(display_name="Rob"),
    ),
    Endpoint("sessions_log:member_exit", "GET", RUNNERS, url_kwargs=_member),
    Endpoint("sessions_log:member_exit", "POST", RUNNERS, url_kwargs=_member, data=_exit_data),
    Endpoint("sessions_log:member_admit", "POST", RUNNERS, url_kwargs=_waiting),
    Endpoint("sessions_log:signpost", "GET", RUNNERS),
    Endpoint(
        "sessions_log:signpost",
        "POST",
        RUNNERS,
        data=lambda things: {"where_to": "Samaritans", "signposted_on": TODAY()},
    ),
    Endpoint("sessions_log:signpost_waiting", "GET", RUNNERS, url_kwargs=_waiting),
    Endpoint(
        "sessions_log:signpost_waiting",
        "POST",
        RUNNERS,
        url_kwargs=_waiting,
        data=lambda things: {"where_to": "The local Mind peer group", "signposted_on": TODAY()},
    ),
    Endpoint("sessions_log:stop_contact_details", "GET", COORDINATORS),
    Endpoint("sessions_log:stop_contact_details", "POST", COORDINATORS),
    Endpoint("sessions_log:absence_policy", "GET", EVERYONE),
    Endpoint(
        "sessions_log:absence_policy",
        "POST",
        COORDINATORS,
        data=lambda things: POLICY_DATA,
    ),
    Endpoint(
        "sessions_log:follow_up_close",
        "POST",
        RUNNERS,
        url_kwargs=lambda things: {"follow_up_pk": things.follow_up.pk},
        data=lambda things: {"outcome": FollowUp.Outcome.CONTACTED, "note": "Had a chat; back next week."},
    ),
]
REFUSED = refused(ENDPOINTS)
ALLOWED = allowed(ENDPOINTS)
POST_ONLY = {"sessions_log:member_admit", "sessions_log:follow_up_close"}


def test_the_access_matrix_covers_every_members_page():
    from sessions_log.views import members

    assert url_names(urls, members) == {endpoint.name for endpoint in ENDPOINTS}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(client, things, endpoint):
    assert_sent_to_sign_in(client, things, endpoint, lambda: everything_about(things.group))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_people_outside_the_group_are_told_it_does_not_exist(client, things, outsider, endpoint):
    assert_turned_away(client, outsider, things, endpoint, lambda: everything_about(things.group), 404)


@pytest.mark.parametrize(("endpoint", "role"), REFUSED, ids=str)
def test_team_members_without_the_right_are_refused_and_nothing_changes(client, request, things, endpoint, role):
    user = request.getfixturevalue(role)
    assert_turned_away(client, user, things, endpoint, lambda: everything_about(things.group), 403)


@pytest.mark.parametrize(("endpoint", "role"), ALLOWED, ids=str)
def test_team_members_with_the_right_can_use_the_page(client, request, things, endpoint, role):
    assert_can_use(client, request.getfixturevalue(role), things, endpoint)


@pytest.mark.parametrize("endpoint", [endpoint for endpoint in ENDPOINTS if endpoint.name in POST_ONLY], ids=str)
def test_actions_do_not_answer_a_plain_get(client, things, coordinator, endpoint):
    response = sign_in(client, coordinator).get(endpoint.url(things))

    assert response.status_code == 405


# The member list -----------------------------------------------------------------------------


def test_the_member_list_shows_who_attends_who_waits_and_who_has_left(client, things, facilitator):
    MemberFactory(
        group=things.group,
        display_name="Ash",
        status=Member.Status.EXITED,
        exited_on=TODAY(),
        exit_reason=Member.ExitReason.MOVED_ON,
        aftercare_offered="A call in a month.",
    )

    response = sign_in(client, facilitator).get(members_url(things.group))

    assert [member.display_name for member in response.context["active"]] == ["Robin"]
    assert [member.display_name for member in response.context["waiting"]] == ["Sky"]
    assert [member.display_name for member in response.context["left"]] == ["Ash"]
    html = response.content.decode()
    assert "Send a friendly message to say they were missed." in html
    assert reverse("sessions_log:member_admit", kwargs={"pk": things.group.pk, "member_pk": things.waiting.pk}) in html
    assert reverse("sessions_log:member_add", kwargs={"pk": things.group.pk}) in html
    close_url = reverse(
        "sessions_log:follow_up_close", kwargs={"pk": things.group.pk, "follow_up_pk": things.follow_up.pk}
    )
    assert close_url in html


def test_the_member_list_takes_the_same_queries_however_many_members_and_follow_ups(
    client, active_group, facilitator, django_assert_max_num_queries
):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(members_url(active_group))
        assert response.status_code == 200
        return len(queries)

    sign_in(client, facilitator)
    session = GroupSessionFactory(group=active_group)
    for _ in range(2):
        FollowUpFactory(member=MemberFactory(group=active_group), session=session, assignee=facilitator)
    few = count_queries()
    for _ in range(10):
        FollowUpFactory(member=MemberFactory(group=active_group), session=session, assignee=facilitator)
    MemberFactory.create_batch(3, group=active_group, status=Member.Status.WAITING_LIST)

    assert count_queries() == few
    with django_assert_max_num_queries(MEMBER_LIST_MAX_QUERIES):
        client.get(members_url(active_group))


# Adding and editing members ------------------------------------------------------------------


def test_adding_a_member_to_a_group_with_room_says_they_have_joined(client, active_group, facilitator):
    response = sign_in(client, facilitator).post(
        reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}), member_data()
    )

    assert response.status_code == 302
    assert response.url == members_url(active_group)
    assert Member.objects.get(display_name="Kit").status == Member.Status.ACTIVE
    assert messages_of(response) == [(messages.SUCCESS, "Kit has joined the group.")]


def test_adding_a_member_to_a_full_group_puts_them_on_the_waiting_list(client, active_group, coordinator):
    active_group.maximum_size = 2
    active_group.save()
    MemberFactory.create_batch(2, group=active_group)

    response = sign_in(client, coordinator).post(
        reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}), member_data()
    )

    assert response.status_code == 302
    assert Member.objects.get(display_name="Kit").status == Member.Status.WAITING_LIST
    [(level, text)] = messages_of(response)
    assert "full (2 members)" in text
    assert "waiting list" in text


def test_a_nickname_group_refuses_a_full_name_beside_the_field_and_keeps_the_typing(client, active_group, coordinator):
    active_group.member_names = SupportGroup.NameRecording.NICKNAME
    active_group.save()

    response = sign_in(client, coordinator).post(
        reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}),
        member_data(display_name="Jo Bloggs", referral_route=Member.Referral.PROFESSIONAL, referring_organisation="GP"),
    )

    assert response.status_code == 200
    assert "nickname only" in response.context["form"].errors["display_name"][0]
    html = response.content.decode()
    assert 'value="Jo Bloggs"' in html
    assert 'value="GP"' in html
    assert not Member.objects.filter(group=active_group).exists()


def test_the_contact_details_field_is_absent_when_the_group_holds_no_contact_details(client, active_group, coordinator):
    url = reverse("sessions_log:member_add", kwargs={"pk": active_group.pk})

    response = sign_in(client, coordinator).get(url)

    assert "contact_details" not in response.context["form"].fields
    assert 'name="contact_details"' not in response.content.decode()


def test_the_contact_details_field_is_offered_when_the_group_holds_contact_details(client, active_group, coordinator):
    active_group.holds_contact_details = True
    active_group.save()

    response = sign_in(client, coordinator).get(reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}))

    assert 'name="contact_details"' in response.content.decode()


def test_contact_details_posted_anyway_are_not_kept_when_the_group_holds_none(client, active_group, coordinator):
    sign_in(client, coordinator).post(
        reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}),
        member_data(contact_details="07700 900123"),
    )

    assert Member.objects.get(display_name="Kit").contact_details == ""


def test_a_closed_group_refuses_new_members_on_the_form_and_keeps_the_typing(client, active_group, coordinator):
    SupportGroup.objects.filter(pk=active_group.pk).update(status=SupportGroup.Status.CLOSED)

    response = sign_in(client, coordinator).post(
        reverse("sessions_log:member_add", kwargs={"pk": active_group.pk}), member_data()
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The group has closed, so it cannot take new members."]
    assert 'value="Kit"' in response.content.decode()
    assert not Member.objects.exists()


def test_editing_a_member_saves_their_record(client, things, facilitator):
    url = reverse("sessions_log:member_edit", kwargs={"pk": things.group.pk, "member_pk": things.member.pk})

    response = sign_in(client, facilitator).post(url, member_data(display_name="Rob"))

    assert response.status_code == 302
    things.member.refresh_from_db()
    assert things.member.display_name == "Rob"


def test_a_join_date_after_the_day_they_left_is_refused_beside_the_field_and_keeps_the_typing(
    client, things, facilitator
):
    # Before the fix the form saved it: the member's edit form has no leaving date to compare with.
    left = MemberFactory(
        group=things.group,
        display_name="Ash",
        joined_on=days_ago(60),
        status=Member.Status.EXITED,
        exited_on=days_ago(30),
        exit_reason=Member.ExitReason.MOVED_ON,
        aftercare_offered="A call in a month.",
    )
    url = reverse("sessions_log:member_edit", kwargs={"pk": things.group.pk, "member_pk": left.pk})

    response = sign_in(client, facilitator).post(
        url, member_data(display_name="Ashley", joined_on=days_ago(10).isoformat())
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["joined_on"]
    assert error.startswith(f"They left the group on {days_ago(30):%-d %B %Y}")
    html = response.content.decode()
    assert 'value="Ashley"' in html
    assert 'aria-invalid="true"' in html[html.index('id="div_id_joined_on"') : html.index('id="div_id_referral_route"')]
    left.refresh_from_db()
    assert (left.display_name, left.joined_on) == ("Ash", days_ago(60))


def test_a_leaving_date_before_the_day_they_joined_is_refused_beside_the_field(client, things, coordinator):
    things.member.joined_on = days_ago(10)
    things.member.save()
    url = reverse("sessions_log:member_exit", kwargs={"pk": things.group.pk, "member_pk": things.member.pk})

    response = sign_in(client, coordinator).post(url, {**_exit_data(things), "exited_on": days_ago(20).isoformat()})

    assert response.status_code == 200
    assert response.context["form"].errors["exited_on"] == ["A member cannot leave before the date they joined."]
    things.member.refresh_from_db()
    assert things.member.status == Member.Status.ACTIVE


def test_a_member_of_another_group_cannot_be_edited_through_this_one(client, things, facilitator):
    stranger = MemberFactory()
    url = reverse("sessions_log:member_edit", kwargs={"pk": things.group.pk, "member_pk": stranger.pk})

    response = sign_in(client, facilitator).get(url)

    assert response.status_code == 404


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
