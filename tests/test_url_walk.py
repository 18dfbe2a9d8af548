"""Every URL pattern of the project, opened as each person on a group's team and as people with
no business in the group: nobody outside the group is ever shown one of its pages, or any of
its content on another page, and nobody is ever shown a server error.

The URLs come from the project's resolver, so a page added later is walked without anyone
remembering to list it (tests/world.py says what to add when a new URL keyword appears).
"""

import pytest
from django.db import transaction

from tests.access_matrix import sign_in
from tests.world import INSIDERS, OUTSIDERS, every_route

pytestmark = pytest.mark.django_db

# The admin's catch-all (it 404s or redirects to the admin's sign-in) is the only pattern that
# cannot be reversed; it is opened below with a made-up path instead.
UNREVERSABLE = {"admin/(?P<url>.*)$"}
# What an outsider may get for a page about the group: "not found", or "use POST" from a view
# that accepts nothing else (which says nothing about the group). Never "forbidden", which
# would tell them the group exists.
OUTSIDER_STATUSES = {404, 405}


def _routes(world):
    routes, unnamed = every_route(world)
    assert set(unnamed) == UNREVERSABLE
    return routes


def _leaked(world, response) -> list[str]:
    body = response.content.decode(errors="replace")
    return [secret for secret in world.secrets if secret in body]


def _still_signed_in(client, user):
    # A POST to "sign out" (or a session ending) leaves the client anonymous: sign in again.
    if user is not None and "_auth_user_id" not in client.session:
        sign_in(client, user, verified=True)


def test_the_walk_covers_every_page_of_the_project(world):
    routes = _routes(world)

    group_pages = [route for route in routes if route.names_group]
    # The planning, session, member, debrief, history and report pages all name a group.
    assert {route.name.split(":")[0] for route in group_pages} >= {"groups", "sessions_log"}
    assert len(group_pages) >= 40


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nobody_outside_a_group_ever_gets_one_of_its_pages(client, world, role):
    user = world.people[role]
    sign_in(client, user, verified=True)
    wrong = []
    for route in _routes(world):
        for method in ("get", "post"):
            # A POST that did get through must not change anything for the next request.
            with transaction.atomic():
                response = getattr(client, method)(route.url)
                transaction.set_rollback(True)
            _still_signed_in(client, user)
            if route.names_group:
                allowed = OUTSIDER_STATUSES if user is not None else {302}
                if response.status_code not in allowed:
                    wrong.append(f"{method.upper()} {route.url} ({route.name}): {response.status_code}")
            elif response.status_code >= 500:
                wrong.append(f"{method.upper()} {route.url} ({route.name}): {response.status_code}")
            if leaks := _leaked(world, response):
                wrong.append(f"{method.upper()} {route.url} ({route.name}) shows {leaks}")
            if user is None and response.status_code == 302 and route.names_group:
                assert response.url.startswith("/accounts/login/"), route.url
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", INSIDERS)
def test_nobody_on_the_team_gets_a_server_error_on_any_page(client, world, role):
    sign_in(client, world.people[role], verified=True)
    statuses = {}
    for route in _routes(world):
        statuses[route] = client.get(route.url).status_code

    errors = [f"{route.url} ({route.name}): {status}" for route, status in statuses.items() if status >= 500]
    assert not errors, "\n".join(errors)
    # Everyone on the team opens the group's plan and most of its pages; the rest are 403s for
    # their role (checked page by page in each app's tests).
    opened = [route for route, status in statuses.items() if route.names_group and status == 200]
    assert any(route.name == "groups:plan" for route in opened)
    assert len(opened) >= 10
    assert all(status in {200, 302, 403, 404, 405} for status in statuses.values())


def test_the_admins_catch_all_refuses_everyone_on_the_team(client, world):
    for role in INSIDERS:
        sign_in(client, world.people[role], verified=True)
        response = client.get(f"/admin/groups/supportgroup/{world.group.pk}/no-such-page/")
        assert response.status_code in {302, 404}
        assert not _leaked(world, response)
