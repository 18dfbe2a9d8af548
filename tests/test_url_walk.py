"""Every URL pattern of the project, opened as each person on a group's team and as people with
no business in the group: nobody outside the group is ever shown one of its pages, or any of
its content on another page, and nobody is ever shown a server error.

The URLs come from the project's resolver, so a page added later is walked without anyone
remembering to list it (tests/world.py says what to add when a new URL keyword appears).
"""

import pytest
from django.db import transaction

from tests.access_matrix import sign_in
from tests.world import INSIDERS, OUTSIDERS, Route, every_route

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


# Addresses and cookies no browser of ours would send ------------------------------------------------

# A NUL reaches PostgreSQL, which refuses it in a string: once a server error from a calendar
# address (/reports/calendar/%00.ics) and from a session cookie.
NUL_QUERY = {name: "\x00" for name in ("page", "q", "date", "group", "session", "from", "to", "theme", "format")}
FORGED_COOKIES = {
    "sessionid": "a" * 20 + "\x00" + "b" * 11,
    "csrftoken": "\x00" * 32,
    "messages": "\x00",
}


def test_a_nul_in_any_address_or_its_query_is_never_a_server_error(client, world):
    sign_in(client, world.people["coordinator"], verified=True)
    errors = []
    for route in [*_routes(world), *[Route("nul", "", "/reports/calendar/%00.ics", False)]]:
        for response in (client.get(route.url + "%00"), client.get(route.url, NUL_QUERY)):
            if response.status_code >= 500:
                errors.append(f"{response.request['PATH_INFO']} ({route.name}): {response.status_code}")
    assert client.get("/reports/calendar/%00.ics").status_code == 404
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("role", ["coordinator", "anonymous"])
def test_forged_cookies_on_any_page_are_never_a_server_error(client, world, role):
    sign_in(client, world.people[role], verified=True)
    for name, value in FORGED_COOKIES.items():
        client.cookies[name] = value
    errors = []
    for route in _routes(world):
        response = client.get(route.url)
        if response.status_code >= 500:
            errors.append(f"{route.url} ({route.name}): {response.status_code}")
    assert not errors, "\n".join(errors)
