"""Email settings (signed in) and unsubscribe links (signed in or not)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from notifications.models import EmailPreference
from notifications.unsubscribe import unsubscribe_path, unsubscribe_token

pytestmark = pytest.mark.django_db
Delivery = EmailPreference.ReminderDelivery
SETTINGS = reverse("notifications:settings")


@pytest.fixture
def dana():
    return UserFactory(username="dana", email="dana@example.org")


def reminders_of(user):
    return EmailPreference.for_user(user).reminders


# Email settings ----------------------------------------------------------------------------------


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(SETTINGS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_says_where_emails_go_and_what_is_always_sent(client, dana):
    client.force_login(dana)

    page = client.get(SETTINGS).content.decode()

    assert "dana@example.org" in page
    assert "Alerts: always, straight away" in page
    [checked] = [tag for tag in re.findall(r"<input[^>]*>", page) if "checked" in tag]
    assert 'value="immediately"' in checked


def test_someone_without_an_address_is_told_to_ask_for_one(client):
    client.force_login(UserFactory(email=""))

    assert "We have no email address for you" in client.get(SETTINGS).content.decode()


def test_choosing_one_email_a_day_is_saved(client, dana):
    client.force_login(dana)

    response = client.post(SETTINGS, {"reminders": Delivery.DAILY_DIGEST})

    assert response["Location"] == SETTINGS
    preference = EmailPreference.objects.get(user=dana)
    assert preference.reminders == Delivery.DAILY_DIGEST
    assert preference.changed_how == "Email settings"


def test_a_made_up_choice_is_refused_next_to_the_field(client, dana):
    client.force_login(dana)

    response = client.post(SETTINGS, {"reminders": "hourly"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not EmailPreference.objects.filter(user=dana).exists()


# Unsubscribe links -------------------------------------------------------------------------------


def test_opening_an_unsubscribe_link_asks_first_and_changes_nothing(client, dana):
    response = client.get(unsubscribe_path(dana, "reminders"))

    assert response.status_code == 200
    assert "Stop reminder emails?" in response.content.decode()
    assert reminders_of(dana) == Delivery.IMMEDIATELY


def test_confirming_stops_reminders_without_signing_in(client, dana):
    EmailPreference.objects.create(user=dana, reminders=Delivery.DAILY_DIGEST)

    response = client.post(unsubscribe_path(dana, "reminders"))

    assert response.status_code == 200
    assert "Reminder emails stopped" in response.content.decode()
    preference = EmailPreference.objects.get(user=dana)
    assert preference.reminders == Delivery.NONE
    assert preference.changed_how == "Unsubscribed with the link in an email"
    # Nobody was signed in on the way.
    assert "_auth_user_id" not in client.session


def test_a_mail_programs_one_click_unsubscribe_needs_no_csrf_token(dana):
    """RFC 8058: the mail program POSTs List-Unsubscribe=One-Click to the link, with no cookies."""
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(unsubscribe_path(dana, "reminders"), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert reminders_of(dana) == Delivery.NONE


def test_a_link_changes_only_its_own_persons_preference(client, dana):
    bob = UserFactory(username="bob")

    client.post(unsubscribe_path(dana, "reminders"))

    assert reminders_of(dana) == Delivery.NONE
    assert reminders_of(bob) == Delivery.IMMEDIATELY


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature altered
        lambda token: token.replace(token.split(":")[0], "eyJ1c2VyIjoyLCJ0b3BpYyI6InJlbWluZGVycyJ9"),
        lambda token: "not-a-real-token",
    ],
)
def test_a_link_that_was_not_made_here_changes_nothing(client, dana, tamper):
    other = UserFactory(username="bob")
    token = tamper(unsubscribe_token(dana, "reminders"))

    response = client.post(reverse("notifications:unsubscribe", kwargs={"token": token}))

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert reminders_of(dana) == reminders_of(other) == Delivery.IMMEDIATELY


def test_a_link_for_a_closed_account_changes_nothing(client, dana):
    dana.is_active = False
    dana.save()

    assert client.post(unsubscribe_path(dana, "reminders")).status_code == 404
    assert not EmailPreference.objects.exists()
