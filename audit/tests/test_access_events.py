"""Opening a debrief leaves an access event for each reader allowed to open it: the fact, never
what it says. Refused attempts leave nothing to read, so nothing is logged."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AccessEvent
from sessions_log.tests.factories import DebriefFactory, GroupSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def debrief(active_group, facilitator):
    session = GroupSessionFactory(group=active_group, facilitators_present=[facilitator])
    return DebriefFactory(session=session, author=facilitator, how_it_went="A private reflection.")


def debrief_url(debrief):
    return reverse("sessions_log:debrief", kwargs={"pk": debrief.session.group_id, "debrief_pk": debrief.pk})


@pytest.mark.parametrize("reader", ["facilitator", "supervisor", "superuser"])
def test_opening_a_debrief_logs_who_opened_which(client, request, debrief, reader):
    user = UserFactory(is_superuser=True) if reader == "superuser" else request.getfixturevalue(reader)
    client.force_login(user)

    assert client.get(debrief_url(debrief)).status_code == 200

    event = AccessEvent.objects.get()
    assert (event.user, event.action, event.group_id) == (
        user,
        AccessEvent.Action.VIEWED_DEBRIEF,
        debrief.session.group_id,
    )
    assert (event.object_type, event.object_id, event.detail) == ("sessions_log.Debrief", debrief.pk, "")


@pytest.mark.parametrize(("role", "status"), [("coordinator", 403), ("outsider", 404)])
def test_a_refused_attempt_logs_nothing(client, request, debrief, role, status):
    client.force_login(request.getfixturevalue(role))

    assert client.get(debrief_url(debrief)).status_code == status
    assert not AccessEvent.objects.exists()
