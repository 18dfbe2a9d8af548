import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from groups.models import SupportGroup, names_refusal
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

    class ConsentGiven(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "On the phone"
        IN_WRITING = "in_writing", "In writing (a form, letter, email or text message)"
        REFERRAL_FORM = "referral_form", "On their referral form"

    # The colour that repeats each status's words on a tag.
    STATUS_TONES = {Status.ACTIVE: "success", Status.WAITING_LIST: "warning", Status.EXITED: "secondary"}
    # A way to reach the member, and their consent to the team holding it: only where the group's
    # plan says the team holds contact details (SupportGroup.holds_contact_details).
    CONTACT_FIELDS = ("contact_details", "contact_consent_on", "contact_consent_how")
    # The record as a coordinator or facilitator keeps it up to date (the member form). Joining,
    # admission from the waiting list and leaving change the rest, each through its own service.
    DETAIL_FIELDS = ("display_name", "joined_on", "referral_route", "referring_organisation", *CONTACT_FIELDS)
    # What leaving writes (services.exit_member), and so all that leaving checks.
    EXIT_FIELDS = ("status", "exited_on", "exit_reason", "aftercare_offered")

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
        help_text="One phone number or email address, held with their consent, to follow up missed sessions "
        "and concerns and to check in after they leave.",
    )
    contact_consent_on = models.DateField("Date they agreed", null=True, blank=True)
    contact_consent_how = models.CharField("How they agreed", max_length=20, choices=ConsentGiven, blank=True)
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
    # Counts saves of the record's details, so that of two people correcting it at once the second
    # is told instead of silently overwriting the first (services.update_member).
    version = models.PositiveIntegerField(default=1, editable=False)

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
            # Every path that records leaving (the form, the group closing, the admin) is held to it.
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | Q(exited_on__gte=F("joined_on")),
                name="member_leaves_on_or_after_joining",
            ),
            # Consent is a date and a way, together or not at all.
            models.CheckConstraint(
                condition=Q(contact_consent_on__isnull=True, contact_consent_how="")
                | Q(contact_consent_on__isnull=False) & ~Q(contact_consent_how=""),
                name="contact_consent_has_date_and_way",
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
    def has_contact(self) -> bool:
        """Whether the team holds a way to reach them."""
        return bool(self.contact_details.strip())

    @property
    def left_before_joining(self) -> bool:
        """Nobody leaves a group before the day they joined it (the database holds this too)."""
        return bool(self.exited_on and self.joined_on and self.exited_on < self.joined_on)

    def clean(self):
        errors = {**self.contact_problems()}
        problem = naming_problem(self.display_name, self.group.member_names)
        if problem:
            errors["display_name"] = problem
        if self.referral_route != self.Referral.PROFESSIONAL and self.referring_organisation:
            errors["referring_organisation"] = "Only record an organisation when a professional referred them."
        if self.left_before_joining:
            # Beside the join date: the member's form changes it; leaving has its own form, whose
            # service checks the leaving date against this one.
            errors["joined_on"] = (
                f"They left the group on {self.exited_on:%-d %B %Y}, so the date they joined must be on or before that."
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

    def contact_problems(self) -> dict[str, str]:
        """A contact detail only where the group's plan says the team holds them, and only with the
        member's consent: when they agreed (not a date still to come) and how."""
        problems = {}
        if self.contact_details and not self.group.holds_contact_details:
            problems["contact_details"] = (
                "This group's plan says the team holds no contact details, so keep none. "
                "(Whether members contact each other is a separate question.)"
            )
        elif self.contact_details and not (self.contact_consent_on or self.contact_consent_how):
            problems["contact_consent_on"] = "Record when they agreed to the team holding a way to contact them."
        if self.contact_consent_on and not self.contact_consent_how:
            problems["contact_consent_how"] = "Say how they agreed."
        if self.contact_consent_how and not self.contact_consent_on:
            problems["contact_consent_on"] = "Give the date they agreed."
        if self.contact_consent_on and self.contact_consent_on > timezone.localdate():
            problems["contact_consent_on"] = "The date they agreed cannot be still to come."
        return problems


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


class Signposting(models.Model):
    """Someone pointed to other support because the group was full ("Running self-harm support
    groups": when a group is oversubscribed, a waiting list or signposting elsewhere). Where the
    group's plan is to signpost instead of keeping a waiting list, nobody's name is kept: only
    when, and where to. For someone on the waiting list, it is part of their record."""

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="signpostings")
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signpostings",
        help_text="Someone on the waiting list, signposted while they wait; none for someone not added.",
    )
    signposted_on = models.DateField("Date")
    where_to = models.CharField(
        "Where to",
        max_length=200,
        validators=[validate_single_line],
        help_text="The service or organisation, such as a helpline or another group. Never the name of anyone "
        "there or anyone else they support.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-signposted_on", "-pk"]

    def __str__(self):
        return f"Signposted to {self.where_to} on {self.signposted_on:%-d %B %Y}"

    def clean(self):
        errors = {}
        if self.signposted_on and self.signposted_on > timezone.localdate():
            errors["signposted_on"] = "Record signposting once it has happened, not before."
        named = self.group.member_names_in(self.where_to)
        if named:
            errors["where_to"] = names_refusal(named, "Say only where they were pointed to")
        if errors:
            raise ValidationError(errors)


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
