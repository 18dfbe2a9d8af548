"""Two-factor sign-in: with OTP_REQUIRED on, nobody sees a page of the app until their session
has passed a one-time code from an authenticator app or a recovery code."""

import os
import subprocess
import sys
from base64 import b32decode
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import UserFactory, give_authenticator, give_recovery_codes
from accounts.tests.signing_in import (
    current_code,
    post_code,
    post_password,
    post_recovery_code,
    signed_in_user_id,
)

DASHBOARD = "sessions_log:dashboard"
# Stand-ins for URL parameters: the middleware decides before any object is looked up.
SAMPLE_ARGUMENTS = {
    "IntConverter": 1,
    "StringConverter": "x",
    "SlugConverter": "x",
    "UUIDConverter": "0" * 32,
    "FeedTokenConverter": "x",
}
# Pages an unverified person may open: the two-factor pages, signing in and out, and the admin's
# sign-in (which two-factor turns into a redirect to ours).
OPEN_BEFORE_A_CODE = {"login", "logout", "admin:login", "admin:logout"}


@pytest.fixture(autouse=True)
def codes_required(settings):
    settings.OTP_REQUIRED = True


def named_url_patterns(patterns=None, namespace="", converters=None):
    """Every named URL in the project, with the converters of its parameters."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        found = {**(converters or {}), **pattern.pattern.converters}
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_url_patterns(pattern.url_patterns, inner, found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", found


def every_page_of_the_app():
    """Each named page outside the admin (walked separately) and the two-factor pages."""
    pages = []
    for name, converters in named_url_patterns():
        if name.startswith(("admin:", "two_factor:")) or name in OPEN_BEFORE_A_CODE:
            continue
        kwargs = {key: SAMPLE_ARGUMENTS[type(converter).__name__] for key, converter in converters.items()}
        pages.append(reverse(name, kwargs=kwargs))
    return pages


def sign_in_with_a_code(client, user):
    """force_login, then mark the session as having passed the user's authenticator, as the
    sign-in wizard does."""
    device = TOTPDevice.objects.filter(user=user).first() or give_authenticator(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# Who is sent where -------------------------------------------------------------------------------


def test_the_walk_covers_the_app():
    pages = every_page_of_the_app()

    # The dashboard, groups, planning, sessions, debriefs, members, audit and reports pages.
    assert len(pages) > 40
    assert reverse(DASHBOARD) in pages


def test_someone_without_an_authenticator_is_sent_to_set_one_up_from_every_page(client, facilitator):
    client.force_login(facilitator)
    set_up = reverse("two_factor:setup")

    sent_elsewhere = {page: client.get(page) for page in every_page_of_the_app()}

    wrong = {
        page: (r.status_code, r.get("Location")) for page, r in sent_elsewhere.items() if r.get("Location") != set_up
    }
    assert wrong == {}


def test_someone_with_an_authenticator_is_asked_for_its_code_on_every_page(client, facilitator):
    give_authenticator(facilitator)
    client.force_login(facilitator)

    responses = {page: client.get(page) for page in every_page_of_the_app()}

    wrong = {
        page: r.get("Location")
        for page, r in responses.items()
        if not (r.status_code == 302 and r["Location"].startswith(reverse("login") + "?next="))
    }
    assert wrong == {}


def test_the_admin_is_closed_until_a_code_is_given(client, db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor:setup")


def test_posting_a_form_is_refused_before_a_code_too(client, facilitator):
    client.force_login(facilitator)

    response = client.post(reverse("groups:create"), {"name": "Sneaky group"})

    assert response["Location"] == reverse("two_factor:setup")


def test_the_set_up_pages_and_signing_out_stay_open_before_a_code(client, facilitator):
    client.force_login(facilitator)

    assert client.get(reverse("two_factor:setup")).status_code == 200
    assert client.get(reverse("two_factor:profile")).status_code == 200
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_someone_who_gave_a_code_sees_the_app(client, facilitator):
    sign_in_with_a_code(client, facilitator)

    assert client.get(reverse(DASHBOARD)).status_code == 200


def test_with_codes_not_required_a_password_is_enough(client, facilitator, settings):
    settings.OTP_REQUIRED = False
    client.force_login(facilitator)

    assert client.get(reverse(DASHBOARD)).status_code == 200


@pytest.mark.parametrize(("debug", "required"), [("off", "True"), ("on", "False")])
def test_codes_are_required_unless_debug_is_on(debug, required):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"OTP_REQUIRED", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(DEBUG=debug, SECRET_KEY="test-only-secret-key", DJANGO_SETTINGS_MODULE="groups_site.settings")

    shown = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.OTP_REQUIRED)"],
        cwd=Path(django_settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )

    assert shown.stdout.strip() == required


# Signing in ----------------------------------------------------------------------------------------


def test_signing_in_takes_a_password_then_a_code(client, facilitator):
    device = give_authenticator(facilitator)

    after_password = post_password(client, "bob")
    assert after_password.status_code == 200
    assert "Enter your code" in after_password.content.decode()
    assert signed_in_user_id(client) is None

    after_code = post_code(client, current_code(device))

    assert after_code["Location"] == reverse(DASHBOARD)
    assert signed_in_user_id(client) == str(facilitator.pk)
    assert client.get(reverse(DASHBOARD)).status_code == 200


def test_signing_in_returns_to_the_page_asked_for(client, facilitator):
    device = give_authenticator(facilitator)
    wanted = reverse("groups:home")

    post_password(client, "bob", next_url=wanted)
    response = client.post(
        f"{reverse('login')}?next={wanted}",
        {"login_view-current_step": "token", "token-otp_token": current_code(device)},
    )

    assert response["Location"] == wanted


def test_a_wrong_code_is_refused_with_a_message(client, facilitator):
    device = give_authenticator(facilitator)
    wrong_code = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    post_password(client, "bob")

    response = post_code(client, wrong_code)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert client.get(reverse(DASHBOARD))["Location"].startswith(reverse("login"))


def test_a_code_from_another_persons_authenticator_is_refused(client, facilitator, coordinator):
    give_authenticator(facilitator)
    someone_elses = give_authenticator(coordinator)
    post_password(client, "bob")

    response = post_code(client, current_code(someone_elses))

    assert "That code is not right" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_code_cannot_be_used_twice(client, facilitator):
    device = give_authenticator(facilitator)
    code = current_code(device)
    post_password(client, "bob")
    post_code(client, code)
    client.post(reverse("logout"))

    post_password(client, "bob")
    response = post_code(client, code)

    assert "That code is not right" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_recovery_code_signs_in_once_and_only_once(client, facilitator):
    give_authenticator(facilitator)
    give_recovery_codes(facilitator, "kite42plum", "moss77reed")

    post_password(client, "bob")
    first = post_recovery_code(client, "kite42plum")
    assert first["Location"] == reverse(DASHBOARD)
    assert client.get(reverse(DASHBOARD)).status_code == 200
    client.post(reverse("logout"))

    post_password(client, "bob")
    again = post_recovery_code(client, "kite42plum")

    assert again.status_code == 200
    assert "That recovery code is not right, or it has been used already" in again.content.decode()
    assert signed_in_user_id(client) is None
    assert facilitator.staticdevice_set.get().token_set.filter(token="kite42plum").exists() is False


def test_the_code_page_offers_recovery_codes_only_to_those_who_have_some(client, facilitator, coordinator):
    give_authenticator(facilitator)
    give_recovery_codes(facilitator, "kite42plum")
    give_authenticator(coordinator)

    with_codes = post_password(client, "bob").content.decode()
    client.post(reverse("login"), {"wizard_goto_step": "auth"})
    without_codes = post_password(client, "alice").content.decode()

    assert "Use a recovery code instead" in with_codes
    assert "Use a recovery code instead" not in without_codes


# Setting up ----------------------------------------------------------------------------------------


def test_someone_without_an_authenticator_sets_one_up_at_first_sign_in(client, facilitator):
    post_password(client, "bob")
    assert client.get(reverse(DASHBOARD))["Location"] == reverse("two_factor:setup")

    qr_step = client.post(reverse("two_factor:setup"), {"setup_view-current_step": "welcome"})
    secret = b32decode(qr_step.context["secret_key"])
    code = f"{totp(secret):06d}"
    done = client.post(reverse("two_factor:setup"), {"setup_view-current_step": "generator", "generator-token": code})

    assert done["Location"] == reverse("two_factor:setup_complete")
    assert facilitator.totpdevice_set.get().name == "default"
    assert client.get(reverse(DASHBOARD)).status_code == 200


def test_the_set_up_qr_code_is_drawn_by_the_server(client, facilitator):
    client.force_login(facilitator)
    page = client.post(reverse("two_factor:setup"), {"setup_view-current_step": "welcome"}).content.decode()

    image = client.get(reverse("two_factor:qr"))

    assert f'src="{reverse("two_factor:qr")}"' in page
    assert image["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in image.content
    # Nothing on the page comes from another site.
    assert "//cdn" not in page
    assert "<script>" not in page


def test_authenticator_apps_list_the_account_under_the_apps_name(client, facilitator):
    client.force_login(facilitator)
    context = client.post(reverse("two_factor:setup"), {"setup_view-current_step": "welcome"}).context

    assert context["otpauth_url"].startswith("otpauth://totp/Group%20planner%3A%20bob?")


def test_a_wrong_set_up_code_is_refused_beside_the_field(client, facilitator):
    client.force_login(facilitator)
    qr_step = client.post(reverse("two_factor:setup"), {"setup_view-current_step": "welcome"})
    secret = b32decode(qr_step.context["secret_key"])
    wrong_code = f"{(totp(secret) + 1) % 1_000_000:06d}"

    response = client.post(
        reverse("two_factor:setup"), {"setup_view-current_step": "generator", "generator-token": wrong_code}
    )

    assert response.context["form"].errors["token"] == [
        "That code is not right. Codes change every 30 seconds: enter the one your app shows now."
    ]
    assert not facilitator.totpdevice_set.exists()


# Account security and recovery codes ------------------------------------------------------------


def test_every_page_links_to_account_security(client, facilitator):
    sign_in_with_a_code(client, facilitator)

    page = client.get(reverse(DASHBOARD)).content.decode()

    assert f'href="{reverse("two_factor:profile")}">Account security</a>' in page


def test_recovery_codes_are_made_on_request_and_shown(client, facilitator):
    sign_in_with_a_code(client, facilitator)

    response = client.post(reverse("two_factor:backup_tokens"), follow=True)

    codes = list(facilitator.staticdevice_set.get().token_set.values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in response.content.decode() for code in codes)


def test_recovery_codes_are_shown_only_after_a_code(client, facilitator):
    give_authenticator(facilitator)
    give_recovery_codes(facilitator, "kite42plum")
    client.force_login(facilitator)

    response = client.get(reverse("two_factor:backup_tokens"))

    assert response.status_code == 302
    assert "kite42plum" not in response.content.decode()
