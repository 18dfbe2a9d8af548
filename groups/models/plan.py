from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from groups_site.validators import validate_single_line

from ..checklist import (
    CHECKLIST,
    CHECKLIST_BY_KEY,
    NO_HARM_CONTRACT_KEY,
    SAFETY_CRITICAL_EXPLANATION,
    SAFETY_CRITICAL_KEYS,
)
from ..wording import (
    NO_HARM_CONTRACT_ANSWER_WARNING,
    NO_HARM_CONTRACT_RULE_WARNING,
    STOPPING_AIM_WARNING,
    answer_reads_like_no_harm_contract,
    name_problem,
    not_applicable_reason_problem,
    placeholder_problem,
    reads_like_no_harm_contract,
    reads_like_stopping_aim,
)
from .group import SupportGroup


class Aim(models.Model):
    class Charting(models.TextChoices):
        INDIVIDUAL = "individual", "Each member charts their own progress"
        GROUP = "group", "The group charts progress together"
        BOTH = "both", "Both"

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="aims")
    text = models.CharField(
        "Aim", max_length=300, validators=[validate_single_line], help_text="About coping better, not about stopping."
    )
    progress_charting = models.CharField(
        "How progress is charted", max_length=20, choices=Charting, default=Charting.BOTH
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text

    @property
    def warning(self) -> str | None:
        """What the guidance says about this aim, when it reads as being about stopping self-harm (SR-10)."""
        return STOPPING_AIM_WARNING if reads_like_stopping_aim(self.text) else None


class Rule(models.Model):
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="rules")
    text = models.CharField("Rule", max_length=300, validators=[validate_single_line])
    how_shared = models.CharField(
        "How it is shared",
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text="e.g. read out at the start of each session",
    )
    how_upheld = models.CharField(
        "How it is upheld",
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text="What facilitators do when it is broken.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text

    def clean(self):
        errors = {
            field: name_problem(getattr(self, field))
            for field in ("how_shared", "how_upheld")
            if name_problem(getattr(self, field))
        }
        if errors:
            raise ValidationError(errors)

    @property
    def reads_like_no_harm_contract(self) -> bool:
        return reads_like_no_harm_contract(self.text)

    @property
    def warning(self) -> str | None:
        """What the guidance says about this rule, when it reads like a no-harm contract (LS-Q6)."""
        return NO_HARM_CONTRACT_RULE_WARNING if self.reads_like_no_harm_contract else None

    def missing_parts(self) -> list[str]:
        """What the rule still needs for the plan to say how it is shared and upheld (LS-Q5)."""
        return [
            f"how \u201c{self.text}\u201d is {verb}"
            for field, verb in (("how_shared", "shared"), ("how_upheld", "upheld"))
            if not getattr(self, field).strip() or name_problem(getattr(self, field))
        ]


class ChecklistAnswer(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Completed"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    # A question is settled, for the launch gate and progress, once answered or ruled out.
    RESOLVED_STATUSES = frozenset({Status.DONE, Status.NOT_APPLICABLE})
    # The colour that repeats each status's words on a tag (of a question, a section or a document).
    STATUS_TONES = {
        Status.NOT_STARTED: "secondary",
        Status.IN_PROGRESS: "warning",
        Status.DONE: "success",
        Status.NOT_APPLICABLE: "secondary",
    }

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="checklist_answers")
    item_key = models.CharField(max_length=50, choices=[(item.key, item.prompt) for item in CHECKLIST])
    answer = models.TextField(max_length=4_000, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.NOT_STARTED)
    not_applicable_reason = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Counts saves, so that of two people answering the same question at once the second is told
    # rather than silently overwriting the first (see groups.services.save_checklist_section).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "item_key"]
        constraints = [
            models.UniqueConstraint(fields=["group", "item_key"], name="one_answer_per_checklist_item"),
            models.CheckConstraint(
                condition=~Q(status="not_applicable") | ~Q(not_applicable_reason=""),
                name="not_applicable_needs_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_applicable") | ~Q(item_key__in=SAFETY_CRITICAL_KEYS),
                name="safety_questions_never_not_applicable",
            ),
        ]

    def __str__(self):
        return f"{self.group}: {self.item_key}"

    def clean(self):
        # Writing an answer starts the question: nobody has to pick "In progress" as well.
        if self.status == self.Status.NOT_STARTED and self.answer.strip():
            self.status = self.Status.IN_PROGRESS
        problem = self.problem
        if problem:
            field = "answer" if self.status == self.Status.DONE else "not_applicable_reason"
            if self.status == self.Status.NOT_APPLICABLE and self.item.safety_critical:
                field = "status"
            raise ValidationError({field: problem})

    @property
    def item(self):
        return CHECKLIST_BY_KEY[self.item_key]

    @property
    def problem(self) -> str | None:
        """Why this answer does not settle its question although marked completed or not
        applicable, or None. A safety question can never be not applicable (SR-1); a completed
        answer to a required question must say something, and so must a reason for "not
        applicable" (groups.wording). The same rule refuses a save and, for answers stored before
        it, keeps the launch gate shut."""
        if self.status == self.Status.NOT_APPLICABLE:
            if self.item.safety_critical:
                return SAFETY_CRITICAL_EXPLANATION
            return not_applicable_reason_problem(self.not_applicable_reason)
        if self.status == self.Status.DONE:
            if self.item.required:
                return placeholder_problem(self.answer)
            if not self.answer.strip():
                return "Write an answer before marking this completed."
        return None

    @property
    def warning(self) -> str | None:
        """What the guidance says, when the answer on no-harm contracts (LS-Q6) reads as if members
        will be held to one."""
        if self.item_key == NO_HARM_CONTRACT_KEY and answer_reads_like_no_harm_contract(self.answer):
            return NO_HARM_CONTRACT_ANSWER_WARNING
        return None

    @property
    def is_resolved(self) -> bool:
        """Settled, for the launch gate and progress: completed or not applicable, as the rules allow."""
        return self.status in self.RESOLVED_STATUSES and self.problem is None
