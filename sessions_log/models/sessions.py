from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from groups.models import SupportGroup
from groups_site.validators import validate_single_line

from .members import Member


def attendance_percentage(attended: int, marked: int) -> int | None:
    """Attended marks as a whole percentage of all marks; None when nothing has been marked."""
    return round(100 * attended / marked) if marked else None


class GroupSessionQuerySet(models.QuerySet):
    def held(self):
        return self.filter(HELD)

    def with_register(self):
        """Held sessions whose register has been taken: the ones attendance is counted from."""
        return self.filter(HELD_WITH_REGISTER)

    def with_register_counts(self):
        """Each session with how many were marked and how many attended (`marked_count`,
        `attended_count`), for charts and rates. They are kept on the session by the services that
        change a register (sessions_log.counters), so reading them counts nothing; marks of members
        whose records were erased still count, as numbers kept on the session."""
        return self

    def with_register_recount(self):
        """The same numbers counted afresh from the marks (`recounted_marked`, `recounted_attended`):
        what the kept ones must always equal (sessions_log.counters)."""
        attended = Q(attendance__status__in=Attendance.ATTENDED)
        return self.annotate(
            recounted_marked=Count("attendance") + F("erased_marked_count"),
            recounted_attended=Count("attendance", filter=attended) + F("erased_attended_count"),
        )

    def newest_first(self):
        """Meta.ordering, said again: Django leaves it out of queries that count (GROUP BY)."""
        return self.order_by("-date", "-starts_at")

    def run_alone(self):
        """Held sessions with fewer than two facilitators present (GroupSession.was_run_alone)."""
        return (
            self.held()
            .annotate(facilitator_count=Count("facilitators_present"))
            .filter(facilitator_count__lt=GroupSession.FACILITATORS_NEEDED)
        )

    def at_the_time_of(self, session):
        """Another session of the same group at the same date and start time: a group meets once
        at a time, so this is the session already recorded then (the database holds this too)."""
        return self.filter(group_id=session.group_id, date=session.date, starts_at=session.starts_at).exclude(
            pk=session.pk
        )

    def missing_register(self):
        """Held sessions nobody has taken the register for yet."""
        return self.filter(HELD_WITHOUT_REGISTER)

    def totals(self) -> dict:
        """How many of these sessions were recorded, held, held with and without a register, and
        across those registers how many places were marked and attended, in one query."""
        return self.with_register_counts().aggregate(
            recorded=Count("pk"),
            held=Count("pk", filter=HELD),
            with_register=Count("pk", filter=HELD_WITH_REGISTER),
            missing_register=Count("pk", filter=HELD_WITHOUT_REGISTER),
            marked=Coalesce(Sum("marked_count", filter=HELD_WITH_REGISTER), 0),
            attended=Coalesce(Sum("attended_count", filter=HELD_WITH_REGISTER), 0),
        )


