"""The reports are about groups that have been running for a while: here the shared `group`
fixture has launched a year and a half ago, with no team but the role fixtures'."""

import datetime

import pytest
from django.utils import timezone

from groups.models import SupportGroup
from groups.tests.factories import SupportGroupFactory

LAUNCHED_DAYS_AGO = 550


def launched_group(name, *, days_ago=LAUNCHED_DAYS_AGO, **fields):
    """An active group that launched `days_ago` days ago, meeting weekly on Tuesdays."""
    return SupportGroupFactory(
        name=name,
        status=SupportGroup.Status.ACTIVE,
        launched_at=timezone.now() - datetime.timedelta(days=days_ago),
        meeting_frequency=SupportGroup.Frequency.WEEKLY,
        meeting_weekday=SupportGroup.Weekday.TUESDAY,
        **fields,
    )


@pytest.fixture
def group(db):
    return launched_group("Riverside evening group")


@pytest.fixture(autouse=True)
def empty_cache():
    """The funder report keeps figures in the cache; each test starts without any."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
