"""Concerns about a member's safety or wellbeing (SR-3), and each group's log of complaints, rules
broken and arguments between members (SR-5).

A concern is its own record, not a yes/no inside a facilitator's private debrief, so the people
who must act on it see it. It is minimal by design: the details stay in the organisation's own
safeguarding system, and nothing here ever describes anyone's self-harm. The three kinds are kept
apart ("Self-harm FAQs for professionals" treats self-harm as a way of coping, distinct from
suicidal intent): distress handled in the session changes nothing else, while a safeguarding
concern or a risk to life brings the member's follow-up forward, hurries the supervisor's review
of that session's debriefs and stays on dashboards until it is closed (concerns.services).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from groups.models import GroupRole, SupportGroup
from groups_site.validators import validate_single_line

from .names import member_name_finder

FEELINGS_NOT_MECHANICS = "Feelings, not mechanics: never write details of anyone's self-harm."
DETAILS_ELSEWHERE = (
    "Keep this short: the details belong in your organisation's own safeguarding records, not here. "
    + FEELINGS_NOT_MECHANICS
)


def _names_refusal(group, texts: dict[str, str], *, what: str) -> dict[str, str]:
    """Errors for the fields whose text names one of the group's members."""
    errors = {}
    if not any(text.strip() for text in texts.values()):
        return errors
    names_in = member_name_finder(group)
    for field, text in texts.items():
        found = names_in(text)
        if found:
            names = ", ".join(f"\u201c{name}\u201d" for name in found)
            errors[field] = (
                f"This names a member ({names}). Write \u201ca member\u201d instead: {what} is read by the group's "
                "supervisor, who never sees members' names."
            )
    return errors


class ConcernQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)

    def escalating(self):
        """Safeguarding concerns and risks to life: the kinds that change what happens next."""
        return self.filter(kind__in=Concern.ESCALATING_KINDS)

    def needing_attention_of(self, user):
        """Open safeguarding concerns and risks to life in the groups this person coordinates or
        supervises, oldest first: their dashboard shows each until it is closed."""
        groups = SupportGroup.objects.holding(user, {GroupRole.Role.COORDINATOR, *GroupRole.Role.SUPERVISING})
        return (
            self.open()
            .escalating()
            .filter(group__in=groups)
            .select_related("group", "member")
            .order_by("happened_on", "raised_at", "pk")
        )


class Concern(models.Model):
    """Something that worried the team about a member: what kind, what was done about it, who was
    told and when, and in the end what came of it."""

    class Kind(models.TextChoices):
        DISTRESS = "distress", "Distress handled in the session"
        SAFEGUARDING = "safeguarding", "Safeguarding concern"
        RISK_TO_LIFE = "risk_to_life", "Risk to life"

    class Where(models.TextChoices):
        IN_SESSION = "in_session", "In a session"
        PHONE_OR_MESSAGE = "phone_or_message", "A phone call or message between sessions"
        ONLINE_SPACE = "online_space", "In the group's online space"
        ELSEWHERE = "elsewhere", "Somewhere else between sessions"

    # The kinds that bring the member's follow-up forward to the same day, for a coordinator, hurry
    # the supervisor's review (Debrief.review_due_days) and wait on dashboards until closed.
    # Distress handled in the session is the group's plan working (LS-Q12): never escalated by
    # default (SR-3).
    ESCALATING_KINDS = (Kind.SAFEGUARDING, Kind.RISK_TO_LIFE)
    # Where the guidance each kind answers to comes from, as the form and pages cite it.
    GUIDANCE = {
        Kind.DISTRESS: "the group's plan for a member who becomes very distressed in a session (LifeSIGNS LS-Q12)",
        Kind.SAFEGUARDING: "your organisation's safeguarding policy (Self-harm FAQs for professionals, FAQ-2)",
        Kind.RISK_TO_LIFE: "the group's plan for when someone talks about ending their life (LifeSIGNS LS-Q13)",
    }

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="concerns")
    kind = models.CharField(max_length=20, choices=Kind)
    # A member's erasure leaves the concern, no longer linked to anyone.
    member = models.ForeignKey(
        "sessions_log.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns",
        help_text="Leave empty if it was not about one member.",
    )
    where = models.CharField("Where it came up", max_length=20, choices=Where, default=Where.IN_SESSION)
    session = models.ForeignKey(
        "sessions_log.GroupSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    happened_on = models.DateField("When it happened")
    what_was_done = models.TextField("What was done", max_length=2_000, help_text=DETAILS_ELSEWHERE)
    who_was_told = models.CharField(
        "Who was told",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="A role is enough: \u201cthe safeguarding lead\u201d, \u201cthe crisis team\u201d.",
    )
    told_at = models.DateTimeField("When they were told", null=True, blank=True)
    outcome = models.TextField(max_length=2_000, blank=True, help_text=DETAILS_ELSEWHERE)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # The follow-up this concern brought forward or raised (services.raise_concern).
    follow_up = models.ForeignKey(
        "sessions_log.FollowUp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns",
        editable=False,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConcernQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_on", "-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["distress", "safeguarding", "risk_to_life"]), name="concern_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, outcome="") | Q(closed_on__isnull=False) & ~Q(outcome=""),
                name="closed_concern_has_outcome",
            ),
        ]
        indexes = [models.Index(fields=["group", "closed_on"], name="concern_group_open")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.happened_on:%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("concerns:concern", kwargs={"pk": self.group_id, "concern_pk": self.pk})

    def clean(self):
        errors = {}
        if self.happened_on and self.happened_on > timezone.localdate():
            errors["happened_on"] = "A concern is recorded after it happened: give a date up to today."
        if self.where == self.Where.IN_SESSION and self.session_id is None:
            errors["session"] = "Say which session it came up in."
        elif self.where != self.Where.IN_SESSION and self.session_id is not None:
            errors["session"] = "Only name a session when it came up in one."
        if bool(self.who_was_told.strip()) != (self.told_at is not None):
            if self.told_at is None:
                errors["told_at"] = "Say when they were told."
            else:
                errors["who_was_told"] = "Say who was told."
        elif self.escalates and not self.who_was_told.strip():
            errors["who_was_told"] = "Say who was told under the policy, and when."
        if self.told_at and self.told_at > timezone.now():
            errors["told_at"] = "Give a time that has passed."
        elif self.told_at and self.happened_on and timezone.localdate(self.told_at) < self.happened_on:
            errors["told_at"] = "They cannot have been told before it happened."
        if self.group_id:
            texts = {"what_was_done": self.what_was_done, "who_was_told": self.who_was_told}
            for field, refusal in _names_refusal(self.group, texts, what="a concern").items():
                errors.setdefault(field, refusal)
        errors.update(self.closing_errors())
        if errors:
            raise ValidationError(errors)

    def closing_errors(self) -> dict[str, str]:
        """What is wrong with the concern's closing (its date and outcome), by field. Checked on its
        own when a concern closes: concerns moved from debriefs lack details asked of new ones."""
        errors = {}
        if self.closed_on and self.happened_on and self.closed_on < self.happened_on:
            errors["closed_on"] = "A concern cannot close before it happened."
        elif self.closed_on and self.closed_on > timezone.localdate():
            errors["closed_on"] = "Give a date up to today."
        if self.group_id:
            errors.update(_names_refusal(self.group, {"outcome": self.outcome}, what="a concern"))
        return errors

    @property
    def escalates(self) -> bool:
        return self.kind in self.ESCALATING_KINDS

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def guidance(self) -> str:
        return self.GUIDANCE.get(self.kind, "")

    @property
    def is_between_sessions(self) -> bool:
        return self.where != self.Where.IN_SESSION

    @property
    def status_tone(self) -> str:
        """The colour repeating the status tag's words: red while a serious concern is open."""
        if not self.is_open:
            return "secondary"
        return "danger" if self.escalates else "warning"


class ComplaintQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)


