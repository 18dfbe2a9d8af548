from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from groups.models import SupportGroup
from groups_site.validators import validate_single_line


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Member.Status.ACTIVE)

    def on_register_for(self, session):
        """Members expected at a session: joined by its date, and attending then (including
        people who have left since, for a register taken late)."""
        return self.filter(group_id=session.group_id, joined_on__lte=session.date).filter(
            Q(status=Member.Status.ACTIVE) | Q(status=Member.Status.EXITED, exited_on__gte=session.date)
        )


class Member(models.Model):
    """A person who comes to a group, recorded by the name the group's plan allows and nothing
    about their self-harm."""

    class Status(models.TextChoices):
        WAITING_LIST = "waiting_list", "On the waiting list"
        ACTIVE = "active", "Attending"
        EXITED = "exited", "Left the group"

    class Referral(models.TextChoices):
        SELF = "self", "Referred themselves"
        PROFESSIONAL = "professional", "Referred by a professional"

    class ExitReason(models.TextChoices):
        MOVED_ON = "moved_on", "Moved on: no longer needs the group"
        REFERRED_ON = "referred_on", "Referred to other support"
        CHOSE_TO_LEAVE = "chose_to_leave", "Chose to leave"
        STOPPED_COMING = "stopped_coming", "Stopped coming"
        NO_LONGER_ELIGIBLE = "no_longer_eligible", "No longer eligible"
        GROUP_CLOSED = "group_closed", "The group closed"
        OTHER = "other", "Other"

    # The colour that repeats each status's words on a tag.
    STATUS_TONES = {Status.ACTIVE: "success", Status.WAITING_LIST: "warning", Status.EXITED: "secondary"}
    # The record as a coordinator or facilitator keeps it up to date (the member form). Joining,
    # admission from the waiting list and leaving change the rest, each through its own service.
    DETAIL_FIELDS = ("display_name", "joined_on", "referral_route", "referring_organisation", "contact_details")

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="members")
    display_name = models.CharField(
        "Name",
        max_length=60,
        validators=[validate_single_line],
        help_text="Only as the group's plan allows: a nickname, first name or full name.",
    )
    joined_on = models.DateField()
    referral_route = models.CharField(max_length=20, choices=Referral, default=Referral.SELF)
    referring_organisation = models.CharField(
        max_length=120,
        blank=True,
        validators=[validate_single_line],
        help_text="The organisation only, never the professional's notes.",
    )
    contact_details = models.CharField(
        max_length=120,
        blank=True,
        validators=[validate_single_line],
        help_text="Only if the group's plan allows contact between sessions: a phone number or email address.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.ACTIVE)
    exited_on = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=30, choices=ExitReason, blank=True)
    aftercare_offered = models.TextField(
        max_length=1_000,
        blank=True,
        help_text="The support offered after leaving, as the group's exit strategy describes.",
    )
    # How often they came: kept up to date by the services that change marks (sessions_log.counters),
    # so the sessions page reads them instead of counting every member's marks.
    sessions_marked = models.PositiveIntegerField(default=0, editable=False)
    sessions_attended = models.PositiveIntegerField(default=0, editable=False)
    last_attended_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MemberQuerySet.as_manager()
    # The totals are worked out from the marks, whose own history says who changed what.
    history = HistoricalRecords(excluded_fields=["sessions_marked", "sessions_attended", "last_attended_on"])

    class Meta:
        ordering = ["display_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="exited") | (Q(exited_on__isnull=False) & ~Q(exit_reason="")),
                name="exited_member_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(referral_route="professional") | Q(referring_organisation=""),
                name="referring_organisation_only_for_professional_referrals",
            ),
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | Q(exited_on__gte=F("joined_on")),
                name="member_leaves_on_or_after_joining",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def is_attending(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.WAITING_LIST

    @property
    def has_left(self) -> bool:
        return self.status == self.Status.EXITED

    @property
    def status_tone(self) -> str:
        return self.STATUS_TONES[self.status]

    @property
    def left_before_joining(self) -> bool:
        """Nobody leaves a group before the day they joined it (the database holds this too)."""
        return bool(self.exited_on and self.joined_on and self.exited_on < self.joined_on)

    def clean(self):
        errors = {}
        problem = naming_problem(self.display_name, self.group.member_names)
        if problem:
            errors["display_name"] = problem
        if self.referral_route != self.Referral.PROFESSIONAL and self.referring_organisation:
            errors["referring_organisation"] = "Only record an organisation when a professional referred them."
        if self.contact_details and not self.group.allows_contact_between_sessions:
            errors["contact_details"] = (
                "This group's plan does not allow contact between sessions, so keep no contact details."
            )
        if self.left_before_joining:
            # Beside the join date: the member's form changes it; leaving is recorded on its own
            # form, whose service checks the leaving date against this one.
            errors["joined_on"] = (
                f"They left the group on {date_format(self.exited_on, 'j F Y')}, so the date they joined must be on or "
                "before that."
            )
        if errors:
            raise ValidationError(errors)


def naming_problem(name: str, policy: str) -> str | None:
    """Whether a name fits how the group's plan says names are recorded: nicknames and first
    names are a single word (hyphens and apostrophes are fine); full names may be several."""
    name = (name or "").strip()
    if not name:
        return "Enter a name."
    if policy in (SupportGroup.NameRecording.NICKNAME, SupportGroup.NameRecording.FIRST_NAME) and len(name.split()) > 1:
        kind = "a nickname" if policy == SupportGroup.NameRecording.NICKNAME else "a first name"
        return f"This group records {kind} only: one word, without a surname."
    return None
