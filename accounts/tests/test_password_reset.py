"""A forgotten password: Django's reset views and tokens, the email through the task queue, the
same answer whatever the address, a few emails an hour at most, and every old session ended."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.test import Client
from django.urls import reverse

from accounts.models import PasswordResetEmail
from accounts.passwords import request_password_reset
from accounts.tests.factories import UserFactory, give_authenticator
from accounts.tests.signing_in import post_password, signed_in_user_id

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase"
RESET = reverse("password_reset")


@pytest.fixture
def dana():
    return UserFactory(username="dana", email="dana@example.org")


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for a reset as a signed-out person does, running what waits for the commit (queueing
    the email, which the immediate backend then sends)."""

    def ask_for(email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RESET, {"email": email})

    return ask_for


def reset_link(message) -> str:
    """The path of the link in the email (whose address is SITE_URL's)."""
    return urlsplit(re.search(r"https://\S+/accounts/reset/\S+/", message.body).group(0)).path


def choose_password(client, link, password=NEW_PASSWORD):
    """Follow the emailed link (Django swaps the token for a session-held one) and post the form."""
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_the_sign_in_page_links_to_the_reset(client):
    page = client.get(reverse("login")).content.decode()

    assert f'href="{RESET}"' in page
    assert client.get(RESET).status_code == 200


def test_a_known_address_is_sent_a_link_through_the_queue(ask, dana, mailoutbox):
    response = ask("Dana@Example.org")

    assert response["Location"] == reverse("password_reset_done")
    [message] = mailoutbox
    assert message.to == ["dana@example.org"]
    assert message.subject == "Reset your Group planner password"
    assert "It works once, for 1 hour" in message.body
    assert reset_link(message).startswith("/accounts/reset/")


def test_the_email_is_queued_after_the_request_commits_never_during_it(client, dana, mailoutbox):
    # No commit callbacks run: the email waits for the commit, which the test transaction never makes.
    client.post(RESET, {"email": "dana@example.org"})

    assert mailoutbox == []


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(ask, dana, client, mailoutbox):
    known = ask("dana@example.org")
    known_page = client.get(known["Location"]).content.decode()
    mailoutbox.clear()

    unknown = ask("nobody@example.org")

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert client.get(unknown["Location"]).content.decode() == known_page
    assert mailoutbox == []
    # Nothing is kept about addresses that have no account.
    assert PasswordResetEmail.objects.count() == 1


def test_no_link_goes_to_a_closed_account_or_one_without_a_password(ask, mailoutbox):
    UserFactory(email="closed@example.org", is_active=False)
    UserFactory(email="nopassword@example.org", password=None)

    ask("closed@example.org")
    ask("nopassword@example.org")

    assert mailoutbox == []


def test_the_link_lets_you_choose_a_new_password_once(ask, dana, client, mailoutbox):
    ask("dana@example.org")
    link = reset_link(mailoutbox[0])

    response = choose_password(client, link)

    assert response["Location"] == reverse("password_reset_complete")
    dana.refresh_from_db()
    assert dana.check_password(NEW_PASSWORD)
    # Used once, the link no longer works.
    again = client.get(link, follow=True).content.decode()
    assert "This link does not work" in again


def test_the_link_expires_after_an_hour(ask, dana, client, mailoutbox, monkeypatch):
    ask("dana@example.org")
    link = reset_link(mailoutbox[0])
    an_hour_and_a_minute_later = datetime.datetime.now() + datetime.timedelta(minutes=61)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: an_hour_and_a_minute_later)

    page = client.get(link, follow=True).content.decode()

    assert "This link does not work" in page
    assert "works once, for 1 hour" in page


def test_after_a_reset_two_factor_is_still_asked(ask, dana, client, mailoutbox, settings):
    settings.OTP_REQUIRED = True
    give_authenticator(dana)
    ask("dana@example.org")
    choose_password(client, reset_link(mailoutbox[0]))

    # The reset signed nobody in...
    assert signed_in_user_id(client) is None
    # ...and the new password leads to the code, not into the app.
    response = post_password(client, "dana", NEW_PASSWORD)
    assert "Enter your code" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_reset_signs_out_every_other_session(ask, dana, client, mailoutbox):
    on_her_phone, on_the_office_pc = Client(), Client()
    on_her_phone.force_login(dana)
    on_the_office_pc.force_login(dana)
    dashboard = reverse("sessions_log:dashboard")
    assert on_her_phone.get(dashboard).status_code == 200

    ask("dana@example.org")
    choose_password(client, reset_link(mailoutbox[0]))

    for elsewhere in (on_her_phone, on_the_office_pc):
        response = elsewhere.get(dashboard)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert signed_in_user_id(elsewhere) is None


def test_a_reset_lifts_a_lockout_from_wrong_passwords(ask, dana, client, mailoutbox):
    for _ in range(5):
        post_password(client, "dana", "not-the-password")
    assert AccessAttempt.objects.filter(username="dana").exists()

    ask("dana@example.org")
    choose_password(client, reset_link(mailoutbox[0]))

    assert not AccessAttempt.objects.filter(username="dana").exists()
    assert post_password(client, "dana", NEW_PASSWORD)["Location"] == reverse("sessions_log:dashboard")


def test_a_new_password_must_follow_the_rules(ask, dana, client, mailoutbox):
    ask("dana@example.org")

    response = choose_password(client, reset_link(mailoutbox[0]), password="short")

    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    dana.refresh_from_db()
    assert not dana.check_password("short")


# The rate limit ----------------------------------------------------------------------------------


def test_a_fourth_request_within_the_hour_sends_nothing_and_looks_the_same(ask, dana, client, mailoutbox):
    answers = [ask("dana@example.org") for _ in range(4)]

    assert len(mailoutbox) == 3
    assert {answer["Location"] for answer in answers} == {reverse("password_reset_done")}


def test_the_limit_lifts_after_an_hour(ask, dana, mailoutbox):
    for _ in range(3):
        ask("dana@example.org")
    for sent in PasswordResetEmail.objects.all():
        sent.sent_at -= datetime.timedelta(minutes=61)
        sent.save()

    ask("dana@example.org")

    assert len(mailoutbox) == 4


def test_the_limit_counts_per_address_whoever_shares_it(ask, mailoutbox):
    """Two accounts with one address: the inbox gets at most three links an hour, not six."""
    UserFactory(username="frontdesk1", email="desk@example.org")
    UserFactory(username="frontdesk2", email="desk@example.org")

    for _ in range(3):
        ask("desk@example.org")

    assert len(mailoutbox) == 3


def test_the_limit_counts_per_account_whatever_address_it_had(ask, dana, mailoutbox):
    for _ in range(3):
        ask("dana@example.org")
    dana.email = "dana.new@example.org"
    dana.save()

    ask("dana.new@example.org")

    assert len(mailoutbox) == 3


def test_old_rows_are_deleted_as_new_ones_are_written(dana):
    old = PasswordResetEmail.objects.create(user=dana, address_key="x")
    old.sent_at -= datetime.timedelta(days=2)
    old.save()

    request_password_reset(email="dana@example.org")

    assert list(PasswordResetEmail.objects.values_list("address_key", flat=True)) != ["x"]
    assert not PasswordResetEmail.objects.filter(pk=old.pk).exists()
    assert "dana@example.org" not in PasswordResetEmail.objects.get().address_key
