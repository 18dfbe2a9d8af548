"""The debrief pages' scene: last week's session run by Bob and Dana, and Bob's debrief of it."""

from types import SimpleNamespace

import pytest

from accounts.tests.factories import UserFactory
from groups.tests.factories import GroupRoleFactory
from sessions_log.tests.debriefs.helpers import SECRET, Role
from sessions_log.tests.factories import DebriefFactory, GroupSessionFactory


@pytest.fixture
def co_facilitator(group):
    user = UserFactory(username="dana")
    GroupRoleFactory(group=group, user=user, role=Role.CO_FACILITATOR)
    return user


@pytest.fixture
def session(active_group, facilitator, co_facilitator):
    """Last week's session, run by Bob and Dana, in a group with its whole team."""
    return GroupSessionFactory(group=active_group, facilitators_present=[facilitator, co_facilitator])


@pytest.fixture
def debrief(session, facilitator):
    return DebriefFactory(session=session, author=facilitator, how_it_went=SECRET)


@pytest.fixture
def scene(active_group, session, debrief):
    return SimpleNamespace(group=active_group, session=session, debrief=debrief)
