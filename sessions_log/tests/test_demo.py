"""The demo data (`manage.py seed_demo`) reads like a real group's history."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sessions_log.models import Debrief

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())


def test_demo_debriefs_are_dated_the_evening_of_their_session(demo):
    debriefs = list(Debrief.objects.select_related("session"))

    assert len(debriefs) == 7
    for debrief in debriefs:
        assert timezone.localtime(debrief.created_at).date() == debrief.session.date
        assert debrief.updated_at == debrief.created_at
        assert debrief.days_waiting == (timezone.localdate() - debrief.session.date).days > 0


def test_the_demo_supervisors_queue_shows_how_long_each_debrief_has_waited(client, demo):
    client.force_login(get_user_model().objects.get(username="supervisor"))

    page = client.get(reverse("sessions_log:review_queue")).content.decode()

    waiting = Debrief.objects.awaiting_review().order_by("created_at").first()
    assert "waiting 0 days" not in page
    assert f"waiting {waiting.days_waiting} days" in page
    # Written more than a week ago and still waiting: the supervisor is told.
    assert "past the 7-day review time" in page
