"""Concerns and the complaints log are kept as long as the group's other records: erased with
their history by the daily purge once the group has been closed for longer than its retention
period, and kept, unlinked, when the member they are about is erased on request."""

import pytest

from concerns.models import Complaint, Concern
from concerns.tests.factories import ComplaintFactory, ConcernFactory
from sessions_log.erasure import erase_member, purge_expired
from sessions_log.tests.records import close

pytestmark = pytest.mark.django_db


def test_a_group_closed_past_its_retention_period_keeps_no_concerns_or_complaints(scene, outsider):
    ConcernFactory(session=scene.session, member=scene.sky)
    ComplaintFactory(group=scene.group)
    still_running = ComplaintFactory(summary="Another group's entry.")
    close(scene.group, days_ago=scene.group.retention_months * 31 + 1)

    counts = purge_expired(by=None)

    assert (counts.concerns, counts.complaints) == (1, 1)
    assert not Concern.objects.filter(group=scene.group).exists()
    assert not Concern.history.filter(group_id=scene.group.pk).exists()
    assert not Complaint.history.filter(group_id=scene.group.pk).exists()
    assert list(Complaint.objects.all()) == [still_running]


def test_a_recently_closed_group_keeps_them(scene):
    ConcernFactory(session=scene.session)
    close(scene.group, days_ago=10)

    assert purge_expired(by=None).concerns == 0
    assert Concern.objects.filter(group=scene.group).exists()


def test_erasing_a_member_keeps_the_concern_without_them(scene):
    concern = ConcernFactory(session=scene.session, member=scene.sky)

    erase_member(member=scene.sky, reason="Asked in writing.", by=scene.people["coordinator"])

    concern.refresh_from_db()
    assert concern.member is None
    assert concern.what_was_done
