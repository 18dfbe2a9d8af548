"""Separation of duties (issue 13, item 2; 12.9): an administrator of the organisation says who may
supervise; coordinators choose a group's supervisor only among those people, on the
facilitator-support plan; nobody coordinates and supervises the same group, down to the database;
every change of supervisor is in the history and tells the old and the new supervisor.

Before this, a coordinator removed the supervisor and added themselves, and so read every debrief,
review and the change history: test_a_coordinator_cannot_make_themselves_supervisor failed then.
"""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groups.models import GroupRole
from groups.notices import supervisor_notices
from groups.permissions import may_supervise, people_who_may_supervise
from groups.services import add_team_role, choose_supervisor, remove_team_role
from groups.tests.factories import SupportGroupFactory
from groups_site import events
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db

Role = GroupRole.Role
migration = importlib.import_module("groups.migrations.0010_supervise_permission_and_separation_of_duties")


def allowed_to_supervise(user):
    user.user_permissions.add(Permission.objects.get(codename="supervise_groups"))
    # has_perm caches a user's permissions on the instance.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def vera(db):
    return allowed_to_supervise(UserFactory(username="vera", first_name="Vera", last_name="Stone"))


@pytest.fixture
def heard(monkeypatch):
    """The events announced, as (signal, facts), instead of being sent after commit."""
    announced = []
    monkeypatch.setattr(events, "announce", lambda signal, **facts: announced.append((signal, facts)))
    return announced


# Who may supervise --------------------------------------------------------------------------------


def test_only_people_the_organisation_allows_may_supervise(vera):
    assert may_supervise(vera)
    assert not may_supervise(UserFactory(username="olly"))
    assert may_supervise(UserFactory(username="root", is_superuser=True))
    vera.is_active = False
    assert not may_supervise(vera)


def test_the_picker_offers_those_allowed_less_the_groups_coordinators(group, coordinator, vera):
    allowed_to_supervise(coordinator)
    UserFactory(username="olly")
    inactive = allowed_to_supervise(UserFactory(username="ivy", is_active=False))

    offered = list(people_who_may_supervise(group))

    assert vera in offered
    assert coordinator not in offered  # coordinates this group
    assert inactive not in offered
    assert coordinator in people_who_may_supervise()  # may supervise another group
    assert [user.username for user in offered if user.username == "olly"] == []


def test_the_migration_allows_everyone_who_supervises_today(group, supervisor, coordinator):
    supervisor.user_permissions.clear()

    migration.grant_to_current_supervisors(apps, schema_editor=None)

    assert may_supervise(type(supervisor).objects.get(pk=supervisor.pk))
    assert not may_supervise(type(coordinator).objects.get(pk=coordinator.pk))


# Nobody coordinates and supervises one group ----------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"), [(Role.COORDINATOR, Role.SUPERVISOR), (Role.SUPERVISOR, Role.COORDINATOR)]
)
def test_the_database_refuses_a_coordinator_who_supervises_the_same_group(group, first, second):
    person = UserFactory(username="pat")
    GroupRole.objects.create(group=group, user=person, role=first)

    with pytest.raises(IntegrityError), transaction.atomic():
        GroupRole.objects.create(group=group, user=person, role=second)

    # Coordinating one group and supervising another is fine; so is facilitating and supervising.
    GroupRole.objects.create(group=SupportGroupFactory(), user=person, role=second)
    GroupRole.objects.create(group=group, user=person, role=Role.CO_FACILITATOR)


def test_a_coordinator_cannot_make_themselves_supervisor(group, coordinator, supervisor):
    """The tester's route: remove the supervisor, then add oneself. Even allowed to supervise
    elsewhere, a coordinator never supervises their own group."""
    allowed_to_supervise(coordinator)
    remove_team_role(role=group.roles.get(role=Role.SUPERVISOR), by=coordinator)

    with pytest.raises(ValidationError) as refusal:
        add_team_role(group=group, user=coordinator, role=Role.SUPERVISOR, by=coordinator)
    with pytest.raises(ValidationError):
        choose_supervisor(group=group, user=coordinator, by=coordinator)

    assert "coordinates this group, so cannot also supervise it" in str(refusal.value)
    assert not group.roles.filter(role=Role.SUPERVISOR).exists()


def test_someone_not_allowed_to_supervise_is_refused_as_supervisor(group, coordinator):
    olly = UserFactory(username="olly")

    with pytest.raises(ValidationError) as by_team_page:
        add_team_role(group=group, user=olly, role=Role.SUPERVISOR, by=coordinator)
    with pytest.raises(ValidationError):
        choose_supervisor(group=group, user=olly, by=coordinator)

    assert "not among the people the organisation allows to supervise" in str(by_team_page.value)
    assert not group.roles.filter(user=olly).exists()


