"""The main menu offers each person only what their roles give them: "Supervision" to those who
review debriefs, "Reports" to those with a funder report, and costs one query at most."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import SIGN_IN_BACKEND
from accounts.tests.factories import UserFactory
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory

pytestmark = pytest.mark.django_db

SUPERVISION = f'href="{reverse("sessions_log:review_queue")}">Supervision<'
REPORTS = f'href="{reverse("reports:funder_report")}">Reports<'
MENU_QUERY = 'SELECT DISTINCT "groups_grouprole"."role"'
ALWAYS = [
    f'href="{reverse("sessions_log:dashboard")}">Dashboard<',
    f'href="{reverse("groups:home")}">My groups<',
    f'href="{reverse("two_factor:profile")}">Account security<',
]


def menu_of(client, user) -> set[str]:
    client.force_login(user)
    page = client.get(reverse("groups:home")).content.decode()
    assert all(link in page for link in ALWAYS)
    return {name for name, link in (("Supervision", SUPERVISION), ("Reports", REPORTS)) if link in page}


@pytest.mark.parametrize(
    ("person", "menu"),
    [
        ("coordinator", {"Reports"}),
        ("facilitator", set()),
        ("supervisor", {"Supervision", "Reports"}),
        ("outsider", set()),  # facilitates another group
    ],
)
def test_the_menu_offers_what_each_role_may_open(client, request, person, menu):
    assert menu_of(client, request.getfixturevalue(person)) == menu


def test_a_newcomer_with_no_role_sees_neither(client):
    assert menu_of(client, UserFactory(username="newcomer")) == set()


def test_an_administrator_sees_both_without_any_role(client):
    assert menu_of(client, UserFactory(username="admin", is_superuser=True, is_staff=True)) == {
        "Supervision",
        "Reports",
    }


def test_roles_in_several_groups_add_up(client, group, facilitator):
    GroupRoleFactory(user=facilitator, role=GroupRole.Role.SUPERVISOR)  # supervises another group

    assert menu_of(client, facilitator) == {"Supervision", "Reports"}


def test_the_menu_costs_no_query_of_its_own_on_postgresql(client, group, supervisor):
    """The roles come with the person, in the sign-in backend's one query (accounts.backends)."""
    client.force_login(supervisor, backend=SIGN_IN_BACKEND)
    client.get(reverse("groups:home"))  # a first visit fills process-wide caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("groups:home"))
    assert not [query for query in queries if query["sql"].startswith(MENU_QUERY)]
    # And it still says what the roles allow: a supervisor's menu has Supervision.
    assert f'href="{reverse("sessions_log:review_queue")}">Supervision<' in response.content.decode()


def test_a_person_read_another_way_has_their_roles_read_in_one_plain_query(group, supervisor):
    """SQLite (make run) reads the person as ModelBackend does: the menu then asks for the roles."""
    from groups_site.context_processors import Menu

    with CaptureQueriesContext(connection) as queries:
        shows = Menu(type(supervisor).objects.get(pk=supervisor.pk)).shows_supervision
    assert shows
    # One row per role held, whatever the number of groups: nothing joined, nothing ordered.
    menu_queries = [query["sql"] for query in queries if query["sql"].startswith(MENU_QUERY)]
    assert len(menu_queries) == 1
    assert "JOIN" not in menu_queries[0]
    assert "ORDER BY" not in menu_queries[0]


def test_a_signed_out_page_costs_no_menu_query(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("two_factor:login"))
    assert response.status_code == 200
    assert not [query for query in queries if query["sql"].startswith(MENU_QUERY)]
