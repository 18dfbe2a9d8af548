"""Posting to the sign-in wizard (django-two-factor-auth) the way a browser does."""

from django.urls import reverse
from django_otp.oath import totp

PASSWORD = "correct-horse-battery"  # accounts.tests.factories.UserFactory's


def post_password(client, username, password=PASSWORD, *, next_url=None, **request_extra):
    """The wizard's first step. `request_extra` sets request headers, e.g. REMOTE_ADDR."""
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    data = {"login_view-current_step": "auth", "auth-username": username, "auth-password": password}
    return client.post(url, data, **request_extra)


def post_code(client, code):
    data = {"login_view-current_step": "token", "token-otp_token": code}
    return client.post(reverse("login"), data)


def post_recovery_code(client, code):
    client.post(reverse("login"), {"wizard_goto_step": "backup"})
    data = {"login_view-current_step": "backup", "backup-otp_token": code}
    return client.post(reverse("login"), data)


def current_code(device):
    """What the person's authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")
