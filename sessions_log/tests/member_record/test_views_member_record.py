"""A member's record page: who may open it (the access matrix), and what it shows.

Alice coordinates the group, Bob leads it and Sam supervises it; Charlie facilitates another
group. Everyone who runs the group may open a member's record; only coordinators (and superusers)
export or erase it (a member's requests under UK GDPR: test_views_member_export.py and
test_views_member_erasure.py). Robin is the member asking; Sky is another member whose name must
never appear in Robin's copy.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AccessEvent
from sessions_log import urls
from sessions_log.models import Member, MemberRequest
from sessions_log.tests.factories import MemberFactory
from sessions_log.tests.member_record.helpers import Status, erase_data, url
from sessions_log.tests.records import held_session, snapshot, take_register
from tests.access_matrix import (
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
RUNNERS = frozenset({"coordinator", "facilitator"})
COORDINATORS = frozenset({"coordinator"})
SUPERVISORS = frozenset({"supervisor"})
# session, user, group, roles, member, totals, access event, recent marks, follow-ups, concerns, the menu's roles
MEMBER_PAGE_MAX_QUERIES = 11


def _robin(things):
    return {"member_pk": things.robin.pk}


ENDPOINTS = [
    Endpoint("sessions_log:member", "GET", RUNNERS, url_kwargs=_robin),
    Endpoint("sessions_log:member_export", "GET", COORDINATORS, url_kwargs=_robin),
    Endpoint("sessions_log:member_export_json", "GET", COORDINATORS, url_kwargs=_robin),
    Endpoint("sessions_log:member_erase", "GET", COORDINATORS, url_kwargs=_robin),
    Endpoint("sessions_log:member_erase", "POST", COORDINATORS, url_kwargs=_robin, data=erase_data),
    Endpoint(
        "sessions_log:member_ask_supervisor",
        "POST",
        COORDINATORS,
        url_kwargs=_robin,
        data=lambda things: {"back": "erase"},
    ),
    # The supervisor's side of Robin's request (open: see the fixture).
    Endpoint("sessions_log:member_debrief_material", "GET", SUPERVISORS, url_kwargs=_robin),
    Endpoint("sessions_log:member_debrief_material_json", "GET", SUPERVISORS, url_kwargs=_robin),
    Endpoint("sessions_log:member_agree_replacement", "POST", SUPERVISORS, url_kwargs=_robin),
]
REFUSED = refused(ENDPOINTS)
ALLOWED = allowed(ENDPOINTS)


def test_the_access_matrix_covers_every_member_record_page():
    from sessions_log.views import member_record

    assert url_names(urls, member_record) == {endpoint.name for endpoint in ENDPOINTS}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(client, things, endpoint):
    assert_sent_to_sign_in(client, things, endpoint, snapshot)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_people_outside_the_group_are_told_it_does_not_exist(client, things, outsider, endpoint):
    assert_turned_away(client, outsider, things, endpoint, snapshot, 404)


@pytest.mark.parametrize(("endpoint", "role"), REFUSED, ids=str)
def test_team_members_without_the_right_are_refused_and_nothing_is_changed_or_logged(
    client, request, things, endpoint, role
):
    assert_turned_away(client, request.getfixturevalue(role), things, endpoint, snapshot, 403)


@pytest.mark.parametrize(("endpoint", "role"), ALLOWED, ids=str)
def test_team_members_with_the_right_can_use_the_page(client, request, things, endpoint, role):
    assert_can_use(client, request.getfixturevalue(role), things, endpoint)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_a_superuser_can_use_every_page(client, things, endpoint):
    _, response = endpoint.request(sign_in(client, UserFactory(is_superuser=True)), things)

    assert response.status_code == (200 if endpoint.method == "GET" else 302)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_a_member_of_another_group_is_not_found_through_this_group(client, request, things, endpoint):
    stranger = MemberFactory(display_name="Stranger")
    MemberRequest.objects.create(member=stranger, opened_at=timezone.now())
    address = reverse(endpoint.name, kwargs={"pk": things.group.pk, "member_pk": stranger.pk})
    sign_in(client, request.getfixturevalue(sorted(endpoint.allowed)[0]))

    response = client.get(address) if endpoint.method == "GET" else client.post(address, erase_data(things))

    assert response.status_code == 404
    assert Member.objects.filter(pk=stranger.pk).exists()


# The member's record -------------------------------------------------------------------------


def test_the_member_list_links_to_each_members_record(client, things, facilitator):
    response = sign_in(client, facilitator).get(reverse("sessions_log:members", kwargs={"pk": things.group.pk}))

    html = response.content.decode()
    assert url("member", things) in html
    assert url("member", things, things.sky) in html


def test_the_record_shows_attendance_and_follow_ups(client, things, facilitator):
    response = sign_in(client, facilitator).get(url("member", things))

    assert (response.context["attended"], response.context["marked"]) == (1, 3)
    assert response.context["last_attended"] == things.sessions[0].date
    assert ("Absent without notice", 2) in response.context["marks_by_status"]
    assert len(response.context["follow_ups"]) == 2
    html = response.content.decode()
    assert "Came to <strong>1 of 3</strong>" in html
    assert "Robin will come back with sky next week." in html


def test_opening_a_record_logs_the_fact_and_not_the_content(client, things, facilitator):
    sign_in(client, facilitator).get(url("member", things))

    event = AccessEvent.objects.get()
    assert (event.user, event.action, event.group) == (facilitator, AccessEvent.Action.VIEWED_MEMBER, things.group)
    assert (event.object_type, event.object_id, event.detail) == ("sessions_log.Member", things.robin.pk, "")


def test_only_coordinators_are_offered_export_and_erasure_on_the_record(client, things, coordinator, facilitator):
    export = url("member_export", things)

    assert export not in sign_in(client, facilitator).get(url("member", things)).content.decode()
    assert export in sign_in(client, coordinator).get(url("member", things)).content.decode()


def test_the_record_costs_the_same_queries_however_long_the_members_history(
    client, things, facilitator, django_assert_max_num_queries
):
    sign_in(client, facilitator)
    with CaptureQueriesContext(connection) as few:
        client.get(url("member", things))
    for days_ago in range(28, 28 + 7 * 12, 7):
        take_register(held_session(things.group, days_ago, [facilitator]), {things.robin: Status.ABSENT}, facilitator)

    with django_assert_max_num_queries(MEMBER_PAGE_MAX_QUERIES), CaptureQueriesContext(connection) as many:
        response = client.get(url("member", things))

    assert response.context["marked"] == 15
    assert len(many) == len(few)
