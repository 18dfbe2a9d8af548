import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.signing_in import signed_in_user_id


def test_a_password_of_11_characters_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_password("k7#mQ2!xRb9")

    assert "at least 12 characters" in " ".join(refused.value.messages)


def test_a_password_of_12_characters_is_accepted():
    assert validate_password("k7#mQ2!xRb9w") is None


def test_signing_out_deletes_the_session(client, facilitator):
    client.force_login(facilitator)
    old_key = client.session.session_key
    assert Session.objects.filter(session_key=old_key).exists()

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")
    assert not Session.objects.filter(session_key=old_key).exists()
    assert signed_in_user_id(client) is None
    dashboard = reverse("sessions_log:dashboard")
    assert client.get(dashboard)["Location"] == f"{reverse('login')}?next={dashboard}"


def test_signing_out_takes_a_post_so_a_link_cannot_sign_you_out(client, facilitator):
    client.force_login(facilitator)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert signed_in_user_id(client) == str(facilitator.pk)
