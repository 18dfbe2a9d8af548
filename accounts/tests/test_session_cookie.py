"""A session cookie that no session could have (a NUL, spaces, punctuation) is treated as no
session at all: a NUL once reached PostgreSQL, which refuses it, and every page failed."""

import pytest
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.urls import reverse

from accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db

DASHBOARD = "sessions_log:dashboard"
# Long enough to pass Django's own check (8 characters or more), so each reaches the database.
FORGED = [
    "a" * 20 + "\x00" + "b" * 11,
    '"' + "a" * 20 + "\\000" + "b" * 11 + '"',  # the quoted form, which the cookie parser unquotes
    "abcdefgh; DROP TABLE",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
    "é" * 32,
]


@pytest.mark.parametrize("value", FORGED)
def test_a_forged_session_cookie_is_no_session(client, value):
    for url in (reverse(DASHBOARD), reverse("login")):
        response = client.get(url, HTTP_COOKIE=f"sessionid={value}")

        assert response.status_code in {200, 302}
    assert response.status_code == 200  # the sign-in page, for someone not signed in


def test_a_real_session_still_signs_people_in(client, facilitator):
    client.force_login(facilitator)

    assert set(client.session.session_key) <= set(VALID_KEY_CHARS)
    assert client.get(reverse(DASHBOARD)).status_code == 200


@pytest.mark.parametrize("value", FORGED)
def test_the_store_refuses_a_key_django_would_never_make(value):
    assert SessionStore(session_key=value).session_key is None
