"""The team page: adding people to the group's team and removing them."""

import re

import pytest
from django.contrib import messages
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory
from groups.tests.view_helpers import Role, assert_error_beside_field, field_html, levels_of
from tests.access_matrix import messages_of, sign_in

pytestmark = pytest.mark.django_db


# Team ------------------------------------------------------------------------------------------


def add_to_team(client, group, person, role):
    return client.post(reverse("groups:team", kwargs={"pk": group.pk}), {"person": person, "role": role})


@pytest.mark.parametrize("typed", ["erin", "ERIN@example.org", "Erin Example (erin)", "erin example"])
def test_a_coordinator_adds_someone_with_an_account_by_name_username_or_address(client, group, coordinator, typed):
    erin = UserFactory(username="erin", first_name="Erin", last_name="Example")

    response = add_to_team(sign_in(client, coordinator), group, typed, Role.CO_FACILITATOR)

    assert response.status_code == 302
    assert response.url == reverse("groups:team", kwargs={"pk": group.pk})
    assert group.roles.filter(user=erin, role=Role.CO_FACILITATOR).exists()
    assert messages_of(response) == [(messages.SUCCESS, "Erin Example is now co-facilitator of the group.")]


def test_the_team_page_suggests_the_organisations_active_accounts_as_a_name_is_typed(client, group, coordinator):
    UserFactory(username="erin", first_name="Erin", last_name="Example")
    UserFactory(username="former", first_name="Fay", last_name="Former", is_active=False)

    html = sign_in(client, coordinator).get(reverse("groups:team", kwargs={"pk": group.pk})).content.decode()

    # A <datalist>: the browser offers the names as the coordinator types, with or without JavaScript.
    assert 'list="people-with-accounts"' in field_html(html, "person")
    suggestions = re.findall(r'<option value="([^"]*)">', html[html.index('<datalist id="people-with-accounts">') :])
    assert "Erin Example (erin)" in suggestions
    assert not [suggestion for suggestion in suggestions if "former" in suggestion]


def test_two_accounts_of_the_same_name_are_told_apart_by_username(client, group, coordinator):
    UserFactory(username="dsmith", first_name="Dana", last_name="Smith")
    other = UserFactory(username="dana.s", first_name="Dana", last_name="Smith")

    refused = add_to_team(sign_in(client, coordinator), group, "Dana Smith", Role.CO_FACILITATOR)
    added = add_to_team(client, group, "Dana Smith (dana.s)", Role.CO_FACILITATOR)

    assert "More than one account has that name" in refused.context["form"].errors["person"][0]
    assert added.status_code == 302
    assert list(group.roles.filter(role=Role.CO_FACILITATOR).values_list("user", flat=True)) == [other.pk]


def test_a_name_nobody_has_asks_for_an_address_to_invite_them(client, group, coordinator):
    roles_before = list(group.roles.values_list("pk", flat=True))

    response = add_to_team(sign_in(client, coordinator), group, "Nobody Here", Role.CO_FACILITATOR)

    html = response.content.decode()
    assert response.status_code == 200
    message = "Nobody with an account has that name. To invite someone new, give their email address"
    assert message in response.context["form"].errors["email"][0]
    assert_error_beside_field(html, "email", message)
    assert 'value="Nobody Here"' in field_html(html, "person")
    assert list(group.roles.values_list("pk", flat=True)) == roles_before


def test_an_inactive_account_cannot_be_added_to_the_team(client, group, coordinator):
    UserFactory(username="former", is_active=False)

    response = add_to_team(sign_in(client, coordinator), group, "former", Role.CO_FACILITATOR)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not group.roles.filter(user__username="former").exists()


def test_an_email_shared_by_two_accounts_is_refused_rather_than_guessed(client, group, coordinator):
    UserFactory(username="erin", email="shared@example.org")
    UserFactory(username="erin2", email="shared@example.org")

    response = add_to_team(sign_in(client, coordinator), group, "shared@example.org", Role.CO_FACILITATOR)

    assert response.status_code == 200
    assert "More than one account" in response.context["form"].errors["person"][0]
    assert not group.roles.filter(role=Role.CO_FACILITATOR).exists()


def test_a_second_supervisor_is_refused(client, group, coordinator, supervisor):
    UserFactory(username="erin")

    response = add_to_team(sign_in(client, coordinator), group, "erin", Role.SUPERVISOR)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "role": [f"{supervisor} is already the supervisor. Change the supervisor on the facilitator-support plan."]
    }
    assert list(group.roles.filter(role=Role.SUPERVISOR).values_list("user__username", flat=True)) == ["sam"]


def test_the_same_role_cannot_be_given_twice(client, group, coordinator, facilitator):
    response = add_to_team(sign_in(client, coordinator), group, "bob", Role.LEAD_FACILITATOR)

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert group.roles.filter(user=facilitator).count() == 1


def test_removing_the_last_coordinator_is_refused(client, group, coordinator):
    role = group.roles.get(user=coordinator)

    response = sign_in(client, coordinator).post(
        reverse("groups:team_remove", kwargs={"pk": group.pk, "role_pk": role.pk})
    )

    assert response.status_code == 302
    assert GroupRole.objects.filter(pk=role.pk).exists()
    assert messages_of(response) == [
        (messages.ERROR, "A group needs at least one coordinator. Add another before removing this one.")
    ]


def test_a_coordinator_can_be_removed_while_another_remains(client, group, coordinator):
    second = GroupRoleFactory(group=group, user=UserFactory(username="erin"), role=Role.COORDINATOR)

    response = sign_in(client, coordinator).post(
        reverse("groups:team_remove", kwargs={"pk": group.pk, "role_pk": second.pk})
    )

    assert levels_of(response) == [messages.SUCCESS]
    assert not GroupRole.objects.filter(pk=second.pk).exists()


def test_removing_a_facilitator_takes_away_their_access(client, group, coordinator, facilitator):
    role = group.roles.get(user=facilitator)
    sign_in(client, coordinator).post(reverse("groups:team_remove", kwargs={"pk": group.pk, "role_pk": role.pk}))

    response = sign_in(client, facilitator).get(reverse("groups:plan", kwargs={"pk": group.pk}))

    assert response.status_code == 404
