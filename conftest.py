"""Role fixtures shared by every app's tests.

One group, and a person for each role in it, plus charlie, who facilitates another group and so
must never see anything of this one.
"""

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory, SupportGroupFactory, mark_launched


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def group(db):
    return SupportGroupFactory(name="Riverside evening group")


def _member_of(group, username, role):
    user = UserFactory(username=username)
    GroupRoleFactory(group=group, user=user, role=role)
    return user


@pytest.fixture
def coordinator(group):
    return _member_of(group, "alice", GroupRole.Role.COORDINATOR)


@pytest.fixture
def facilitator(group):
    return _member_of(group, "bob", GroupRole.Role.LEAD_FACILITATOR)


@pytest.fixture
def supervisor(group):
    return _member_of(group, "sam", GroupRole.Role.SUPERVISOR)


@pytest.fixture
def active_group(group, coordinator, facilitator, supervisor):
    """The group, launched (running), with alice coordinating, bob leading and sam supervising."""
    return mark_launched(group)


@pytest.fixture
def outsider(db):
    """Facilitates a different group: a real user of the app with no business in `group`."""
    return _member_of(SupportGroupFactory(name="Another town's group"), "charlie", GroupRole.Role.LEAD_FACILITATOR)


def pytest_collection_modifyitems(items):
    # Browser tests go last: Playwright keeps an event loop running in the test thread from the
    # first browser test to the end of the run, and Django refuses ORM calls beside a running loop.
    items.sort(key=lambda item: "tests/e2e/" in item.nodeid)
    # `make test` runs on PostgreSQL, like production; a bare `pytest` uses SQLite. Tests of what
    # only PostgreSQL does (row locks between connections, pg_dump) say so, and are skipped with
    # their reason elsewhere rather than failing for the wrong one.
    if connection.vendor != "postgresql":
        for item in items:
            marker = item.get_closest_marker("postgres")
            if marker:
                why = marker.args[0] if marker.args else "PostgreSQL only"
                item.add_marker(
                    pytest.mark.skip(reason=f"needs PostgreSQL ({why}); this run is on {connection.vendor}")
                )
