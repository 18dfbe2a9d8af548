"""Help on the sign-in page (a forgotten password, a lost phone), signing out, and changing one's
own password."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import give_authenticator, give_recovery_codes
from accounts.tests.signing_in import PASSWORD, post_password, signed_in_user_id

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("sessions_log:dashboard")
CHANGE = reverse("password_change")
NEW_PASSWORD = "a brand new passphrase"


def test_the_sign_in_page_says_what_to_do_when_the_phone_is_lost(client):
    page = client.get(reverse("login")).content.decode()

    assert "Lost the phone with your authenticator app?" in page
    assert 'href="?with=recovery-code"' in page
    assert "Ask an administrator of your organisation to reset two-factor sign-in" in page


def test_the_recovery_code_link_keeps_the_page_asked_for(client):
    page = client.get(reverse("login") + "?next=/groups/").content.decode()

    assert 'href="?with=recovery-code&amp;next=/groups/"' in page


def test_signing_in_with_a_recovery_code_goes_straight_from_the_password_to_the_code(client, facilitator, settings):
    settings.OTP_REQUIRED = True
    give_authenticator(facilitator)
    give_recovery_codes(facilitator, "abcd1234")
    with_recovery_code = reverse("login") + "?with=recovery-code"
    assert "Sign in with a recovery code" in client.get(with_recovery_code).content.decode()

    after_password = client.post(
        with_recovery_code,
        {"login_view-current_step": "auth", "auth-username": "bob", "auth-password": PASSWORD},
    )
    assert "Use a recovery code" in after_password.content.decode()
    assert 'name="backup-otp_token"' in after_password.content.decode()

    response = client.post(with_recovery_code, {"login_view-current_step": "backup", "backup-otp_token": "abcd1234"})

    assert response["Location"] == DASHBOARD
    assert signed_in_user_id(client) == str(facilitator.pk)


def test_without_an_authenticator_the_recovery_link_signs_in_as_a_password_would(client, facilitator):
    response = client.post(
        reverse("login") + "?with=recovery-code",
        {"login_view-current_step": "auth", "auth-username": "bob", "auth-password": PASSWORD},
    )

    assert response["Location"] == DASHBOARD


def test_signing_out_says_so_on_the_sign_in_page(client, facilitator):
    client.force_login(facilitator)

    page = client.post(reverse("logout"), follow=True).content.decode()

    assert "You have signed out." in page
    assert signed_in_user_id(client) is None


# Changing one's own password ---------------------------------------------------------------------


def test_account_security_links_to_changing_the_password_and_email_settings(client, facilitator):
    client.force_login(facilitator)

    page = client.get(reverse("two_factor:profile")).content.decode()

    assert f'href="{CHANGE}"' in page
    assert f'href="{reverse("notifications:settings")}"' in page


def test_changing_the_password_keeps_this_session_and_ends_the_others(client, facilitator):
    elsewhere = Client()
    elsewhere.force_login(facilitator)
    post_password(client, "bob")

    response = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert "Your password is changed" in response.content.decode()
    facilitator.refresh_from_db()
    assert facilitator.check_password(NEW_PASSWORD)
    assert client.get(DASHBOARD).status_code == 200
    assert elsewhere.get(DASHBOARD)["Location"].startswith(reverse("login"))


def test_the_current_password_is_asked_for(client, facilitator):
    client.force_login(facilitator)

    response = client.post(
        CHANGE, {"old_password": "a wrong guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    facilitator.refresh_from_db()
    assert facilitator.check_password(PASSWORD)


def test_changing_the_password_needs_signing_in(client):
    assert client.get(CHANGE)["Location"].startswith(reverse("login"))
