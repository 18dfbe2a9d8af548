from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from groups_site.validators import validate_single_line

from ..checklist import CHECKLIST, CHECKLIST_BY_KEY
from ..wording import reads_like_no_harm_contract
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

    @property
    def reads_like_no_harm_contract(self) -> bool:
        return reads_like_no_harm_contract(self.text)


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

    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "item_key"]
        constraints = [
            models.UniqueConstraint(fields=["group", "item_key"], name="one_answer_per_checklist_item"),
            models.CheckConstraint(
                condition=~Q(status="not_applicable") | ~Q(not_applicable_reason=""),
                name="not_applicable_needs_reason",
            ),
        ]

    def __str__(self):
        return f"{self.group}: {self.item_key}"

    def clean(self):
        if self.status == self.Status.NOT_APPLICABLE and not self.not_applicable_reason.strip():
            raise ValidationError({"not_applicable_reason": "Say why this does not apply to the group."})
        if self.status == self.Status.DONE and not self.answer.strip():
            raise ValidationError({"answer": "Write an answer before marking this completed."})

    @property
    def item(self):
        return CHECKLIST_BY_KEY[self.item_key]

    @property
    def is_resolved(self) -> bool:
        return self.status in self.RESOLVED_STATUSES
