"""Every email the app sends: built from a template and a few facts, sent by the task queue once
the change that caused it has committed.

What may go into an email is decided in one place for each kind of email (notifications/kinds.py):
a function that turns ids into plain facts and absolute links. The templates see only those
facts (strings, numbers, dates), never a model, so a template cannot reach a member's name or
the text of a debrief, concern or plan by following a relation. An email says what kind of thing
needs the person and links to it behind sign-in; the app is where the details are.

Use:

    from notifications.mail import send_after_commit
    send_after_commit("password_reset", to=user)

The message is rendered and sent by the worker (notifications.tasks.send_mail), never inside a
request or a transaction; only the kind, the recipient's id and the ids go on the queue.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

TEMPLATE_FOLDER = "notifications/email"
# What a fact may be: plain values a template can print but not follow anywhere, or a tuple of
# them (the lines of a daily digest).
FACT_TYPES = (str, int, bool, datetime.date, type(None))


@dataclass(frozen=True)
class MailKind:
    """One kind of email.

    `facts(recipient, **ids)` returns what its templates may show, or None when the email is no
    longer wanted (what it was about has been done, or the person no longer has the role); `topic`
    is the preference that lets people turn it off ("reminders"), None for emails that always go
    (alerts, account emails). `address(**ids)`, for an email to someone who has no account yet
    (an invitation), gives the address; such an email has no recipient and no topic.
    Its templates are notifications/email/<name>/subject.txt, body.txt and body.html.
    """

    name: str
    facts: Callable[..., dict | None]
    topic: str | None = None
    address: Callable[..., str | None] | None = None

    def template(self, part: str) -> str:
        return f"{TEMPLATE_FOLDER}/{self.name}/{part}"


KINDS: dict[str, MailKind] = {}


def mail_kind(name: str, *, topic: str | None = None, address: Callable[..., str | None] | None = None):
    """Register the decorated function as the facts of the email kind `name`."""
    if address is not None and topic is not None:
        raise ValueError("An email to someone without an account has no preference to respect.")

    def register(facts):
        if name in KINDS:
            raise ValueError(f"The email kind {name!r} is registered twice.")
        KINDS[name] = MailKind(name=name, facts=facts, topic=topic, address=address)
        return facts

    return register


def absolute_url(path: str) -> str:
    """The link to `path` (from reverse()) at the site's public address, SITE_URL."""
    return f"{settings.SITE_URL}{path}"


def send_after_commit(kind: str, *, to=None, **ids: int) -> None:
    """Queue an email of `kind` to the user `to` once the current transaction commits (at once
    outside one). `ids` name the records the email is about; the worker looks them up again when
    it sends, so the queue holds ids, never text. A kind sent to an address (an invitation) takes
    no `to`: its ids say where it goes."""
    if kind not in KINDS:
        raise ValueError(f"No email kind {kind!r}: register it in notifications/kinds.py.")
    if (to is None) != (KINDS[kind].address is not None):
        raise ValueError(f"A {kind} email goes to {'an address' if to is None else 'a user'}, not both or neither.")
    if not all(isinstance(value, int) for value in ids.values()):
        raise TypeError("An email is queued with the ids of what it is about, never text.")
    transaction.on_commit(partial(_enqueue, kind=kind, recipient_id=to.pk if to else None, ids=ids))


def _enqueue(*, kind, recipient_id, ids):
    from .tasks import send_mail

    send_mail.enqueue(kind=kind, recipient_id=recipient_id, ids=ids)


def build_message(kind: str, *, recipient, ids: dict) -> EmailMultiAlternatives | None:
    """The email of `kind` for `recipient` (None for a kind sent to an address), with a plain-text
    and an HTML part; None when there is nobody to send it to (no address, a closed account), they
    turned this kind off, or it is no longer wanted (its facts say None)."""
    mail_kind = KINDS[kind]
    if mail_kind.address is not None:
        address = mail_kind.address(**ids)
    else:
        if not recipient.email or not recipient.is_active:
            return None
        if mail_kind.topic and not _wants(recipient, mail_kind.topic):
            return None
        address = recipient.email
    if not address:
        return None
    facts = mail_kind.facts(recipient, **ids)
    if facts is None:
        return None
    for name, value in facts.items():
        if not _is_plain(value):
            raise TypeError(f"The fact {name!r} of a {kind} email is a {type(value).__name__}; facts are plain values.")
    context = {
        **facts,
        "site_url": settings.SITE_URL,
        "email_settings_url": absolute_url(reverse("notifications:settings")),
    }
    headers = {}
    if mail_kind.topic:
        from .unsubscribe import unsubscribe_path

        context["unsubscribe_url"] = absolute_url(unsubscribe_path(recipient, mail_kind.topic))
        # One-click unsubscribe from the mail program itself (RFC 8058): it POSTs to the same page.
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # A subject is one line, whatever the template's line breaks.
    subject = " ".join(render_to_string(mail_kind.template("subject.txt"), context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(mail_kind.template("body.txt"), context),
        to=[address],
        headers=headers,
    )
    message.attach_alternative(render_to_string(mail_kind.template("body.html"), context), "text/html")
    return message


def _is_plain(value) -> bool:
    if isinstance(value, tuple):
        return all(_is_plain(item) for item in value)
    return isinstance(value, FACT_TYPES)


def _wants(recipient, topic: str) -> bool:
    from .models import EmailPreference

    if topic == "reminders":
        return EmailPreference.for_user(recipient).gets_reminders
    raise ValueError(f"No preference for the topic {topic!r}.")
