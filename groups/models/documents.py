from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from groups_site.validators import validate_single_line

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

    class Meta:
        abstract = True

    def missing_parts(self) -> list[str]:
        raise NotImplementedError

    @property
    def is_complete(self) -> bool:
        return not self.missing_parts()


class RiskAssessment(PlanDocument):
    group = models.OneToOneField(SupportGroup, on_delete=models.CASCADE, related_name="risk_assessment")
    review_date = models.DateField(null=True, blank=True, help_text="When the assessment will next be reviewed.")

    history = HistoricalRecords()

    def __str__(self):
        return f"Risk assessment for {self.group}"

    def missing_parts(self, today=None) -> list[str]:
        """Complete when there is at least one risk, every risk is rated and has a mitigation and
        an owner, and the review date is set and not yet past."""
        today = today or timezone.localdate()
        missing = []
        risks = list(self.risks.all())
        if not risks:
            missing.append("at least one risk")
        unfinished = [risk for risk in risks if not risk.is_assessed]
        if unfinished:
            missing.append(f"a rating, mitigation and owner for {len(unfinished)} of {len(risks)} risks")
        if self.review_date is None:
            missing.append("a review date")
        elif self.review_date < today:
            missing.append("a review date that has not passed")
        return missing


class Risk(models.Model):
    RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="risks")
    source = models.CharField(max_length=20, blank=True, help_text="The guidance reference this risk comes from.")
    title = models.CharField("Risk", max_length=300, validators=[validate_single_line])
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING_VALIDATORS)
    impact = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING_VALIDATORS)
    mitigation = models.TextField(
        max_length=2_000, blank=True, help_text="What you will do to prevent it, and to respond if it happens."
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

    def __str__(self):
        return self.title

    @property
    def score(self):
        if self.likelihood and self.impact:
            return self.likelihood * self.impact
        return None

    @property
    def is_assessed(self) -> bool:
        return bool(self.likelihood and self.impact and self.mitigation.strip() and self.owner.strip())


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

    def missing_parts(self) -> list[str]:
        """Complete when all three parts are answered."""
        return [
            str(self._meta.get_field(part).verbose_name).lower()
            for part in self.PARTS
            if not getattr(self, part).strip()
        ]


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
        help_text="Who co-facilitates, and who steps in when a facilitator is away.",
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
        missing = [
            str(self._meta.get_field(part).verbose_name).lower()
            for part in self.PARTS
            if not getattr(self, part).strip()
        ]
        if self.group.supervisor is None:
            missing.insert(0, "a named supervisor")
        return missing
