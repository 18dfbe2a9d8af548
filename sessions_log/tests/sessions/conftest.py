"""What the sessions pages' tests point at: last week's session, and a member of the group."""

from types import SimpleNamespace

import pytest

from sessions_log.tests.factories import GroupSessionFactory, MemberFactory
from sessions_log.tests.records import days_ago


@pytest.fixture
def session(active_group, facilitator):
    """A session held a week ago, run by bob, with nobody marked yet."""
    return GroupSessionFactory(group=active_group, date=days_ago(7), facilitators_present=[facilitator])


@pytest.fixture
def things(active_group, session):
    return SimpleNamespace(group=active_group, session=session, member=MemberFactory(group=active_group))
