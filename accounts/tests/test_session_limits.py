"""Sessions end after 30 minutes without activity and 12 hours after signing in."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts import middleware
from accounts.middleware import LAST_ACTIVE_AT, SIGNED_IN_AT
from accounts.tests.signing_in import post_password, signed_in_user_id

DASHBOARD = "sessions_log:dashboard"
MINUTE = 60
HOUR = 60 * MINUTE


class Clock:
    def __init__(self):
        self.seconds = 1_800_000_000.0

    def __call__(self):
        return self.seconds

    def advance(self, seconds):
        self.seconds += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(middleware, "now", clock)
    return clock


@pytest.fixture
def signed_in(client, facilitator, clock):
    client.force_login(facilitator)
    return client


def open_dashboard(client):
    return client.get(reverse(DASHBOARD))


def assert_signed_out_with(client, response, message):
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse(DASHBOARD)}"
    assert signed_in_user_id(client) is None
    login_page = client.get(response["Location"]).content.decode()
    assert message in login_page


def test_the_limits_are_30_minutes_idle_and_12_hours_in_all(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * MINUTE
    assert settings.SESSION_MAX_LIFETIME == 12 * HOUR
    assert settings.SESSION_COOKIE_AGE == 12 * HOUR
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_30_minutes_without_activity_signs_you_out(signed_in, clock):
    assert open_dashboard(signed_in).status_code == 200

    clock.advance(30 * MINUTE + 1)
    response = open_dashboard(signed_in)

    assert_signed_out_with(signed_in, response, "You were signed out after 30 minutes without activity.")


def test_just_under_30_minutes_without_activity_keeps_you_in(signed_in, clock):
    open_dashboard(signed_in)

    clock.advance(29 * MINUTE)

    assert open_dashboard(signed_in).status_code == 200


def test_activity_within_30_minutes_keeps_you_in(signed_in, clock):
    for _ in range(6):  # an hour and a half, a page every quarter of an hour
        clock.advance(15 * MINUTE)
        assert open_dashboard(signed_in).status_code == 200

    clock.advance(31 * MINUTE)
    response = open_dashboard(signed_in)

    assert_signed_out_with(signed_in, response, "without activity")


def test_12_hours_after_signing_in_you_are_signed_out_however_active(signed_in, clock):
    for _ in range(12 * 4):  # twelve hours, a page every quarter of an hour
        assert open_dashboard(signed_in).status_code == 200
        clock.advance(15 * MINUTE)

    clock.advance(1)
    response = open_dashboard(signed_in)

    assert_signed_out_with(signed_in, response, "You were signed out after 12 hours, the longest a session lasts.")


def test_signing_in_again_starts_both_clocks_again(client, facilitator, clock):
    client.force_login(facilitator)
    clock.advance(11 * HOUR)
    client.post(reverse("logout"))

    post_password(client, "bob")
    assert client.session[SIGNED_IN_AT] == clock.seconds
    for _ in range(8):  # two more hours: 13 since the first sign-in, 2 since the second
        clock.advance(15 * MINUTE)
        assert open_dashboard(client).status_code == 200


def test_activity_is_written_to_the_session_at_most_once_a_minute(signed_in, clock):
    open_dashboard(signed_in)
    started = signed_in.session[LAST_ACTIVE_AT]
    saved = Session.objects.get(session_key=signed_in.session.session_key).expire_date

    clock.advance(59)
    open_dashboard(signed_in)
    assert signed_in.session[LAST_ACTIVE_AT] == started
    assert Session.objects.get(session_key=signed_in.session.session_key).expire_date == saved

    clock.advance(2)
    open_dashboard(signed_in)
    assert signed_in.session[LAST_ACTIVE_AT] == started + 61


def test_the_session_cookie_ends_with_the_browser(client, facilitator):
    response = post_password(client, "bob")

    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"] is True
