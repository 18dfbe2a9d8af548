"""Recording a session: the form, its checks, and who may use it."""

import datetime

import pytest
from django.utils import timezone

from groups.models import SupportGroup
from sessions_log.models import GroupSession
from sessions_log.services import SessionNotAllowed, record_session
from sessions_log.tests.factories import (
    GroupSessionFactory,
)
from sessions_log.tests.records import TODAY, days_ago, url
from sessions_log.tests.sessions.helpers import register_url, session_data, set_status
from tests.access_matrix import (
    sign_in,
)

pytestmark = pytest.mark.django_db
NOT_ACTIVE = "Sessions can only be recorded for an active group"


# Recording a session -------------------------------------------------------------------------


# A paused group still records the meetings it did not hold (sessions_log/tests/test_endings.py).
@pytest.mark.parametrize("status", [SupportGroup.Status.PLANNING, SupportGroup.Status.CLOSED])
def test_the_service_refuses_sessions_for_a_group_that_is_not_active(group, facilitator, status):
    set_status(group, status)
    session = GroupSessionFactory.build(group=group, date=days_ago(1))

    with pytest.raises(SessionNotAllowed, match=NOT_ACTIVE):
        record_session(session=session, facilitators=[facilitator], by=facilitator)
    assert not GroupSession.objects.exists()


# A paused group still records the meetings it did not hold (sessions_log/tests/test_endings.py).
@pytest.mark.parametrize("status", [SupportGroup.Status.PLANNING, SupportGroup.Status.CLOSED])
def test_the_record_page_says_plainly_that_a_group_not_active_holds_no_sessions(client, group, facilitator, status):
    set_status(group, status)

    response = sign_in(client, facilitator).get(url("session_create", group))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sessions cannot be recorded for this group now." in html
    assert f"It is {group.get_status_display().lower()}" in html
    assert 'name="date"' not in html


# A paused group still records the meetings it did not hold (sessions_log/tests/test_endings.py).
@pytest.mark.parametrize("status", [SupportGroup.Status.PLANNING, SupportGroup.Status.CLOSED])
def test_recording_a_session_for_a_group_not_active_is_refused_with_the_reason(client, group, facilitator, status):
    set_status(group, status)

    response = sign_in(client, facilitator).post(url("session_create", group), session_data())

    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert error.startswith(NOT_ACTIVE)
    assert error in response.content.decode().replace("&#x27;", "'")
    assert not GroupSession.objects.exists()


def test_a_session_held_in_the_future_is_refused_beside_the_date_and_the_typing_kept(client, active_group, facilitator):
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()

    response = sign_in(client, facilitator).post(
        url("session_create", active_group), session_data(date=tomorrow, starts_at="19:15")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["A session cannot be recorded as held on a date still to come."]
    html = response.content.decode()
    assert f'value="{tomorrow}"' in html
    assert 'value="19:15"' in html
    assert not GroupSession.objects.exists()


def test_a_future_session_that_will_not_run_can_be_recorded_ahead(client, active_group, facilitator):
    data = session_data(
        date=(TODAY() + datetime.timedelta(days=7)).isoformat(),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
        offered_instead="A phone check-in; members were told by text.",
    )

    response = sign_in(client, facilitator).post(url("session_create", active_group), data)

    session = GroupSession.objects.get()
    assert response.url == session.get_absolute_url()
    assert session.recorded_by == facilitator


def test_recording_a_held_session_goes_straight_to_its_register(client, active_group, facilitator):
    response = sign_in(client, facilitator).post(
        url("session_create", active_group), session_data(facilitators_present=[facilitator.pk])
    )

    session = GroupSession.objects.get()
    assert response.url == register_url(session)
    assert list(session.facilitators_present.all()) == [facilitator]


def test_recording_the_same_session_twice_is_refused_on_the_form(client, things, facilitator):
    response = sign_in(client, facilitator).post(
        url("session_create", things.group), session_data(date=things.session.date.isoformat())
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["A session at that time is already recorded."]
    assert GroupSession.objects.count() == 1


def test_the_record_form_starts_from_the_date_asked_for(client, active_group, facilitator):
    day = days_ago(3)

    response = sign_in(client, facilitator).get(url("session_create", active_group) + f"?date={day.isoformat()}")

    form = response.context["form"]
    assert form["date"].value() == day
    assert form["starts_at"].value() == active_group.meeting_start
    assert form["ends_at"].value() == active_group.meeting_end
    assert form["facilitators_present"].value() == [facilitator.pk]


def test_the_record_form_offers_the_latest_meeting_date_not_yet_recorded(client, active_group, facilitator):
    # Launched a month ago, meeting weekly on Tuesdays: record the latest Tuesday, then expect the one before.
    SupportGroup.objects.filter(pk=active_group.pk).update(launched_at=timezone.now() - datetime.timedelta(days=30))
    latest_tuesday = TODAY() - datetime.timedelta(days=(TODAY().weekday() - 1) % 7)
    GroupSessionFactory(group=active_group, date=latest_tuesday)

    response = sign_in(client, facilitator).get(url("session_create", active_group))

    assert response.context["form"]["date"].value() == latest_tuesday - datetime.timedelta(days=7)


def test_editing_a_session_saves_through_the_service(client, things, facilitator):
    response = sign_in(client, facilitator).post(
        url("session_edit", things.group, session_pk=things.session.pk),
        session_data(date=things.session.date.isoformat(), starts_at="19:00", facilitators_present=[]),
    )

    assert response.url == things.session.get_absolute_url()
    things.session.refresh_from_db()
    assert things.session.starts_at == datetime.time(19, 0)
    assert not things.session.facilitators_present.exists()
