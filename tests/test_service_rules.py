"""Every service re-checks permission and state itself, whatever page or command called it, and
says who made the change and why in the history (docs/architecture.md).

One row per service: the person on the team who may make the change and one who may not, how
to put things in a state where even the right person is refused, and the history copy the change
writes with its reason. Not here: purge_expired, run by the system with nobody to refuse (see
sessions_log/tests/test_erasure.py), and remove_name_from_notes, which only erase_member calls,
inside its own checks. Calendar feeds keep no history (a feed is a key, not a record).
"""

import importlib
import inspect
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from groups.tests.factories import mark_launched
from sessions_log.tests.factories import MemberFactory
from sessions_log.tests.records import held_session
from tests.service_rules.concern_services import CONCERN_SERVICES
from tests.service_rules.group_services import GROUP_SERVICES
from tests.service_rules.session_services import SESSION_SERVICES
from tests.test_service_signatures import service_modules

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(group, coordinator, facilitator, supervisor):
    """The conftest group, running: alice coordinates, bob leads and ran last week's session,
    sam supervises; Robin is a member."""
    mark_launched(group)
    return SimpleNamespace(
        group=group,
        people={"coordinator": coordinator, "facilitator": facilitator, "supervisor": supervisor},
        member=MemberFactory(group=group, display_name="Robin"),
        session=held_session(group, 7, [facilitator]),
    )


SERVICES = GROUP_SERVICES + SESSION_SERVICES + CONCERN_SERVICES


@pytest.mark.parametrize("service", [service for service in SERVICES if service.refused], ids=str)
def test_a_service_refuses_someone_on_the_team_without_the_right(scene, service):
    service.prepare(scene)
    with pytest.raises(PermissionDenied):
        service.change(scene, scene.people[service.refused])


@pytest.mark.parametrize("service", SERVICES, ids=str)
def test_a_service_refuses_someone_outside_the_group(scene, outsider, service):
    service.prepare(scene)
    with pytest.raises(PermissionDenied):
        service.change(scene, outsider)


@pytest.mark.parametrize("service", [service for service in SERVICES if service.wrong_state], ids=str)
def test_a_service_refuses_even_the_right_person_in_the_wrong_state(scene, service):
    service.prepare(scene)
    service.wrong_state(scene)
    with pytest.raises(service.refusal):
        service.change(scene, scene.people[service.allowed])


@pytest.mark.parametrize("service", [service for service in SERVICES if service.history], ids=str)
def test_a_service_says_who_made_the_change_and_why(scene, service):
    service.prepare(scene)
    person = scene.people[service.allowed]

    service.change(scene, person)

    copy = service.history(scene)
    assert (copy.history_user, copy.history_change_reason) == (person, service.reason)


def test_every_service_that_takes_by_has_a_row():
    named = {service.name for service in SERVICES}
    # Run by the system (nobody to refuse), composed inside erase_member's checks, the access log
    # (see test_service_signatures), and change_group_status by other names.
    # accept_invitation is made by whoever opens the link, signed in nobody (invitations/tests).
    elsewhere = {"purge_expired", "remove_name_from_notes", "record_access", "purge_access_log", "accept_invitation"}
    wrappers = {"pause_group", "resume_group", "close_group"}
    taking_by = {
        name
        for module in service_modules()
        for name, function in inspect.getmembers(importlib.import_module(module), inspect.isfunction)
        if function.__module__ == module and not name.startswith("_") and "by" in inspect.signature(function).parameters
    }
    assert taking_by - named - elsewhere - wrappers == set()
