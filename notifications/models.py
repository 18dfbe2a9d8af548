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
