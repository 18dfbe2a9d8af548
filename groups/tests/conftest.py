"""Fixtures shared by this app's test modules."""

import pytest

from groups.tests.factories import GroupRoleFactory, SupportGroupFactory
from groups.tests.view_helpers import Role


@pytest.fixture
def ready_group(coordinator):
    group = SupportGroupFactory(ready_to_launch=True, name="Hillside group")
    GroupRoleFactory(group=group, user=coordinator, role=Role.COORDINATOR)
    return group
