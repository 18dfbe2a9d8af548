"""The sessions pages and the register: who may open each one (the access matrix).

Alice coordinates the group, Bob leads it and Sam supervises it. Charlie facilitates another
group, so he must not even learn that this one exists. Only facilitators record sessions and
take registers; the supervisor sees attendance as numbers, never members' names.

What each page does is in the files beside this one: test_views_session_form.py (recording a
session), test_views_register.py, test_views_group_sessions.py and test_views_session_page.py.
"""

import pytest

from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory
from sessions_log import urls
from sessions_log.models import Attendance, FollowUp, GroupSession
from sessions_log.tests.records import url
from sessions_log.tests.sessions.helpers import Status, register_data, session_data
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
FACILITATORS = frozenset({"facilitator"})


def everything_about(group) -> dict:
    """A snapshot of the group's sessions and registers, to show a refused request changed nothing."""
    return {
        "sessions": list(GroupSession.objects.filter(group=group).order_by("pk").values()),
        "marks": list(Attendance.objects.filter(session__group=group).order_by("pk").values()),
        "follow_ups": list(FollowUp.objects.filter(session__group=group).order_by("pk").values()),
    }


# The access matrix ---------------------------------------------------------------------------


def _session(things):
    return {"session_pk": things.session.pk}


ENDPOINTS = [
    Endpoint("sessions_log:group_sessions", "GET", EVERYONE),
    Endpoint("sessions_log:session_create", "GET", FACILITATORS),
    Endpoint("sessions_log:session_create", "POST", FACILITATORS, data=lambda things: session_data()),
    Endpoint("sessions_log:session", "GET", EVERYONE, url_kwargs=_session),
    Endpoint("sessions_log:session_edit", "GET", FACILITATORS, url_kwargs=_session),
    Endpoint(
        "sessions_log:session_edit",
        "POST",
        FACILITATORS,
        url_kwargs=_session,
        data=lambda things: session_data(date=things.session.date.isoformat(), starts_at="19:00"),
    ),
    Endpoint("sessions_log:register", "GET", FACILITATORS, url_kwargs=_session),
    Endpoint(
        "sessions_log:register",
        "POST",
        FACILITATORS,
        url_kwargs=_session,
        data=lambda things: register_data({things.member: Status.PRESENT}),
    ),
]
REFUSED = refused(ENDPOINTS)
ALLOWED = allowed(ENDPOINTS)


def test_the_access_matrix_covers_every_sessions_page():
    from sessions_log.views import sessions

    assert url_names(urls, sessions) == {endpoint.name for endpoint in ENDPOINTS}


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


def test_a_co_facilitator_records_sessions_too(client, active_group):
    cofacilitator = GroupRoleFactory(group=active_group, role=GroupRole.Role.CO_FACILITATOR).user

    response = sign_in(client, cofacilitator).get(url("session_create", active_group))

    assert response.status_code == 200
