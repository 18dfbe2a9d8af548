"""The signed-in person is read with their permissions in one query (accounts.backends), so asking
who may plan a group costs nothing more, and nothing is kept from one request to the next."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import PermissionsWithUserBackend
from accounts.tests.factories import UserFactory
from groups.permissions import can_create_group
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db

PLAN_GROUPS = "add_supportgroup"


def _permission(codename=PLAN_GROUPS):
    return Permission.objects.get(codename=codename, content_type__app_label="groups")


def test_the_person_and_their_permissions_come_in_one_query(django_assert_num_queries):
    user = UserFactory()
    user.user_permissions.add(_permission())

    with django_assert_num_queries(1):
        loaded = PermissionsWithUserBackend().get_user(user.pk)
        assert can_create_group(loaded)
        assert loaded.has_perm("groups.add_supportgroup")
        assert not loaded.has_perm("groups.delete_supportgroup")
        assert loaded.get_all_permissions() == {"groups.add_supportgroup"}


def test_permissions_given_through_a_group_count_too(django_assert_num_queries):
    user = UserFactory()
    planners = Group.objects.create(name="Planners")
    planners.permissions.add(_permission())
    user.groups.add(planners)

    with django_assert_num_queries(1):
        loaded = PermissionsWithUserBackend().get_user(user.pk)
        assert can_create_group(loaded)
        assert loaded.get_group_permissions() == {"groups.add_supportgroup"}
        assert loaded.get_user_permissions() == set()


def test_the_same_permissions_as_djangos_own_backend():
    user = UserFactory()
    user.user_permissions.add(_permission(), _permission("change_supportgroup"))
    planners = Group.objects.create(name="Planners")
    planners.permissions.add(_permission("view_supportgroup"))
    user.groups.add(planners)

    loaded = PermissionsWithUserBackend().get_user(user.pk)
    fresh = type(user).objects.get(pk=user.pk)

    assert loaded.get_all_permissions() == fresh.get_all_permissions()
    assert loaded.get_user_permissions() == fresh.get_user_permissions()
    assert loaded.get_group_permissions() == fresh.get_group_permissions()


def test_superusers_keep_every_permission():
    user = UserFactory(is_superuser=True)

    loaded = PermissionsWithUserBackend().get_user(user.pk)

    assert can_create_group(loaded)
    assert loaded.get_all_permissions() == type(user).objects.get(pk=user.pk).get_all_permissions()


def test_an_inactive_or_missing_person_is_nobody():
    user = UserFactory(is_active=False)

    assert PermissionsWithUserBackend().get_user(user.pk) is None
    assert PermissionsWithUserBackend().get_user(user.pk + 1000) is None


def test_a_permission_taken_away_applies_at_the_next_request(client):
    user = UserFactory()
    user.user_permissions.add(_permission())
    sign_in(client, user, verified=True)
    assert b"Plan a new group" in client.get(reverse("groups:home")).content

    user.user_permissions.remove(_permission())

    assert b"Plan a new group" not in client.get(reverse("groups:home")).content
    assert client.get(reverse("groups:create")).status_code == 403


def test_pages_that_ask_who_may_plan_a_group_make_no_permission_queries_of_their_own(client):
    user = UserFactory()
    user.user_permissions.add(_permission())
    sign_in(client, user, verified=True)
    client.get(reverse("groups:home"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("groups:home"))

    assert b"Plan a new group" in response.content
    # has_perm's own queries, as the ORM writes them (the backend's names the table unquoted).
    assert not [query for query in queries.captured_queries if '"auth_permission"' in query["sql"]]


def test_the_app_signs_people_in_through_a_backend_the_settings_list(settings):
    """Accepting an invitation signs the new person in by naming the backend: one the settings do
    not list leaves the session signed out on the very next page."""
    from accounts.backends import SIGN_IN_BACKEND

    assert SIGN_IN_BACKEND in settings.AUTHENTICATION_BACKENDS
