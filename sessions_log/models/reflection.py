import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from groups.checklist import SECTIONS
from groups.models import SupportGroup
from groups_site.validators import validate_single_line

from .sessions import GroupSession

NO_SELF_HARM_DETAILS = "Never write details of anyone's self-harm: describe feelings, themes and what was done."


class Lesson(models.Model):
    """Something learnt about running the group (LifeSIGNS LS-Q14), from a session or in general."""

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="lessons")
    session = models.ForeignKey(GroupSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons")
    theme = models.CharField(
        max_length=20,
        choices=[(section.slug, section.title) for section in SECTIONS],
        help_text="The part of the plan this lesson is about.",
    )
    what_worked = models.TextField(max_length=2_000, blank=True)
    what_to_change = models.TextField(max_length=2_000, blank=True)
    action = models.CharField("Action agreed", max_length=300, blank=True, validators=[validate_single_line])
    action_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="lesson_actions"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "theme"], name="lesson_group_theme")]

    def __str__(self):
        return f"Lesson for {self.group} ({self.get_theme_display()})"

    def clean(self):
        if not (self.what_worked.strip() or self.what_to_change.strip()):
            raise ValidationError("Say what worked, what to change, or both.")
        if self.action_owner_id and not self.action.strip():
            raise ValidationError({"action": "Describe the action before giving it an owner."})


class DebriefQuerySet(models.QuerySet):
    def flagged_first(self):
        """Debriefs needing attention first (a safeguarding concern, or wellbeing 2 or less), then
        oldest. The primary key settles ties, so that pages of the queue never share or skip one."""
        return self.annotate(
            flag_order=Case(When(Debrief.FLAGGED, then=Value(0)), default=Value(1), output_field=IntegerField())
        ).order_by("flag_order", "created_at", "pk")

    def awaiting_review(self):
        return self.filter(reviewed=False)

    def awaiting_review_by(self, user):
        """Debriefs this person should review: those of groups whose debriefs they sign off
        (SupportGroup.objects.reviewed_by), not yet reviewed, needing attention first and then
        oldest. Their own debriefs are left out, as nobody reviews their own. Lists show who, when
        and why a debrief waits (its flags), never what it says, so the rest is left unread."""
        return (
            self.awaiting_review()
            .filter(session__group__in=SupportGroup.objects.reviewed_by(user))
            .exclude(author=user)
            .select_related("session__group", "author")
            .defer(*(field for field in Debrief.PRIVATE_FIELDS if field not in Debrief.FLAG_FIELDS))
            .flagged_first()
        )

    def waiting_counts(self) -> dict:
        """How many of these debriefs there are, and how many are flagged, in one query."""
        return self.order_by().aggregate(total=Count("pk"), flagged=Count("pk", filter=Debrief.FLAGGED))


