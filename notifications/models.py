from django.conf import settings
from django.db import models


class EmailPreference(models.Model):
    """How one person wants their reminders: each as it comes, in one email a day, or not at all.

    Alerts (something needs you now) and account emails (a password reset you asked for) are
    always sent at once and are not a preference. Someone with no row gets the default.
    """

    class ReminderDelivery(models.TextChoices):
        IMMEDIATELY = "immediately", "Each reminder by email when it is due"
        DAILY_DIGEST = "daily_digest", "One email each morning with all my reminders"
        NONE = "none", "No reminder emails (I will look at my dashboard)"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference")
    reminders = models.CharField(max_length=20, choices=ReminderDelivery, default=ReminderDelivery.IMMEDIATELY)
    updated_at = models.DateTimeField(auto_now=True)
    # How it was last changed: on the settings page, or with an unsubscribe link from an email. A
    # preference is not a record about a group, so it keeps no history beyond this.
    changed_how = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "email preference"

    def __str__(self):
        return f"{self.user}: {self.get_reminders_display()}"

    @classmethod
    def for_user(cls, user) -> "EmailPreference":
        """The person's preference; an unsaved default when they have never chosen."""
        return cls.objects.filter(user=user).first() or cls(user=user)

    @property
    def gets_reminders(self) -> bool:
        return self.reminders != self.ReminderDelivery.NONE


class SentNotification(models.Model):
    """The sent-log: one alert or reminder decided for one person, about one thing, on one
    occasion. Its key is unique, and a row is inserted (in the same transaction) before the email
    is queued, so each goes once however often, and on however many machines at once,
    send_reminders runs: a second run's insert of the same key waits for the first to commit,
    then finds the row and sends nothing (notifications/reminders.py).

    A reminder for someone who chose a daily digest waits here (`digest` empty) until the morning
    digest takes it; one for someone who turned reminders off is recorded as not sent.
    """

    Delivery = EmailPreference.ReminderDelivery

    kind = models.CharField(max_length=50, editable=False)  # an email kind of notifications/kinds.py
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications_sent", editable=False
    )
    # The record it is about (a group, follow-up, session, debrief, risk assessment, concern,
    # invitation: the kind says which), and the day it is about (a meeting's date, a due date).
    subject_id = models.PositiveBigIntegerField(editable=False)
    occasion = models.DateField(editable=False)
    delivery = models.CharField(max_length=20, choices=Delivery, editable=False)
    # The daily digest a reminder went out in (itself a row of kind "daily_digest").
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "subject_id", "occasion"], name="notified_once"),
        ]
        indexes = [
            # The reminders still waiting for someone's digest: a handful, however long the log.
            models.Index(
                fields=["recipient"],
                condition=models.Q(delivery="daily_digest", digest__isnull=True),
                name="notification_awaiting_digest",
            ),
        ]

    def __str__(self):
        return f"{self.kind} to user {self.recipient_id} about #{self.subject_id} ({self.occasion})"
