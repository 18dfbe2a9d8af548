from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.utils import timezone
from simple_history.models import HistoricalRecords

from groups_site.validators import validate_single_line

from ..suggestions import RISK_SEEDS, is_starting_risk
from ..wording import name_problem, placeholder_problem
from .group import SupportGroup


class PlanDocument(models.Model):
    """What the three gating documents share: one per group, and who touched it last."""

    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Counts saves, so that two people editing the same document at once are told, rather than
    # the second silently overwriting the first (see groups.services.save_plan_document).
    version = models.PositiveIntegerField(default=1, editable=False)

    # The parts a coordinator writes, each needed before launch (ExitStrategy, FacilitatorSupportPlan).
    PARTS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def clean(self):
        # A part may wait, but what is written must say something (SR-1): "x" is not a plan.
        errors = {part: self.part_problem(part) for part in self.PARTS if getattr(self, part).strip()}
        errors = {part: problem for part, problem in errors.items() if problem}
        if errors:
            raise ValidationError(errors)

    def part_problem(self, part: str) -> str | None:
        """What is wrong with one part: not written yet, or (for a written part) a placeholder."""
        value = getattr(self, part)
        if not value.strip():
            return "Not written yet."
        if isinstance(self._meta.get_field(part), models.TextField):
            return placeholder_problem(value)
        return None

    def missing_parts(self) -> list[str]:
        """Complete when every part is written and says something."""
        return [
            self.part_name(part)
            if not getattr(self, part).strip()
            else f"a real answer for \u201c{self.part_name(part)}\u201d, not a placeholder"
            for part in self.PARTS
            if self.part_problem(part)
        ]

    def part_name(self, part: str) -> str:
        return str(self._meta.get_field(part).verbose_name).lower()

    @property
    def is_complete(self) -> bool:
        return not self.missing_parts()


class RiskAssessmentQuerySet(models.QuerySet):
    def review_overdue(self, today):
        """Assessments past their review date, of running groups: the same rule as
        SupportGroup.risk_review_is_overdue, for many. Their coordinators are reminded and see them
        on their dashboard; a group in planning is held by the launch gate instead, and a paused
        one by the gate it passes to resume."""
        return self.filter(review_date__lt=today, group__status=SupportGroup.Status.ACTIVE)


class RiskAssessment(PlanDocument):
    group = models.OneToOneField(SupportGroup, on_delete=models.CASCADE, related_name="risk_assessment")
    review_date = models.DateField(null=True, blank=True, help_text="When the assessment will next be reviewed.")

    objects = RiskAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    def __str__(self):
        return f"Risk assessment for {self.group}"

    def clean(self):
        # Saving the assessment is reviewing it: the next review is today or later.
        if self.review_date is not None and self.review_date < timezone.localdate():
            raise ValidationError({"review_date": "The next review date must be today or later."})

    def missing_starting_risks(self) -> list:
        """The starting risks (suggestions.RISK_SEEDS) the assessment lacks: deleted before they
        could no longer be, or never added. start_risk_assessment puts them back."""
        present = {(risk.source, risk.title) for risk in self.risks.all() if is_starting_risk(risk)}
        return [seed for seed in RISK_SEEDS if (seed.source, seed.title) not in present]

    def missing_parts(self, today=None) -> list[str]:
        """Complete when every starting risk is there, every risk (starting or added) is rated and
        has a mitigation that says something and a named owner, and the review date is set and not
        yet past. Each missing part is one sentence, so the launch gate lists each problem."""
        today = today or timezone.localdate()
        missing = []
        risks = list(self.risks.all())
        absent = self.missing_starting_risks()
        if absent:
            missing.append(f"the {len(absent)} starting risk{pluralize(len(absent))} from the guidance put back")
        for problem, count in (
            ("a likelihood and an impact rating", sum(1 for risk in risks if not risk.is_rated)),
            ("a mitigation that says something", sum(1 for risk in risks if risk.mitigation_problem)),
            ("a named owner", sum(1 for risk in risks if risk.owner_problem)),
        ):
            if count:
                missing.append(f"{problem} for {count} of {len(risks)} risks")
        if self.review_date is None:
            missing.append("a review date")
        elif self.review_date < today:
            missing.append(f"a new review date (the last was due on {self.review_date:%-d %B %Y})")
        return missing

    def review_overdue(self, today=None) -> bool:
        """Whether the date set for the next review has passed without a review (a save with a
        new date): a running group keeps being told so until it is reviewed (issue 12.4)."""
        return self.review_date is not None and self.review_date < (today or timezone.localdate())


