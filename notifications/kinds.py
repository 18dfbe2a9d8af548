"""Every kind of email the app sends, and the facts each may show.

This is the one place to read to know what leaves the app by email. A facts function takes the
recipient and ids and returns plain values: what kind of thing needs the person, when, and an
absolute link to it behind sign-in. Never a member's name, and never any text someone wrote in a
debrief, concern, plan or note (notifications/tests/test_no_sensitive_content.py renders every
kind with the demo data and fails if one does).
"""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.passwords import reset_link_lifetime

from .mail import absolute_url, mail_kind


@mail_kind("password_reset")
def password_reset(recipient):
    """The link is made when the email is sent, so it lasts PASSWORD_RESET_TIMEOUT from then, and
    the queue never holds it."""
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(recipient.pk)),
            "token": default_token_generator.make_token(recipient),
        },
    )
    return {
        "reset_url": absolute_url(link),
        "valid_for": reset_link_lifetime(),
        "username": recipient.get_username(),
        "sign_in_url": absolute_url(reverse("login")),
    }