class Complaint(models.Model):
    """One entry in a group's log of complaints, ground rules broken and arguments between members
    (LifeSIGNS LS-Q17, LS-Q18; SR-5): what happened, in a few words and without members' names,
    how it was handled under the group's answer on complaints, and when it closed."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "A complaint"
        RULE_BROKEN = "rule_broken", "A ground rule broken"
        ARGUMENT = "argument", "An argument or falling-out between members"

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="complaints")
    kind = models.CharField("What it is", max_length=20, choices=Kind)
    happened_on = models.DateField("When it happened")
    summary = models.TextField(
        "What happened",
        max_length=1_000,
        help_text="A few words, without members' names (\u201ca member\u201d, \u201ctwo members\u201d). "
        + FEELINGS_NOT_MECHANICS,
    )
    handling = models.TextField(
        "How it is being handled",
        max_length=1_000,
        help_text="As the group's plan says complaints are handled: who looks into it, and how the member hears back.",
    )
    outcome = models.TextField(max_length=1_000, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_on", "-created_at", "-pk"]
        verbose_name = "complaint or rule broken"
        verbose_name_plural = "complaints and rules broken"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["complaint", "rule_broken", "argument"]), name="complaint_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, outcome="") | Q(closed_on__isnull=False) & ~Q(outcome=""),
                name="closed_complaint_has_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.happened_on:%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("concerns:complaint", kwargs={"pk": self.group_id, "complaint_pk": self.pk})

    def clean(self):
        errors = {}
        if self.happened_on and self.happened_on > timezone.localdate():
            errors["happened_on"] = "Give a date up to today."
        if self.group_id:
            texts = {"summary": self.summary, "handling": self.handling}
            errors.update(_names_refusal(self.group, texts, what="the log"))
        errors.update(self.closing_errors())
        if errors:
            raise ValidationError(errors)

    def closing_errors(self) -> dict[str, str]:
        """What is wrong with the entry's closing (its date and outcome), by field."""
        errors = {}
        if self.closed_on and self.happened_on and self.closed_on < self.happened_on:
            errors["closed_on"] = "It cannot close before it happened."
        elif self.closed_on and self.closed_on > timezone.localdate():
            errors["closed_on"] = "Give a date up to today."
        if self.group_id:
            errors.update(_names_refusal(self.group, {"outcome": self.outcome}, what="the log"))
        return errors

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
