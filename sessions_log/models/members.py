import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
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
    created_at = models.DateTimeField(auto_now_add=True)
    # Counts saves of the record's details, so that of two people correcting it at once the second
    # is told instead of silently overwriting the first (services.update_member).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()

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


class RecordedName(models.Model):
    """A name someone in the group was recorded under, kept as a keyed hash (see
    sessions_log.redaction): never the name itself. It outlives the member's erasure, so that
    their name can still be recognised, and redacted, in text written about the group (another
    member's export, what the supervisor reads)."""

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="recorded_names")
    # Made by the app (redaction.name_key), never typed.
    key = models.CharField(max_length=64, editable=False)
    # How many words the name has, so a text is searched for names up to the longest.
    words = models.PositiveSmallIntegerField(editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "key"], name="recorded_name_once_per_group")]

    def __str__(self):
        return f"A recorded name in {self.group}"


class MemberRequestQuerySet(models.QuerySet):
    def open(self, now=None):
        since = (now or timezone.now()) - datetime.timedelta(days=MemberRequest.OPEN_DAYS)
        return self.filter(opened_at__gte=since)


class MemberRequest(models.Model):
    """A member's request for their records, or for their erasure (UK GDPR), that the group's
    supervisor is asked to answer for too: the debrief material naming the member, which
    coordinators never read (sessions_log.views.member_record). Opened by a coordinator; while it
    is open (a month, the time the law gives to answer) the supervisor may open that member's
    debrief material, and may agree that erasure replaces their name in notes although it is
    also a common word. Goes with the member when they are erased."""

    OPEN_DAYS = 30

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="request")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField()
    replacement_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replacement_agreed_at = models.DateTimeField(null=True, blank=True)

    objects = MemberRequestQuerySet.as_manager()
    history = HistoricalRecords()

    def __str__(self):
        return f"Request about member {self.member_id}"

    @property
    def open_until(self) -> datetime.datetime:
        return self.opened_at + datetime.timedelta(days=self.OPEN_DAYS)

    @property
    def is_open(self) -> bool:
        return timezone.now() < self.open_until

    @property
    def replacement_agreed(self) -> bool:
        """The supervisor agreed, on this open request, that erasure may replace the member's name
        in notes although it is also a common word."""
        return self.is_open and self.replacement_agreed_at is not None
