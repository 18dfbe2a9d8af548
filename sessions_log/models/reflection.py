import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When, Window
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


def _after_escalating_concern():
    """Whether a safeguarding concern or a risk to life was raised from the debrief's session, as
    a condition on debriefs (see Debrief.needs_attention)."""
    from concerns.models import Concern  # concerns' models import these

    return Exists(Concern.objects.escalating().filter(session_id=OuterRef("session_id")))


class DebriefQuerySet(models.QuerySet):
    def with_attention(self):
        """Each debrief marked with `after_escalating_concern`, in the same query, for its flags
        and review due date."""
        return self.annotate(after_escalating_concern=_after_escalating_concern())

    def flagged_first(self):
        """Debriefs needing attention first (Debrief.needs_attention), then oldest. The primary key
        settles ties, so that pages of the queue never share or skip one."""
        return self.annotate(
            flag_order=Case(
                When(Debrief.needs_attention(), then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("flag_order", "created_at", "pk")

    def awaiting_review(self):
        return self.filter(reviewed=False)

    def review_overdue(self, today: datetime.date):
        """Debriefs still awaiting review after their due date (Debrief.review_due_on before today)."""
        return self.awaiting_review().filter(_review_overdue(today))

    def awaiting_review_by(self, user, *, group_ids=None):
        """Debriefs this person should review: those of groups whose debriefs they sign off
        (SupportGroup.objects.reviewed_by), not yet reviewed, needing attention first and then
        oldest. Their own debriefs are left out, as nobody reviews their own. Lists show who, when
        and why a debrief waits (its flags), never what it says, so the rest is left unread.

        `group_ids`, when the caller already has them, are those groups' ids (a list): the
        database then starts from the partial index of debriefs awaiting review rather than from
        every session of the groups. A superuser signs off every group's, so no list is needed."""
        if user.is_superuser:
            groups = Q()
        elif group_ids is None:
            groups = Q(session__group__in=SupportGroup.objects.reviewed_by(user))
        else:
            groups = Q(session__group_id__in=group_ids)
        return (
            self.awaiting_review()
            .filter(groups)
            .exclude(author=user)
            .select_related("session__group", "author")
            .defer(*(field for field in Debrief.PRIVATE_FIELDS if field not in Debrief.FLAG_FIELDS))
            .with_attention()
            .flagged_first()
        )

    def with_waiting_counts(self, today: datetime.date | None = None):
        """Each debrief with how many there are in all (`waiting_total`), how many of them need
        attention first (`waiting_flagged`: Debrief.needs_attention) and how many have waited past
        their review date (`waiting_overdue`): a page of them then brings its counts in the same
        query."""
        overdue = _review_overdue(today or timezone.localdate()) & Q(reviewed=False)
        return self.annotate(
            waiting_total=Window(Count("pk")),
            waiting_flagged=Window(Count("pk", filter=Debrief.needs_attention())),
            waiting_overdue=Window(Count("pk", filter=overdue)),
        )


def _review_overdue(today: datetime.date) -> Q:
    """Past Debrief.review_due_on: written before the start of the day REVIEW_DUE_DAYS days before
    today, or REVIEW_DUE_DAYS_AFTER_CONCERN days after a safeguarding concern or a risk to life in
    the session."""

    def written_before(days: int) -> Q:
        start = datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time.min)
        return Q(created_at__lt=timezone.make_aware(start))

    return written_before(Debrief.REVIEW_DUE_DAYS) | (
        Q(_after_escalating_concern()) & written_before(Debrief.REVIEW_DUE_DAYS_AFTER_CONCERN)
    )


class Debrief(models.Model):
    """A facilitator's own reflection after a session. Read only by its author, the group's
    supervisor and superusers; coordinators only learn that it exists. A concern that came up in
    the session is not written here but raised as a concern (the concerns app), which the people
    who must act on it see."""

    REVIEW_DUE_DAYS = 7
    # After a safeguarding concern or a risk to life in the session, the supervisor looks sooner.
    REVIEW_DUE_DAYS_AFTER_CONCERN = 1
    # What the facilitator wrote, and how they are: read only by those who may read the debrief
    # (permissions.can_read_debrief), on its pages and in the change history, and in no export.
    PRIVATE_FIELDS = (
        "how_it_went",
        "anything_difficult",
        "wellbeing",
        "support_wanted",
    )
    # Of those, what a reader's lists show as the reason a debrief waits first (`flags`).
    FLAG_FIELDS = ("wellbeing",)
    LOW_WELLBEING = 2  # a score at or below this asks the supervisor to look first

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="debriefs")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="debriefs")
    how_it_went = models.TextField("How did the session go?", max_length=4_000)
    anything_difficult = models.TextField(
        "Was anything difficult?", max_length=4_000, blank=True, help_text=NO_SELF_HARM_DETAILS
    )
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

    @classmethod
    def needs_attention(cls) -> Q:
        """The one rule for which debriefs the supervisor looks at first, as a condition: the
        facilitator's wellbeing is low (2 or less), or a safeguarding concern or a risk to life
        was raised from the session, open or closed since (closing the concern does not undo what
        the facilitator went through). The same rule hurries the review (review_due_days)."""
        return Q(wellbeing__lte=cls.LOW_WELLBEING) | Q(_after_escalating_concern())

    @property
    def is_locked(self) -> bool:
        """Reviewed by the supervisor, and so no longer changed: later thoughts go in notes."""
        return self.reviewed

    @property
    def follows_escalating_concern(self) -> bool:
        """Whether a safeguarding concern or a risk to life was raised from this debrief's session:
        as annotated by DebriefQuerySet.with_attention(), or else asked of the database."""
        annotated = getattr(self, "after_escalating_concern", None)
        if annotated is not None:
            return annotated
        if self.session_id is None:
            return False
        from concerns.models import Concern  # concerns' models import these

        return Concern.objects.escalating().filter(session_id=self.session_id).exists()

    @property
    def flags(self) -> list[str]:
        """Why the debrief needs the supervisor's attention first, in words (needs_attention)."""
        flags = []
        if self.follows_escalating_concern:
            flags.append("Concern raised in the session")
        if self.has_low_wellbeing:
            flags.append(f"Low wellbeing ({self.wellbeing})")
        return flags

    @property
    def has_low_wellbeing(self) -> bool:
        """The facilitator scored how they feel at LOW_WELLBEING or less: their supervisor is told."""
        return self.wellbeing is not None and self.wellbeing <= self.LOW_WELLBEING

    @property
    def is_flagged(self):
        return bool(self.flags)

    @property
    def review_due_days(self) -> int:
        return self.REVIEW_DUE_DAYS_AFTER_CONCERN if self.follows_escalating_concern else self.REVIEW_DUE_DAYS

    @property
    def review_due_on(self) -> datetime.date:
        """A review is due a week after the debrief was written, or the next day after a
        safeguarding concern or a risk to life in the session (needs_attention)."""
        return timezone.localtime(self.created_at).date() + datetime.timedelta(days=self.review_due_days)

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
