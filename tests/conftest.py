"""Fixtures for the cross-app tests in tests/ (the URL walk, hostile input, security, backups)."""

import pytest

from accounts.tests.factories import UserFactory
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory
from tests.world import build_world


@pytest.fixture
def world(db):
    """A running group with one of everything, its team, and people with no business in it."""
    return build_world()


@pytest.fixture
def second_coordinator(group):
    """Alex, a second coordinator of the group, for tests of two people editing at once."""
    user = UserFactory(username="alex")
    GroupRoleFactory(group=group, user=user, role=GroupRole.Role.COORDINATOR)
    return user
