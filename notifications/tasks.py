"""Sending email on the task queue.

django-tasks is the backport of Django 6's built-in tasks API (`django.tasks`): on Django 6 this
import becomes `from django.tasks import task` and nothing else changes. The database backend
(django-tasks-db) keeps each task as a row that `manage.py db_worker` picks up, so the web
server never waits for a mail server, and the admin ("Task results") shows every send, failed
ones with their traceback.

django-tasks has no retries of its own, so a send that fails for a reason that may pass (the
mail server is down, busy or unreachable) queues itself again, to run after a growing delay;
the failed attempt stays in the admin as FAILED, and the retry as a READY row with its `attempt`.
"""

import datetime
import logging
import smtplib

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks import task

from .mail import build_message

logger = logging.getLogger(__name__)

# How long to wait before attempt 2, 3, ...: about nine hours in all before giving up.
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


@task()
def send_mail(*, kind: str, recipient_id: int | None, ids: dict, attempt: int = 1) -> str:
    """Render the email of `kind` for the user `recipient_id` (None for a kind sent to an address,
    an invitation) and send it. Returns what happened (shown in the admin): never the address or
    the content."""
    recipient = get_user_model().objects.filter(pk=recipient_id).first() if recipient_id is not None else None
    message = build_message(kind, recipient=recipient, ids=ids) if recipient or recipient_id is None else None
    if message is None:
        return (
            "not sent: no active recipient with an address, they turned this kind of email off, "
            "or what it was about no longer needs them"
        )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        if _may_pass(error):
            _retry_later(kind=kind, recipient_id=recipient_id, ids=ids, attempt=attempt)
        raise
    return "sent"


def _may_pass(error) -> bool:
    """A mail server's 5xx answer (no such mailbox, sender refused) will be the same next time."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    return True


def _retry_later(*, kind, recipient_id, ids, attempt):
    if attempt >= MAX_ATTEMPTS:
        logger.error("Gave up sending a %s email to user %s after %s attempts.", kind, recipient_id, attempt)
        return
    if not send_mail.get_backend().supports_defer:
        # The immediate backend (tests) cannot wait; a retry now would fail the same way.
        return
    run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
    send_mail.using(run_after=run_after).enqueue(kind=kind, recipient_id=recipient_id, ids=ids, attempt=attempt + 1)