class GroupSession(models.Model):
    """One meeting of a group, recorded after it happened (or did not)."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

    class Outcome(models.TextChoices):
        HELD = "held", "Held"
        DID_NOT_RUN = "did_not_run", "Did not run"

    class NotRunReason(models.TextChoices):
        HOLIDAY = "holiday", "Holiday"
        FACILITATOR_ABSENT = "facilitator_absent", "Facilitator absent"
        VENUE = "venue", "Venue not available"
        GROUP_PAUSED = "group_paused", "The group is paused"
        OTHER = "other", "Other"

    # The guidance asks for a co-facilitator (GW-6), so that one can stay with a member who
    # becomes very distressed (LS-Q12) while the other carries on with the group.
    FACILITATORS_NEEDED = 2

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    format = models.CharField(max_length=20, choices=Format, default=Format.IN_PERSON)
    facilitators_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sessions_facilitated"
    )
    outcome = models.CharField(max_length=20, choices=Outcome, default=Outcome.HELD)
    not_run_reason = models.CharField("Why it did not run", max_length=30, choices=NotRunReason, blank=True)
    offered_instead = models.TextField(
        "What members were offered instead",
        max_length=1_000,
        blank=True,
        help_text="For example a phone check-in or the online space. Say how members were told.",
    )
    register_taken_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Counts saves of the register (0: never taken), so that of two people taking it at once the
    # second is told and shown both, instead of overwriting the first (services.save_register).
    register_version = models.PositiveIntegerField(default=0, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # When a member's records are erased (on request, or after the retention period) their marks
    # go, but the session's attendance numbers must not change: these keep them, as numbers only.
    erased_marked_count = models.PositiveIntegerField("Marks of erased members", default=0, editable=False)
    erased_attended_count = models.PositiveIntegerField("Erased members who attended", default=0, editable=False)
    # The register's totals, erased members' marks included: kept up to date by the services that
    # change marks (sessions_log.counters), so pages and rates read them instead of counting marks.
    marked_count = models.PositiveIntegerField("Marked on the register", default=0, editable=False)
    attended_count = models.PositiveIntegerField("Attended", default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupSessionQuerySet.as_manager()
    # The totals are worked out from the marks, whose own history says who changed what.
    history = HistoricalRecords(excluded_fields=["marked_count", "attended_count"])

    class Meta:
        ordering = ["-date", "-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "date", "starts_at"], name="one_session_per_group_and_time"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(
                condition=Q(outcome="held", not_run_reason="") | Q(outcome="did_not_run") & ~Q(not_run_reason=""),
                name="not_run_reason_only_when_not_run",
            ),
            models.CheckConstraint(
                condition=Q(erased_attended_count__lte=F("erased_marked_count")),
                name="erased_attended_within_erased_marked",
            ),
            models.CheckConstraint(condition=Q(attended_count__lte=F("marked_count")), name="attended_within_marked"),
        ]
        indexes = [models.Index(fields=["group", "-date"], name="session_group_date")]

    def __str__(self):
        return f"{self.group} on {self.date:%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("sessions_log:session", kwargs={"pk": self.group_id, "session_pk": self.pk})

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The session must end after it starts."
        if self.outcome == self.Outcome.HELD:
            if self.date and self.date > timezone.localdate():
                errors["date"] = "A session cannot be recorded as held on a date still to come."
            if self.not_run_reason:
                errors["not_run_reason"] = "Only give a reason when the session did not run."
        elif not self.not_run_reason:
            errors["not_run_reason"] = "Say why the session did not run."
        if errors:
            raise ValidationError(errors)

    def date_refusal(self) -> str | None:
        """Why the session cannot be on its date, or None when it can: a group holds no session
        before the day it launched, and a held session is not dated before the first of its
        members joined (while nobody is recorded yet, the members page comes later)."""
        if self.date is None:
            return None  # a missing date is the field's own error
        group = self.group
        if group.launched_at and self.date < timezone.localdate(group.launched_at):
            launched = date_format(timezone.localdate(group.launched_at), "j F Y")
            return f"The group launched on {launched}, so it has no sessions before then."
        if self.was_held:
            first_joined = (
                Member.objects.filter(group_id=self.group_id)
                .exclude(status=Member.Status.WAITING_LIST)
                .aggregate(first=Min("joined_on"))["first"]
            )
            if first_joined and self.date < first_joined:
                return (
                    f"Nobody had joined the group by then: the first member joined on "
                    f"{date_format(first_joined, 'j F Y')}. Check the date, or correct when members joined."
                )
        return None

    @property
    def was_held(self):
        return self.outcome == self.Outcome.HELD

    @property
    def has_register(self):
        return self.register_taken_at is not None

    @property
    def was_run_alone(self) -> bool:
        """Held with fewer than two facilitators present (FACILITATORS_NEEDED): nobody to stay with
        a member in distress while the group carries on. Reads prefetched facilitators."""
        return self.was_held and len(self.facilitators_present.all()) < self.FACILITATORS_NEEDED


# Which sessions count where, as conditions: for filters, and for counts in one aggregate.
HELD = Q(outcome=GroupSession.Outcome.HELD)
HELD_WITH_REGISTER = HELD & Q(register_taken_at__isnull=False)
HELD_WITHOUT_REGISTER = HELD & Q(register_taken_at__isnull=True)


class Attendance(models.Model):
    """One member's mark in one session's register. Every change is kept (history)."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        LEFT_EARLY = "left_early", "Left early"
        APOLOGIES = "apologies", "Sent apologies"
        ABSENT = "absent", "Absent without notice"

    ATTENDED = (Status.PRESENT, Status.LATE, Status.LEFT_EARLY)

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=20, choices=Status, default=Status.PRESENT)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["member__display_name"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="one_mark_per_member_per_session")]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()}"

    @property
    def attended(self):
        return self.status in self.ATTENDED


