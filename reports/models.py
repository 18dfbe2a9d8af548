import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from groups.models import SupportGroup


def new_feed_token() -> str:
    """32 random bytes, URL-safe: the only thing that stands between the feed and the world."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A facilitator's secret calendar address for one group's upcoming sessions.

    The address works without signing in (calendar apps cannot sign in), so the token is the
    secret. Revoking deletes the row; renewing gives it a new token, so the old address stops
    working at once.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="one_calendar_feed_per_person_and_group")]

    def __str__(self):
        return f"Calendar feed of {self.group} for {self.user}"

    def get_absolute_url(self):
        return reverse("reports:calendar_feed", kwargs={"token": self.token})


class GroupMonth(models.Model):
    """One group's figures for one calendar month, the funder report's summary (reports.summary).

    Kept up to date by the services that change what it counts, inside their own transaction
    (sessions, registers, follow-ups, erasure and the purge), so a report over any whole months
    adds up a few rows per group instead of reading every mark. Two rows per group and month at
    most: the records as they are (`from_erased_records` False, worked out afresh from them on
    every change), and what erased members' records added before they went (True, added to at
    each erasure and never worked out again), so a past report does not change after an erasure
    or the purge. Numbers only: nothing here says who.
    """

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The month's first day.")
    from_erased_records = models.BooleanField(default=False)
    sessions_held = models.PositiveIntegerField(default=0)
    sessions_not_run = models.PositiveIntegerField(default=0)
    sessions_with_register = models.PositiveIntegerField(default=0)
    # Register marks at held sessions, and those of them that were attendances.
    marks = models.PositiveIntegerField(default=0)
    attendances = models.PositiveIntegerField(default=0)
    follow_ups_raised = models.PositiveIntegerField(default=0)
    follow_ups_closed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "month", "from_erased_records"], name="one_group_month_per_kind"),
        ]

    def __str__(self):
        return f"{self.group_id} in {self.month:%Y-%m}"


class AttendeeMonth(models.Model):
    """One member's marks in one calendar month, without their name: what "members who attended"
    and "still attending" are counted from, as neither can be added up from monthly totals.

    `attendee` is the member's number while their record is kept; when it is erased (on request
    or by the purge) it becomes a random negative number, the same for all their months, so the
    report still counts them once and nothing leads back to the record or its erasure.
    """

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The month's first day.")
    attendee = models.BigIntegerField()
    marks = models.PositiveSmallIntegerField(default=0)
    attended = models.PositiveSmallIntegerField(default=0)
    # Where the month's last attendance came among the member's marks that month, in session
    # order (1 for the first), 0 when they came to none: with the marks of the months before it,
    # whether they came after their first four sessions of a period.
    last_attended_position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            # In this order, the report reads each member's months already sorted (its window).
            models.UniqueConstraint(fields=["group", "attendee", "month"], name="one_attendee_month"),
        ]

    def __str__(self):
        return f"Attendee {self.attendee} of {self.group_id} in {self.month:%Y-%m}"


class SummaryVersion(models.Model):
    """How many times a group's summary (GroupMonth, AttendeeMonth) has changed: every change to it
    adds one (reports.summary). The funder report keeps each group's figures in the cache under
    this number, so a figure worked out before a change is never read after it."""

    group = models.OneToOneField(SupportGroup, on_delete=models.CASCADE, related_name="+", primary_key=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.group_id}: {self.version}"
