"""The members pages: who may open each one (the access matrix), and the member list.

Alice coordinates the group, Bob leads it and Sam supervises it. Charlie facilitates another
group, so he must not even learn that this one exists. Members' names are for the people who
run the group, so Sam is refused them. Adding, editing and leaving are in the other files here.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.models import SupportGroup
from sessions_log import urls
from sessions_log.models import AbsencePolicy, FollowUp, Member, Signposting
from sessions_log.tests.factories import FollowUpFactory, GroupSessionFactory, MemberFactory
from sessions_log.tests.members.helpers import POLICY_DATA, _exit_data, member_data, members_url
from sessions_log.tests.records import TODAY
from tests.access_matrix import (
    ROLES,
    Endpoint,
    allowed,
    assert_can_use,
    assert_sent_to_sign_in,
    assert_turned_away,
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
