"""Unsubscribe links: a signed note of who and which kind of email, so the link works without
signing in and can change nothing but that one preference.

The token is signed with SECRET_KEY (django.core.signing), so it cannot be made up or changed
to name someone else. It does not expire: an unsubscribe link in an old email should still work.
"""

from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"
TOPICS = {"reminders"}


class InvalidLink(Exception):
    pass


def unsubscribe_token(user, topic: str) -> str:
    if topic not in TOPICS:
        raise ValueError(f"No preference for the topic {topic!r}.")
    return signing.dumps({"user": user.pk, "topic": topic}, salt=SALT)


def unsubscribe_path(user, topic: str) -> str:
    return reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user, topic)})


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The user id and topic a link was made for; InvalidLink if it was not made here."""
    try:
        data = signing.loads(token, salt=SALT)
        user_id, topic = data["user"], data["topic"]
    except (signing.BadSignature, KeyError, TypeError) as error:
        raise InvalidLink from error
    if topic not in TOPICS or not isinstance(user_id, int):
        raise InvalidLink
    return user_id, topic
