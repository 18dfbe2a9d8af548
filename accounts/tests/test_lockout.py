"""Five wrong passwords for one username from one address lock that pair out for 30 minutes
(django-axes). Other addresses, and other people at the same address, can still sign in."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.tests.signing_in import post_password, signed_in_user_id

WRONG = "not-the-password"
ALICES_DESK = {"REMOTE_ADDR": "127.0.0.1"}
ELSEWHERE = {"REMOTE_ADDR": "10.0.0.2"}


@pytest.fixture
def alice_and_bob(coordinator, facilitator):
    return coordinator, facilitator


def fail(client, username, times, **address):
    return [post_password(client, username, WRONG, **address) for _ in range(times)]


def test_four_wrong_passwords_only_say_the_password_is_wrong(client, alice_and_bob):
    responses = fail(client, "alice", 4, **ALICES_DESK)

    assert [r.status_code for r in responses] == [200] * 4
    assert "Please enter a correct username and password" in responses[-1].content.decode()
    assert post_password(client, "alice", **ALICES_DESK)["Location"] == reverse("sessions_log:dashboard")


def test_the_fifth_wrong_password_locks_the_account_from_that_address(client, alice_and_bob, settings):
    *_, fifth = fail(client, "alice", 5, **ALICES_DESK)

    assert settings.AXES_FAILURE_LIMIT == 5
    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert "Signing in is paused" in page
    assert "paused for 30 minutes" in page
    assert "ask an administrator" in page


def test_a_locked_out_account_cannot_sign_in_even_with_the_right_password(client, alice_and_bob):
    fail(client, "alice", 5, **ALICES_DESK)

    response = post_password(client, "alice", **ALICES_DESK)

    assert response.status_code == 429
    assert signed_in_user_id(client) is None


def test_the_same_account_can_still_sign_in_from_another_address(client, alice_and_bob):
    fail(client, "alice", 5, **ALICES_DESK)

    response = post_password(client, "alice", **ELSEWHERE)

    assert response["Location"] == reverse("sessions_log:dashboard")


def test_someone_else_at_the_same_address_can_still_sign_in(client, alice_and_bob):
    fail(client, "alice", 5, **ALICES_DESK)

    response = post_password(client, "bob", **ALICES_DESK)

    assert response["Location"] == reverse("sessions_log:dashboard")


def test_a_right_password_starts_the_count_again(client, alice_and_bob):
    fail(client, "alice", 4, **ALICES_DESK)
    post_password(client, "alice", **ALICES_DESK)
    client.post(reverse("logout"))

    responses = fail(client, "alice", 4, **ALICES_DESK)

    assert [r.status_code for r in responses] == [200] * 4


def test_the_lockout_ends_after_30_minutes(client, alice_and_bob):
    fail(client, "alice", 5, **ALICES_DESK)
    attempt = AccessAttempt.objects.get(username="alice")
    attempt.attempt_time -= timedelta(minutes=31)
    attempt.save()

    response = post_password(client, "alice", **ALICES_DESK)

    assert response["Location"] == reverse("sessions_log:dashboard")


def test_a_lockout_names_neither_whether_the_account_exists(client, db):
    *_, fifth = fail(client, "nobody-by-this-name", 5, **ALICES_DESK)

    assert fifth.status_code == 429
    assert "nobody-by-this-name" not in fifth.content.decode()


def test_behind_a_proxy_the_address_the_proxy_saw_is_the_one_locked_out(client, alice_and_bob, settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_ORDER = "right-most"
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    # The proxy appends the address it saw; whatever the client claimed comes before it.
    for claimed in ["6.6.6.1", "6.6.6.2", "6.6.6.3", "6.6.6.4", "6.6.6.5"]:
        post_password(client, "alice", WRONG, HTTP_X_FORWARDED_FOR=f"{claimed}, 81.2.69.142", **via_proxy)

    locked = post_password(client, "alice", HTTP_X_FORWARDED_FOR="81.2.69.142", **via_proxy)
    from_another_client = post_password(client, "alice", HTTP_X_FORWARDED_FOR="81.2.69.160", **via_proxy)

    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "81.2.69.142"
    assert from_another_client["Location"] == reverse("sessions_log:dashboard")


def test_an_over_long_username_is_refused_beside_the_field(client, db):
    response = post_password(client, "x" * 10_000, WRONG)

    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()