class Risk(models.Model):
    RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="risks")
    source = models.CharField(max_length=20, blank=True, help_text="The guidance reference this risk comes from.")
    title = models.CharField("Risk", max_length=300, validators=[validate_single_line])
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING_VALIDATORS)
    impact = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING_VALIDATORS)
    mitigation = models.TextField(
        max_length=2_000,
        blank=True,
        help_text="What you will do to prevent it, and to respond if it happens. If you rate it low, say why.",
    )
    owner = models.CharField(
        max_length=120,
        blank=True,
        validators=[validate_single_line],
        help_text="Who keeps an eye on it: a name or a role.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__isnull=True) | Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(impact__isnull=True) | Q(impact__gte=1, impact__lte=5), name="risk_impact_1_to_5"
            ),
        ]

    # On the 1 to 25 scale of likelihood times impact, 4 or less is low (at most 2 by 2, or 1 by 4).
    LOW_SCORE = 4
    LOW_NEEDS_A_REASON = "You rated this risk low: say in a sentence or two why it is low, and what keeps it so."

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.mitigation.strip():
            problem = placeholder_problem(self.mitigation)
            if problem:
                errors["mitigation"] = problem
        elif self.is_rated_low:
            errors["mitigation"] = self.LOW_NEEDS_A_REASON
        if name_problem(self.owner):
            errors["owner"] = name_problem(self.owner)
        if errors:
            raise ValidationError(errors)

    @property
    def score(self):
        if self.likelihood and self.impact:
            return self.likelihood * self.impact
        return None

    @property
    def is_rated(self) -> bool:
        return bool(self.likelihood and self.impact)

    @property
    def is_rated_low(self) -> bool:
        """Rated, and low: a starting risk may be judged so, with a reason, but never deleted (SR-1)."""
        return self.is_rated and self.score <= self.LOW_SCORE

    @property
    def is_starting_risk(self) -> bool:
        return is_starting_risk(self)

    @property
    def mitigation_problem(self) -> str | None:
        if not self.mitigation.strip():
            return self.LOW_NEEDS_A_REASON if self.is_rated_low else "No mitigation yet."
        return placeholder_problem(self.mitigation)

    @property
    def owner_problem(self) -> str | None:
        return "No owner yet." if not self.owner.strip() else name_problem(self.owner)

    @property
    def is_assessed(self) -> bool:
        """Rated, with a mitigation that says something and a named owner."""
        return self.is_rated and not self.mitigation_problem and not self.owner_problem


# Until a group's exit strategy says otherwise: a month after leaving.
DEFAULT_CHECK_IN_WEEKS = 4


class ExitStrategy(PlanDocument):
    group = models.OneToOneField(SupportGroup, on_delete=models.CASCADE, related_name="exit_strategy")
    members_leaving = models.TextField(
        "How members leave, and the support that continues afterwards",
        max_length=4_000,
        blank=True,
        help_text="Leaving can feel like letting friends down. Support should carry on for a while "
        "after someone moves on.",
    )
    group_ending = models.TextField(
        "How the whole group would end",
        max_length=4_000,
        blank=True,
        help_text="Who decides, how members are told, where they go next.",
    )
    when_group_cannot_run = models.TextField(
        "When the group cannot run",
        max_length=4_000,
        blank=True,
        help_text="Holidays, a facilitator away, the venue unavailable: what members are offered instead.",
    )

    check_in_after_weeks = models.PositiveSmallIntegerField(
        "Check in with members this many weeks after they leave",
        default=DEFAULT_CHECK_IN_WEEKS,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text="Everyone who leaves, and every member when the group closes, gets a check-in, given to a "
        "coordinator, due this many weeks later.",
    )

    PARTS = ("members_leaving", "group_ending", "when_group_cannot_run")

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "exit strategies"

    def __str__(self):
        return f"Exit strategy for {self.group}"


class FacilitatorSupportPlan(PlanDocument):
    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Monthly"
        AFTER_EACH_SESSION = "after_each_session", "After every session"

    group = models.OneToOneField(SupportGroup, on_delete=models.CASCADE, related_name="support_plan")
    supervision_frequency = models.CharField(max_length=20, choices=Frequency, blank=True)
    debrief_arrangements = models.TextField(
        "Debrief after every session",
        max_length=4_000,
        blank=True,
        help_text="Who facilitators debrief with after each session, and how soon.",
    )
    cofacilitation_and_cover = models.TextField(
        "Co-facilitation and cover",
        max_length=4_000,
        blank=True,
        help_text="Who co-facilitates, and who steps in when a facilitator is away. Say too what happens if a "
        "session has to run with one facilitator: who else is on call, and how it is looked at afterwards. A session "
        "recorded with fewer than two facilitators shows a warning and asks for a lesson learnt.",
    )
    facilitator_wellbeing = models.TextField(
        "Facilitators' own wellbeing",
        max_length=4_000,
        blank=True,
        help_text="How facilitators look after themselves and ask for help. Running a group can be draining.",
    )

    PARTS = ("supervision_frequency", "debrief_arrangements", "cofacilitation_and_cover", "facilitator_wellbeing")

    history = HistoricalRecords()

    def __str__(self):
        return f"Facilitator-support plan for {self.group}"

    def missing_parts(self) -> list[str]:
        """Complete when every part is answered and the group has a named supervisor."""
        missing = super().missing_parts()
        if self.group.supervisor is None:
            missing.insert(0, "a named supervisor")
        return missing