def test_the_supervisor_cannot_be_made_a_coordinator_too(group, coordinator, supervisor):
    with pytest.raises(ValidationError) as refusal:
        add_team_role(group=group, user=supervisor, role=Role.COORDINATOR, by=coordinator)

    assert "supervises this group, so cannot also coordinate it" in str(refusal.value)


# Changing the supervisor ------------------------------------------------------------------------------


def test_changing_the_supervisor_is_one_change_kept_in_the_history_and_announced(
    group, coordinator, supervisor, vera, heard
):
    choose_supervisor(group=group, user=vera, by=coordinator)

    assert list(group.roles.filter(role=Role.SUPERVISOR).values_list("user__username", flat=True)) == ["vera"]
    history = GroupRole.history.filter(group_id=group.pk, role=Role.SUPERVISOR).order_by("history_id")
    assert [(row.user_id, row.history_type, row.history_change_reason, row.history_user_id) for row in history][
        -2:
    ] == [
        (supervisor.pk, "-", "Supervisor changed: replaced", coordinator.pk),
        (vera.pk, "+", "Supervisor changed: chosen", coordinator.pk),
    ]
    changed = [facts for signal, facts in heard if signal is events.supervisor_changed]
    assert changed == [
        {"group_id": group.pk, "old_user_id": supervisor.pk, "new_user_id": vera.pk, "by_id": coordinator.pk}
    ]
    assert {(facts["user_id"], facts["role"]) for signal, facts in heard if signal is events.team_role_removed} == {
        (supervisor.pk, Role.SUPERVISOR)
    }


def test_removing_or_adding_a_supervisor_on_the_team_page_is_announced_too(group, coordinator, supervisor, vera, heard):
    remove_team_role(role=group.roles.get(role=Role.SUPERVISOR), by=coordinator)
    add_team_role(group=group, user=vera, role=Role.SUPERVISOR, by=coordinator)

    assert [facts for signal, facts in heard if signal is events.supervisor_changed] == [
        {"group_id": group.pk, "old_user_id": supervisor.pk, "new_user_id": None, "by_id": coordinator.pk},
        {"group_id": group.pk, "old_user_id": None, "new_user_id": vera.pk, "by_id": coordinator.pk},
    ]


def test_the_old_and_new_supervisor_are_told_on_their_dashboards_at_once(client, group, coordinator, supervisor, vera):
    choose_supervisor(group=group, user=vera, by=coordinator)

    new = sign_in(client, vera, verified=True).get(reverse("sessions_log:dashboard")).content.decode()
    old = sign_in(type(client)(), supervisor).get(reverse("sessions_log:dashboard")).content.decode()

    assert "You were made the supervisor of" in new
    assert reverse("groups:plan", kwargs={"pk": group.pk}) in new
    assert f"You were replaced or removed as the supervisor of {group.name}" in old
    assert reverse("groups:plan", kwargs={"pk": group.pk}) not in old  # no longer theirs to open
    assert [notice.became_supervisor for notice in supervisor_notices(coordinator)] == []


# The support plan page (12.9) -----------------------------------------------------------------------


def test_the_support_plan_page_offers_the_people_who_may_supervise(client, group, coordinator, vera):
    allowed_to_supervise(coordinator)
    response = sign_in(client, coordinator, verified=True).get(reverse("groups:support_plan", kwargs={"pk": group.pk}))

    choices = [str(user) for user in response.context["supervisor_form"].fields["supervisor"].queryset]
    assert choices == ["Vera Stone"]
    assert reverse("groups:choose_supervisor", kwargs={"pk": group.pk}) in response.content.decode()


def test_a_coordinator_names_the_supervisor_on_the_support_plan(client, group, coordinator, vera):
    url = reverse("groups:choose_supervisor", kwargs={"pk": group.pk})

    response = sign_in(client, coordinator, verified=True).post(url, {"supervisor": vera.pk})

    assert response.status_code == 302
    assert response.url == reverse("groups:support_plan", kwargs={"pk": group.pk})
    assert group.roles.get(role=Role.SUPERVISOR).user == vera


def test_choosing_someone_not_offered_is_refused_beside_the_picker(client, group, coordinator):
    olly = UserFactory(username="olly")
    url = reverse("groups:choose_supervisor", kwargs={"pk": group.pk})

    response = sign_in(client, coordinator, verified=True).post(url, {"supervisor": olly.pk})

    assert response.status_code == 200
    assert "supervisor" in response.context["supervisor_form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not group.roles.filter(role=Role.SUPERVISOR).exists()


def test_facilitators_and_supervisors_are_not_offered_the_picker(client, group, facilitator, supervisor):
    for person in (facilitator, supervisor):
        response = sign_in(client, person, verified=True).get(reverse("groups:support_plan", kwargs={"pk": group.pk}))
        assert response.context["supervisor_form"] is None
        assert reverse("groups:choose_supervisor", kwargs={"pk": group.pk}) not in response.content.decode()
