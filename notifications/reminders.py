"""Reminders by email, and the sent-log that makes every alert and reminder go once.

`manage.py send_reminders` runs every 15 minutes (cron or a systemd timer, docs/production.md).
Each run asks notifications.needs what needs whom now, the same functions as the dashboard's
"What needs you", and reminds of some of it by email:

- a session to record: the evening of the meeting, two hours after it ended ("record Tuesday's
  session while it's fresh"), and again the next morning from DIGEST_TIME if still not recorded;
- a follow-up: on the day it is due, and once more the first day it is overdue;
- a debrief waiting past its review date, and a risk assessment past its review date: once.

Each reminder is one row of the sent-log (SentNotification), whose key (kind, person, what it is
about, the day it is about) is unique. The row is inserted before the email is queued, in the
same transaction, so a reminder already decided is never decided again: running the command
twice, or at the same moment on several machines, sends each reminder once (the second insert
waits for the first to commit, then finds the row; get_or_create, notifications/tests/
test_reminders_race.py). People who chose a daily digest get their reminders gathered into one
email each morning (the first run from DIGEST_TIME); people who turned reminders off get none
(the row still records that the reminder was decided, and the dashboard still shows what needs
them).
"""

import datetime
from collections import Counter

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import needs
from .mail import send_after_commit
from .models import EmailPreference, SentNotification

Delivery = EmailPreference.ReminderDelivery

# Reminders for people who chose one email a day go out in the first run of the morning, from
# DIGEST_TIME until DIGEST_UNTIL (local time): one email each morning, never one late at night.
# A reminder decided after the morning's digest waits for the next one. The second reminder of a
# session still to record waits for DIGEST_TIME too.
DIGEST_TIME = datetime.time(7, 0)
DIGEST_UNTIL = datetime.time(12, 0)
DAILY_DIGEST = "daily_digest"
# send_reminders' count of digests sent (its other counts are by EmailPreference.ReminderDelivery).
DIGESTS_SENT = "digests"

# The email kinds of reminders, with the kind of need each reminds of.
REMINDER_KINDS = {
    "session_to_record": needs.SESSION_TO_RECORD,
    "session_still_to_record": needs.SESSION_TO_RECORD,
    "follow_up_due": needs.FOLLOW_UP_DUE,
    "follow_up_overdue": needs.FOLLOW_UP_DUE,
    "debrief_review_overdue": needs.DEBRIEF_REVIEW_OVERDUE,
    "risk_assessment_review_due": needs.RISK_ASSESSMENT_REVIEW_DUE,
}


def notify_once(
    kind: str, *, recipient, subject_id: int, occasion: datetime.date, delivery=Delivery.IMMEDIATELY, **ids
):
    """Record in the sent-log that `kind` goes to `recipient` about `subject_id` on `occasion`,
    and queue it once that commits, with `ids` (by default the row's own id, `notification_id`);
    unless it was recorded already, by this run, an earlier one or one running at the same time:
    then nothing, and None. A reminder for a digest waits for it; one turned off is not sent."""
    with transaction.atomic():
        notification, created = SentNotification.objects.get_or_create(
            kind=kind, recipient=recipient, subject_id=subject_id, occasion=occasion, defaults={"delivery": delivery}
        )
        if not created:
            return None
        if delivery == Delivery.IMMEDIATELY:
            send_after_commit(kind, to=recipient, **(ids or {"notification_id": notification.pk}))
    return notification


def reminder_kind(need: needs.Need, *, now: datetime.datetime) -> str | None:
    """The reminder this need calls for now, if any (the module's docstring says when)."""
    today = timezone.localdate(now)
    morning = timezone.localtime(now).time() >= DIGEST_TIME
    if need.kind == needs.SESSION_TO_RECORD:
        if need.on == today or (need.on == today - datetime.timedelta(days=1) and not morning):
            return "session_to_record"
        if need.on == today - datetime.timedelta(days=1):
            return "session_still_to_record"
        return None  # older: the dashboard lists it, but the emails have said their piece
    if need.kind == needs.FOLLOW_UP_DUE:
        return "follow_up_due" if need.on == today else "follow_up_overdue"
    if need.kind == needs.DEBRIEF_REVIEW_OVERDUE:
        return "debrief_review_overdue"
    return "risk_assessment_review_due"


def send_reminders(*, now: datetime.datetime | None = None) -> Counter:
    """Decide and queue every reminder due now, once each, and in the morning the day's digests.
    Returns how many reminders went each way, and how many digests, for the command to print."""
    now = now or timezone.now()
    due = [(kind, need) for need in needs.needs_now(now=now) if (kind := reminder_kind(need, now=now))]
    people = {
        person.pk: person
        for person in get_user_model()
        .objects.filter(pk__in={need.person_id for _, need in due})
        .select_related("email_preference")
    }
    counts = Counter()
    for kind, need in due:
        person = people[need.person_id]
        delivery = _delivery(person)
        if notify_once(kind, recipient=person, subject_id=need.subject_id, occasion=need.on, delivery=delivery):
            counts[delivery] += 1
    if DIGEST_TIME <= timezone.localtime(now).time() < DIGEST_UNTIL:
        counts[DIGESTS_SENT] = send_digests(today=timezone.localdate(now))
    return counts


def _delivery(person) -> str:
    try:
        return person.email_preference.reminders
    except EmailPreference.DoesNotExist:
        return EmailPreference().reminders


def send_digests(*, today: datetime.date) -> int:
    """One email to each person with reminders waiting for their digest, gathering them all;
    at most one a day each (the digest is a row of the sent-log too). Returns how many."""
    waiting = (
        SentNotification.objects.filter(delivery=Delivery.DAILY_DIGEST, digest__isnull=True)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for person in get_user_model().objects.filter(pk__in=list(waiting)).order_by("pk"):
        with transaction.atomic():
            digest, created = SentNotification.objects.get_or_create(
                kind=DAILY_DIGEST,
                recipient=person,
                subject_id=person.pk,
                occasion=today,
                defaults={"delivery": Delivery.IMMEDIATELY},
            )
            if not created:
                continue
            gathered = SentNotification.objects.select_for_update().filter(
                recipient=person, delivery=Delivery.DAILY_DIGEST, digest__isnull=True
            )
            for reminder in gathered:
                reminder.digest = digest
                reminder.save(update_fields=["digest"])
            send_after_commit(DAILY_DIGEST, to=person, notification_id=digest.pk)
            sent += 1
    return sent


def still_needed(notification: SentNotification, *, now: datetime.datetime | None = None) -> needs.Need | None:
    """What a reminder was about, if it still needs its recipient now: not done meanwhile, and they
    still hold the role that made it theirs. A reminder no longer needed is not sent."""
    kind = REMINDER_KINDS[notification.kind]
    return next(
        (
            need
            for need in needs.needs_of_kind(kind, now=now or timezone.now(), person=notification.recipient)
            if need.subject_id == notification.subject_id and need.on == notification.occasion
        ),
        None,
    )
