"""Signing in costs the password hasher's deliberate slowness once, and little else.

Measured with production's hasher on PostgreSQL (scripts/time_sign_in.py, on a busy 2-core
machine): hashing the password took 745 ms of an 876 ms sign-in (85%); everything else in the
three requests took 131 ms, of which about 75 ms in the database (the session, django-axes'
lockout check and access log, the authenticator's devices). These tests keep it so:
the password is hashed once per sign-in, never again on a later step, and the query counts stay
where they are.
"""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from accounts.tests.factories import give_authenticator
from accounts.tests.signing_in import current_code, post_code, post_password, signed_in_user_id


@pytest.fixture
def hashings(monkeypatch):
    """Counts password checks (the tests' fast hasher stands in for production's slow one)."""
    calls = []
    verify = MD5PasswordHasher.verify

    def counted(self, password, encoded):
        calls.append(password)
        return verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counted)
    return calls


def test_the_password_is_hashed_once_per_sign_in(client, facilitator, settings, hashings):
    settings.OTP_REQUIRED = True
    device = give_authenticator(facilitator)

    post_password(client, "bob")
    post_code(client, current_code(device))

    assert signed_in_user_id(client) == str(facilitator.pk)
    assert len(hashings) == 1


def test_each_step_of_signing_in_makes_few_queries(client, facilitator, settings, django_assert_max_num_queries):
    settings.OTP_REQUIRED = True
    device = give_authenticator(facilitator)

    with django_assert_max_num_queries(11):
        post_password(client, "bob")
    with django_assert_max_num_queries(24):
        post_code(client, current_code(device))

    assert signed_in_user_id(client) == str(facilitator.pk)