NEEDS_CONTACT_HELP = "Such as a message or a phone call, rather than a word at the next session."


class AbsencePolicy(models.Model):
    """What a group does when a member misses sessions in a row (LifeSIGNS LS-Q16)."""

    class Assignee(models.TextChoices):
        LEAD_FACILITATOR = "lead_facilitator", "The lead facilitator"
        COORDINATOR = "coordinator", "A coordinator"

    group = models.OneToOneField(SupportGroup, on_delete=models.CASCADE, related_name="absence_policy")
    after_one_miss = models.CharField(
        max_length=200, validators=[validate_single_line], default="Send a friendly message to say they were missed."
    )
    after_one_miss_assignee = models.CharField(max_length=20, choices=Assignee, default=Assignee.LEAD_FACILITATOR)
    after_two_misses = models.CharField(
        max_length=200, validators=[validate_single_line], default="Phone to check in and ask how they are."
    )
    after_two_misses_assignee = models.CharField(max_length=20, choices=Assignee, default=Assignee.LEAD_FACILITATOR)
    after_three_misses = models.CharField(
        max_length=200,
        validators=[validate_single_line],
        default="Talk with them (or their referrer) about whether the group still suits them.",
    )
    after_three_misses_assignee = models.CharField(max_length=20, choices=Assignee, default=Assignee.COORDINATOR)
    # Whether each step means reaching the member between sessions (a message, a call): then a
    # follow-up says so when the team holds no way to reach them.
    after_one_miss_needs_contact = models.BooleanField(
        "This step needs a way to contact them", default=True, help_text=NEEDS_CONTACT_HELP
    )
    after_two_misses_needs_contact = models.BooleanField(
        "This step needs a way to contact them", default=True, help_text=NEEDS_CONTACT_HELP
    )
    after_three_misses_needs_contact = models.BooleanField(
        "This step needs a way to contact them", default=True, help_text=NEEDS_CONTACT_HELP
    )
    apologies_count_as_missed = models.BooleanField(
        "Sessions missed with apologies count towards follow-up",
        default=False,
        help_text="If not, a session missed with apologies neither adds to nor breaks a run of missed sessions.",
    )
    days_to_follow_up = models.PositiveSmallIntegerField(
        default=3, help_text="Follow-ups are due this many days after the missed session is recorded."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "absence policies"

    def __str__(self):
        return f"Absence policy for {self.group}"

    def step_for(self, consecutive_misses: int) -> tuple[str, str, bool]:
        """The action, who does it and whether it needs a way to contact the member, for a run of
        missed sessions (3 or more share a step)."""
        if consecutive_misses <= 1:
            return self.after_one_miss, self.after_one_miss_assignee, self.after_one_miss_needs_contact
        if consecutive_misses == 2:
            return self.after_two_misses, self.after_two_misses_assignee, self.after_two_misses_needs_contact
        return self.after_three_misses, self.after_three_misses_assignee, self.after_three_misses_needs_contact

    def counts_as_missed(self, status) -> bool | None:
        """True for a miss, False for attendance, None for a mark that neither adds to nor breaks a run."""
        if status in Attendance.ATTENDED:
            return False
        if status == Attendance.Status.APOLOGIES and not self.apologies_count_as_missed:
            return None
        return True


class FollowUpQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def due_by(self, today):
        """Open and due today or before (as FollowUp.is_due_by): their person is reminded."""
        return self.open().filter(due_on__lte=today)


class FollowUp(models.Model):
    """Someone to contact: because a member has missed sessions, to check in with them after a
    safeguarding concern or a risk to life (concerns.services.raise_concern), or to check in with
    them some weeks after they left (the group's exit strategy says how many)."""

    class Kind(models.TextChoices):
        MISSED_SESSIONS = "missed_sessions", "Missed sessions"
        AFTER_CONCERN = "after_concern", "Check-in after a concern"
        CHECK_IN = "check_in", "Check-in after leaving"

    class Outcome(models.TextChoices):
        CONTACTED = "contacted", "Contacted"
        NO_RESPONSE = "no_response", "No response"
        MEMBER_LEFT = "member_left", "Member has left"
        OTHER = "other", "Other"

    # What a check-in asks of the coordinator (LifeSIGNS: support carries on for a while after
    # someone moves on; "Running self-harm support groups": support that continues after leaving).
    CHECK_IN_ACTION = "Check in: ask how they are doing since leaving, and whether the support offered is helping."

    kind = models.CharField(max_length=20, choices=Kind, default=Kind.MISSED_SESSIONS, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="follow_ups")
    # Missed sessions only: the session missed last, and how many in a row.
    session = models.ForeignKey(
        GroupSession,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        help_text="The session that was missed (none for a check-in).",
    )
    consecutive_misses = models.PositiveSmallIntegerField(default=0)
    action = models.CharField(max_length=200)
    # Copied from the step when it was raised: a message or a call needs a way to reach them.
    needs_contact = models.BooleanField(default=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome, blank=True)
    note = models.TextField(max_length=2_000, blank=True)

    objects = FollowUpQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "session"], name="one_follow_up_per_missed_session"),
            models.UniqueConstraint(fields=["member"], condition=Q(kind="check_in"), name="one_check_in_per_member"),
            # A missed-session follow-up names the session; a check-in after leaving names none.
            models.CheckConstraint(
                condition=~Q(kind="missed_sessions") | Q(session__isnull=False, consecutive_misses__gte=1),
                name="missed_sessions_follow_up_names_the_session",
            ),
            models.CheckConstraint(
                condition=~Q(kind="check_in") | Q(session__isnull=True, consecutive_misses=0),
                name="check_in_follow_up_names_no_session",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, outcome="") | Q(closed_at__isnull=False) & ~Q(outcome=""),
                name="closed_follow_up_has_outcome",
            ),
        ]
        indexes = [models.Index(fields=["assignee", "closed_at"], name="followup_assignee_open")]

    def __str__(self):
        if self.is_for_missed_sessions:
            return f"Follow up {self.member} ({self.consecutive_misses} missed)"
        if self.is_check_in:
            return f"Check in with {self.member} after leaving"
        return f"Follow up {self.member} ({self.get_kind_display().lower()})"

    @property
    def is_for_missed_sessions(self) -> bool:
        return self.kind == self.Kind.MISSED_SESSIONS

    @property
    def is_check_in(self) -> bool:
        return self.kind == self.Kind.CHECK_IN

    @property
    def lacks_contact(self) -> bool:
        """The step needs a way to reach the member, and the team holds none: the follow-up says so."""
        return self.needs_contact and not self.member.has_contact

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def is_overdue(self):
        return self.is_open and self.due_on < timezone.localdate()

    def is_due_by(self, today) -> bool:
        """Open and due today or before (as FollowUp.objects.due_by)."""
        return self.is_open and self.due_on <= today