class Debrief(models.Model):
    """A facilitator's own reflection after a session. Read only by its author, the group's
    supervisor and superusers; coordinators only learn that it exists."""

    REVIEW_DUE_DAYS = 7
    # What the facilitator wrote, and how they are: read only by those who may read the debrief
    # (permissions.can_read_debrief), on its pages and in the change history, and in no export.
    PRIVATE_FIELDS = (
        "how_it_went",
        "anything_difficult",
        "safeguarding_concern",
        "safeguarding_action",
        "safeguarding_told",
        "wellbeing",
        "support_wanted",
    )
    # Of those, what a reader's lists show as the reason a debrief waits first (`flags`).
    FLAG_FIELDS = ("safeguarding_concern", "wellbeing")
    LOW_WELLBEING = 2  # a score at or below this asks the supervisor to look first
    FLAGGED = Q(safeguarding_concern=True) | Q(wellbeing__lte=LOW_WELLBEING)

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="debriefs")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="debriefs")
    how_it_went = models.TextField("How did the session go?", max_length=4_000)
    anything_difficult = models.TextField("Was anything difficult?", max_length=4_000, blank=True)
    safeguarding_concern = models.BooleanField("Was there a safeguarding concern?", default=False)
    safeguarding_action = models.TextField(
        "What was done under the organisation's safeguarding policy",
        max_length=2_000,
        blank=True,
        help_text=NO_SELF_HARM_DETAILS,
    )
    safeguarding_told = models.CharField("Who was told", max_length=200, blank=True, validators=[validate_single_line])
    wellbeing = models.PositiveSmallIntegerField(
        "How are you feeling after the session?",
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 = really struggling, 5 = fine.",
    )
    support_wanted = models.TextField("Any support you would like?", max_length=2_000, blank=True)
    # Signed off by the supervisor, and so locked. Set with the review by services.review_debrief,
    # with the row locked (the scale generator, which writes reviews in bulk, sets it with them;
    # migration 0004 set it for older reviews). Kept on the debrief, beside `review`,
    # so that the debriefs still waiting come from a small partial index: the queue costs the
    # same after years of reviewed debriefs as in the first month. A review is never removed on
    # its own, only with its debrief.
    reviewed = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DebriefQuerySet.as_manager()
    # `reviewed` only repeats that a review exists, which the review's own history records.
    history = HistoricalRecords(excluded_fields=["reviewed"])

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="one_debrief_per_facilitator_per_session"),
            models.CheckConstraint(condition=Q(wellbeing__gte=1, wellbeing__lte=5), name="debrief_wellbeing_1_to_5"),
        ]
        indexes = [models.Index(fields=["created_at"], condition=Q(reviewed=False), name="debrief_awaiting_review")]

    def __str__(self):
        return f"Debrief by {self.author} for {self.session}"

    def clean(self):
        if self.safeguarding_concern and not (self.safeguarding_action.strip() and self.safeguarding_told.strip()):
            errors = {}
            if not self.safeguarding_action.strip():
                errors["safeguarding_action"] = "Say what was done under the safeguarding policy."
            if not self.safeguarding_told.strip():
                errors["safeguarding_told"] = "Say who was told."
            raise ValidationError(errors)

    @property
    def is_locked(self) -> bool:
        """Reviewed by the supervisor, and so no longer changed: later thoughts go in notes."""
        return self.reviewed

    @property
    def flags(self) -> list[str]:
        """Why the debrief needs the supervisor's attention first, in words."""
        flags = []
        if self.safeguarding_concern:
            flags.append("Safeguarding concern")
        if self.wellbeing is not None and self.wellbeing <= self.LOW_WELLBEING:
            flags.append(f"Low wellbeing ({self.wellbeing})")
        return flags

    @property
    def is_flagged(self):
        return bool(self.flags)

    @property
    def review_due_on(self) -> datetime.date:
        return timezone.localtime(self.created_at).date() + datetime.timedelta(days=self.REVIEW_DUE_DAYS)

    @property
    def days_waiting(self) -> int:
        return (timezone.localdate() - timezone.localtime(self.created_at).date()).days

    @property
    def is_review_overdue(self):
        """For a debrief still awaiting review: has it waited longer than it should?"""
        return timezone.localdate() > self.review_due_on


class DebriefReview(models.Model):
    """A supervisor's sign-off. Once reviewed, a debrief is locked: later thoughts go in notes."""

    debrief = models.OneToOneField(Debrief, on_delete=models.CASCADE, related_name="review")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comments = models.TextField(max_length=4_000)
    agreed_actions = models.TextField(max_length=2_000, blank=True)
    reviewed_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    # As private as the debrief it reviews.
    PRIVATE_FIELDS = ("comments", "agreed_actions")

    def __str__(self):
        return f"Review of {self.debrief}"


class DebriefNote(models.Model):
    """Added to a debrief by its author or supervisor, before or after review; never edited, but
    for erasure taking a member's name out (subject_access.remove_name_from_notes). Once a
    debrief is reviewed, notes are the only way to add to it."""

    debrief = models.ForeignKey(Debrief, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("Note", max_length=2_000, help_text=NO_SELF_HARM_DETAILS)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    # As private as the debrief it is added to, with no exception: in a member's request the
    # supervisor answers for it (permissions.can_answer_for_debrief_material).
    PRIVATE_FIELDS = ("text",)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Note on {self.debrief}"
