"""Aims revisited after launch ("Running self-harm support groups": a way to chart progress
against the aims, individually or as a group). At the interval the coordinator chose, the team
records where the group stands against each aim: a few words and a point on a 1 to 5 scale,
about the group as a whole, never naming a member."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from groups_site.validators import validate_single_line

from .group import SupportGroup, names_refusal
from .plan import Aim


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months later (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    last_day = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def aims_review_due_on(group, last_reviewed_on: datetime.date | None) -> datetime.date | None:
    """When the group's aims are next due a review: the coordinator's interval after the last
    review, or after the launch for the first. None for a group not launched yet, or closed."""
    if group.launched_at is None or group.is_closed:
        return None
    since = last_reviewed_on or timezone.localdate(group.launched_at)
    return months_after(since, group.aims_review_months)


def aims_review_refusal(group) -> str | None:
    """Why the group's aims cannot be reviewed now, or None when they can: from its launch until
    it closes, and only once it has aims."""
    if group.launched_at is None:
        return "Aims are reviewed once the group has launched."
    if group.is_closed:
        return "The group has closed, so its aims are no longer reviewed."
    return None


class AimReview(models.Model):
    """One review of where the group stands against its aims, on one date."""

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="aim_reviews")
    reviewed_on = models.DateField("Date of the review")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["group", "reviewed_on"], name="one_aims_review_per_day")]

    def __str__(self):
        return f"Aims review of {self.group} on {self.reviewed_on:%-d %B %Y}"

    def clean(self):
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            raise ValidationError({"reviewed_on": "Record a review once it has happened, not before."})
        launched_at = self.group.launched_at if self.group_id else None
        if self.reviewed_on and launched_at and self.reviewed_on < timezone.localdate(launched_at):
            raise ValidationError({"reviewed_on": "Aims are reviewed after the group launched, not before."})


class AimStanding(models.Model):
    """Where the group stood against one aim at a review."""

    class Scale(models.IntegerChoices):
        NOT_YET = 1, "1: not there yet"
        A_LITTLE = 2, "2: a little of the way"
        HALFWAY = 3, "3: about halfway"
        MOSTLY = 4, "4: most of the way"
        THERE = 5, "5: there"

    review = models.ForeignKey(AimReview, on_delete=models.CASCADE, related_name="standings")
    aim = models.ForeignKey(Aim, on_delete=models.CASCADE, related_name="standings")
    scale = models.PositiveSmallIntegerField(
        "Where the group stands",
        choices=Scale,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    words = models.CharField(
        "In a few words",
        max_length=200,
        validators=[validate_single_line],
        help_text="About the group as a whole: never a member's name, nor anything about anyone's self-harm.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["aim__created_at", "aim__pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "aim"], name="one_standing_per_aim_per_review"),
            models.CheckConstraint(
                condition=Q(scale__isnull=True) | Q(scale__gte=1, scale__lte=5), name="scale_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.aim}: {self.scale or 'no point on the scale'}"

    @property
    def scale_is_optional(self) -> bool:
        """An aim each member charts for themselves has no group point on the scale unless the
        group has shared one: the team gives the group's overall sense only."""
        return self.aim.progress_charting == Aim.Charting.INDIVIDUAL

    def clean(self):
        errors = {}
        if self.scale is None and not self.scale_is_optional:
            errors["scale"] = "Choose where the group stands, from 1 to 5."
        named = self.aim.group.member_names_in(self.words)
        if named:
            errors["words"] = names_refusal(named, "Write about the group as a whole")
        if errors:
            raise ValidationError(errors)
