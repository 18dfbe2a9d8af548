"""The debrief pages: who may open each one (the access matrix), and what stays confidential.

Bob leads the group and wrote the debrief, Dana co-facilitated the same session, Alice
coordinates the group and Sam supervises it. Charlie runs another group. A debrief's content is
for Bob, Sam and superusers only: everyone else on the team gets a 403, and it never appears in
any page they can open. Writing and reviewing are in the other files here.
"""

import pytest
from django.contrib import messages
from django.urls import reverse

from accounts.tests.factories import UserFactory
from sessions_log.models import Debrief, DebriefNote, DebriefReview
from sessions_log.tests.debriefs.helpers import SECRET, debrief_data, debrief_url
from sessions_log.tests.factories import DebriefFactory, LessonFactory
from tests.access_matrix import (
    Endpoint,
    allowed,
    assert_sent_to_sign_in,
    assert_turned_away,
    messages_of,
    refused,
    sign_in,
)

pytestmark = pytest.mark.django_db


def everything_about_debriefs() -> dict:
    """A snapshot of every debrief, review and note, to show a refused request changed nothing."""
    return {
        "debriefs": list(Debrief.objects.order_by("pk").values()),
        "reviews": list(DebriefReview.objects.order_by("pk").values()),
        "notes": list(DebriefNote.objects.order_by("pk").values()),
    }


# The access matrix -----------------------------------------------------------------------------


def _session(scene):
    return {"session_pk": scene.session.pk}


def _debrief(scene):
    return {"debrief_pk": scene.debrief.pk}


DEBRIEF_ENDPOINTS = [
    Endpoint("sessions_log:debrief_write", "GET", frozenset({"facilitator"}), _session),
    Endpoint(
        "sessions_log:debrief_write",
        "POST",
        frozenset({"facilitator"}),
        _session,
        lambda scene: debrief_data(how_it_went="Edited."),
    ),
    Endpoint("sessions_log:debrief", "GET", frozenset({"facilitator", "supervisor"}), _debrief),
    Endpoint(
        "sessions_log:debrief_review",
        "POST",
        frozenset({"supervisor"}),
        _debrief,
        lambda scene: {"comments": "Thank you."},
    ),
    Endpoint(
        "sessions_log:debrief_note",
        "POST",
        frozenset({"facilitator", "supervisor"}),
        _debrief,
        lambda scene: {"text": "A week on: fine."},
    ),
]
REFUSED = refused(DEBRIEF_ENDPOINTS)
ALLOWED = allowed(DEBRIEF_ENDPOINTS)


def _id(value):
    return str(value)


@pytest.mark.parametrize("endpoint", DEBRIEF_ENDPOINTS, ids=_id)
def test_anonymous_visitors_are_sent_to_sign_in(client, scene, endpoint):
    assert_sent_to_sign_in(client, scene, endpoint, everything_about_debriefs)


@pytest.mark.parametrize("endpoint", DEBRIEF_ENDPOINTS, ids=_id)
def test_people_outside_the_group_are_told_it_does_not_exist(client, scene, outsider, endpoint):
    assert_turned_away(client, outsider, scene, endpoint, everything_about_debriefs, 404)


@pytest.mark.parametrize(("endpoint", "role"), REFUSED, ids=_id)
def test_team_members_without_the_right_are_refused_and_nothing_changes(client, request, scene, endpoint, role):
    response = assert_turned_away(
        client, request.getfixturevalue(role), scene, endpoint, everything_about_debriefs, 403
    )

    assert SECRET not in response.content.decode()


@pytest.mark.parametrize(("endpoint", "role"), ALLOWED, ids=_id)
def test_team_members_with_the_right_can_use_the_page(client, request, scene, endpoint, role):
    url, response = endpoint.request(sign_in(client, request.getfixturevalue(role)), scene)

    if endpoint.method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        # A saved debrief goes back to its session, where the steps after the meeting show it done;
        # a review or a note stays on the debrief.
        if endpoint.name == "sessions_log:debrief_write":
            assert response.url == scene.session.get_absolute_url()
        else:
            assert response.url == debrief_url("debrief", scene, debrief_pk=scene.debrief.pk)
        assert messages.SUCCESS in [level for level, _ in messages_of(response)]


@pytest.mark.parametrize(
    "endpoint", [endpoint for endpoint in DEBRIEF_ENDPOINTS if endpoint.name != "sessions_log:debrief_write"], ids=_id
)
def test_debrief_actions_and_pages_ignore_debriefs_of_other_groups(client, scene, supervisor, endpoint):
    other_group_debrief = DebriefFactory()
    url = reverse(endpoint.name, kwargs={"pk": scene.group.pk, "debrief_pk": other_group_debrief.pk})

    sign_in(client, supervisor)

    response = client.post(url, endpoint.data(scene)) if endpoint.method == "POST" else client.get(url)

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["debrief_review", "debrief_note"])
def test_debrief_actions_do_not_answer_a_plain_get(client, scene, supervisor, name):
    response = sign_in(client, supervisor).get(debrief_url(name, scene, debrief_pk=scene.debrief.pk))

    assert response.status_code == 405


def test_a_superuser_can_read_any_debrief(client, scene):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    response = sign_in(client, admin).get(debrief_url("debrief", scene, debrief_pk=scene.debrief.pk))

    assert response.status_code == 200
    assert SECRET in response.content.decode()


# Confidentiality -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "co_facilitator"])
def test_the_coordinator_and_other_facilitators_never_see_a_debriefs_content(client, request, scene, role):
    LessonFactory(group=scene.group, session=scene.session)
    sign_in(client, request.getfixturevalue(role))
    debrief_pages = [
        debrief_url("debrief", scene, debrief_pk=scene.debrief.pk),
        debrief_url("debrief_review", scene, debrief_pk=scene.debrief.pk),
        debrief_url("debrief_note", scene, debrief_pk=scene.debrief.pk),
    ]
    # Pages they may open, some of which mention the session or its debriefs.
    open_pages = [
        reverse("sessions_log:dashboard"),
        reverse("sessions_log:review_queue"),
        debrief_url("lessons", scene),
        debrief_url("session", scene, session_pk=scene.session.pk),
        reverse("groups:plan", kwargs={"pk": scene.group.pk}),
    ]

    refused = [client.get(url) for url in debrief_pages[:1]] + [client.post(url) for url in debrief_pages[1:]]
    opened = [client.get(url) for url in open_pages]

    assert [response.status_code for response in refused] == [403, 403, 403]
    assert [response.status_code for response in opened] == [200] * len(open_pages)
    for response in refused + opened:
        assert SECRET not in response.content.decode()


def test_a_co_facilitator_writing_their_own_debrief_does_not_see_their_colleagues(client, scene, co_facilitator):
    response = sign_in(client, co_facilitator).get(debrief_url("debrief_write", scene, session_pk=scene.session.pk))

    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert response.context["form"].instance.pk is None


def test_the_review_queue_shows_who_and_when_but_never_what_was_written(client, scene, supervisor):
    response = sign_in(client, supervisor).get(reverse("sessions_log:review_queue"))

    assert response.status_code == 200
    assert [debrief.pk for debrief in response.context["debriefs"]] == [scene.debrief.pk]
    assert SECRET not in response.content.decode()
