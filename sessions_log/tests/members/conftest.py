"""What the members pages' tests point at."""

from types import SimpleNamespace

import pytest

from accounts.tests.factories import UserFactory
from groups.models import SupportGroup
from sessions_log.models import Member
from sessions_log.tests.factories import FollowUpFactory, GroupSessionFactory, MemberFactory


@pytest.fixture
def things(active_group):
    """What the member pages point at: an attending member with a follow-up assigned to someone
    outside the team, and a member on the waiting list. The team holds contact details (so a
    coordinator can stop holding them)."""
    SupportGroup.objects.filter(pk=active_group.pk).update(holds_contact_details=True)
    member = MemberFactory(group=active_group, display_name="Robin")
    return SimpleNamespace(
        group=active_group,
        member=member,
        waiting=MemberFactory(group=active_group, display_name="Sky", status=Member.Status.WAITING_LIST),
        follow_up=FollowUpFactory(
            member=member, session=GroupSessionFactory(group=active_group), assignee=UserFactory(username="erin")
        ),
    )
