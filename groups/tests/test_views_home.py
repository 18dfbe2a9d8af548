"""The home page and creating or editing a group."""

import pytest
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from accounts.tests.factories import UserFactory
from groups.models import SupportGroup
from groups.tests.factories import SupportGroupFactory
from groups.tests.view_helpers import (
    MEMBERS,
    Role,
    Status,
    assert_error_beside_field,
    everything_about,
    field_html,
    group_form_data,
)
from tests.access_matrix import messages_of, sign_in

pytestmark = pytest.mark.django_db


def grant_group_creation(user):
    user.user_permissions.add(Permission.objects.get(codename="add_supportgroup", content_type__app_label="groups"))
    return user


# Home and creating a group ---------------------------------------------------------------------


def test_anonymous_visitors_to_the_home_page_are_sent_to_sign_in(client):
    response = client.get(reverse("groups:home"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('groups:home')}"


@pytest.mark.parametrize("role", [*MEMBERS, "outsider"])
def test_everyone_signed_in_sees_the_home_page(client, request, role):
    response = sign_in(client, request.getfixturevalue(role)).get(reverse("groups:home"))

    assert response.status_code == 200


def test_home_page_lists_only_the_groups_a_person_has_a_role_in(client, group, coordinator, outsider):
    response = sign_in(client, coordinator).get(reverse("groups:home"))

    assert [row["group"] for row in response.context["rows"]] == [group]
    assert "Another town&#x27;s group" not in response.content.decode()


def test_an_administrator_sees_every_group_fifty_a_page_by_name(client, db):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    SupportGroupFactory.create_batch(55)
    names = sorted(SupportGroup.objects.values_list("name", "pk"))
    sign_in(client, admin)

    first = client.get(reverse("groups:home"))
    second = client.get(reverse("groups:home"), {"page": 2})

    assert [row["group"].name for row in first.context["rows"]] == [name for name, _ in names[:50]]
    assert [row["group"].name for row in second.context["rows"]] == [name for name, _ in names[50:]]
    assert "55 groups; showing 1 to 50, by name." in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    assert all(row["roles"] == [] for row in second.context["rows"])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_anonymous_visitors_cannot_open_the_new_group_page(client, db, method):
    url = reverse("groups:create")

    response = client.get(url) if method == "GET" else client.post(url, group_form_data())

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", [*MEMBERS, "outsider"])
def test_people_without_the_create_permission_cannot_plan_a_group(client, request, role, method):
    sign_in(client, request.getfixturevalue(role))
    url = reverse("groups:create")
    groups_before = SupportGroup.objects.count()

    response = client.get(url) if method == "GET" else client.post(url, group_form_data(name="Not allowed"))

    assert response.status_code == 403
    assert SupportGroup.objects.count() == groups_before


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_someone_refused_the_new_group_page_is_told_who_gives_permission_to_plan_groups(client, db, method):
    # Before, the page answered about "your role in this group" to someone with no group at all.
    url = reverse("groups:create")
    sign_in(client, UserFactory(username="newcomer"))

    response = client.get(url) if method == "GET" else client.post(url, group_form_data())

    html = response.content.decode()
    assert response.status_code == 403
    assert escape("Planning a new group needs permission from your organisation's administrator") in html
    assert "Your role in this group" not in html


def test_people_with_the_create_permission_see_the_new_group_form(client, db):
    planner = grant_group_creation(UserFactory(username="petra"))

    response = sign_in(client, planner).get(reverse("groups:create"))

    assert response.status_code == 200
    assert 'name="name"' in response.content.decode()


def test_creating_a_group_makes_the_creator_its_coordinator_and_opens_its_plan(client, db):
    planner = grant_group_creation(UserFactory(username="petra"))

    response = sign_in(client, planner).post(reverse("groups:create"), group_form_data(name="Hillside group"))

    group = SupportGroup.objects.get(name="Hillside group")
    assert response.status_code == 302
    assert response.url == reverse("groups:plan", kwargs={"pk": group.pk})
    assert group.status == Status.PLANNING
    assert list(group.roles.values_list("user__username", "role")) == [("petra", Role.COORDINATOR)]
    assert messages_of(response) == [
        (messages.SUCCESS, "\u201cHillside group\u201d has been created. You are its coordinator.")
    ]


def test_a_group_whose_upper_age_is_below_its_lower_age_is_not_created_and_keeps_the_typing(client, db):
    planner = grant_group_creation(UserFactory(username="petra"))

    response = sign_in(client, planner).post(
        reverse("groups:create"), group_form_data(name="Hillside group", minimum_age="18", maximum_age="16")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert not SupportGroup.objects.filter(name="Hillside group").exists()
    assert response.context["form"].errors == {"maximum_age": ["The upper age limit must not be below the lower one."]}
    # The message sits with the field it is about, and what was typed is still there.
    assert_error_beside_field(html, "maximum_age", "The upper age limit must not be below the lower one.")
    assert 'name="maximum_age" value="16"' in field_html(html, "maximum_age")
    assert 'value="Hillside group"' in field_html(html, "name")


def test_editing_a_group_with_the_upper_age_below_the_lower_one_changes_nothing(client, group, coordinator):
    before = everything_about(group)

    response = sign_in(client, coordinator).post(
        reverse("groups:edit", kwargs={"pk": group.pk}), group_form_data(minimum_age="21", maximum_age="19")
    )

    assert response.status_code == 200
    assert "maximum_age" in response.context["form"].errors
    assert everything_about(group) == before


def test_editing_a_group_saves_its_details_and_returns_to_the_plan(client, group, coordinator):
    response = sign_in(client, coordinator).post(
        reverse("groups:edit", kwargs={"pk": group.pk}),
        group_form_data(name="Riverside Tuesday group", maximum_age="25"),
    )

    group.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("groups:plan", kwargs={"pk": group.pk})
    assert (group.name, group.maximum_age) == ("Riverside Tuesday group", 25)
