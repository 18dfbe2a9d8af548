import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import classproperty
from simple_history.models import HistoricalRecords

from groups_site.validators import validate_single_line

from ..wording import name_problem, placeholder_problem


class InvalidStatusTransition(Exception):
    """Raised when a group is asked to move to a status it cannot reach from where it is."""


@dataclass(frozen=True)
class StatusMove:
    """One move a group's status may make (SupportGroup.ALLOWED_TRANSITIONS): its name in the URL
    of the button that makes it, the button's words, and the reason the change history gives."""

    action: str
    label: str
    reason: str
    to_status: str
    # Not a plain status button: launching and resuming go through the launch gate
    # (groups.planning.launch_group), closing through its confirmation (groups.closing.close_group).
    has_own_gate: bool = False

    @property
    def is_final(self) -> bool:
        """Whether the group can never move on from where this move takes it (closing)."""
        return not SupportGroup.ALLOWED_TRANSITIONS[self.to_status]


class SupportGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Groups a person can see: those where they hold a role (superusers see all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(pk__in=GroupRole.objects.filter(user=user).values("group_id"))

    # Groups by the roles a person holds in them themselves. An administrator's oversight of every
    # group is not a role: these are what the person's own dashboard lists.
    def holding(self, user, roles):
        """Groups where the person holds any of these roles."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=GroupRole.objects.filter(user=user, role__in=roles).values("group_id"))

    def run_by(self, user):
        """Groups the person coordinates or facilitates: those whose members' names they see."""
        return self.holding(user, GroupRole.Role.RUNNING)

    def with_roles_of(self, user):
        """The groups where the person holds a role, each marked with what they do in it, in the
        same query: `coordinates`, `facilitates` (leads or co-facilitates), `supervises`."""
        Role = GroupRole.Role
        held = GroupRole.objects.filter(group=OuterRef("pk"), user=user)
        return self.holding(user, Role.EVERYONE).annotate(
            coordinates=Exists(held.filter(role=Role.COORDINATOR)),
            facilitates=Exists(held.filter(role__in=Role.FACILITATING)),
            supervises=Exists(held.filter(role__in=Role.SUPERVISING)),
        )

    # Groups where a person may do something: as holds_role answers it, superusers everywhere.
    def where_holds_role(self, user, roles):
        """Groups where holds_role(user, group, *roles) is true: those where the person holds one
        of the roles, and every group for a superuser."""
        if user.is_authenticated and user.is_superuser:
            return self.all()
        return self.holding(user, roles)

    def reviewed_by(self, user):
        """Groups whose debriefs this person signs off (sessions_log.permissions.can_review_debrief):
        those they supervise, and every group for a superuser."""
        return self.where_holds_role(user, GroupRole.Role.SUPERVISING)

    def reported_on_by(self, user):
        """Groups whose funder report this person may see (reports.permissions.can_see_funder_report)."""
        return self.where_holds_role(user, GroupRole.Role.REPORTING)

    def running(self):
        """Groups holding sessions now: active ones."""
        return self.filter(status=SupportGroup.Status.ACTIVE)

    def with_documents(self):
        """Each group with its three plan documents (or None), in the same query: what a list of
        groups needs before groups.answers.load_plans reads the rest of their plans at once."""
        return self.select_related("risk_assessment", "exit_strategy", "support_plan")

    def with_plan(self):
        """Everything the plan page and the launch gate read, in a fixed number of queries."""
        from .plan import ChecklistAnswer  # plan.py imports this module

        return self.with_documents().prefetch_related(
            Prefetch("roles", queryset=GroupRole.objects.select_related("user")),
            Prefetch("checklist_answers", queryset=ChecklistAnswer.objects.select_related("updated_by")),
            "aims",
            "rules",
            "risk_assessment__risks",
        )


class SupportGroup(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", "In planning"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    class Leadership(models.TextChoices):
        USER_LED = "user_led", "Led by members (user-led)"
        EXPERT_LED = "expert_led", "Led by professionals (expert-led)"
        CO_LED = "co_led", "Led jointly by members and professionals"

    class Referral(models.TextChoices):
        SELF = "self", "People refer themselves"
        PROFESSIONAL = "professional", "A professional refers them"
        BOTH = "both", "Either"

    class Format(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        ONLINE = "online", "Online"
        HYBRID = "hybrid", "Both face to face and online"

    class Audience(models.TextChoices):
        SELF_HARM_ONLY = "self_harm_only", "People who self-harm only"
        WITH_SUPPORTERS = "with_supporters", "People who self-harm, and friends and supporters"

    class Gender(models.TextChoices):
        ANY = "any", "Any gender"
        WOMEN = "women", "Women only"
        MEN = "men", "Men only"
        OTHER = "other", "Other (describe in eligibility notes)"

    class WhenFull(models.TextChoices):
        WAITING_LIST = "waiting_list", "Offer a place on a waiting list"
        SIGNPOST = "signpost", "Signpost to other support"
        BOTH = "both", "Waiting list, and signpost meanwhile"

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        TWICE_WEEKLY = "twice_weekly", "Twice a week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Monthly"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    class NameRecording(models.TextChoices):
        NICKNAME = "nickname", "Nicknames only"
        FIRST_NAME = "first_name", "First names only"
        FULL_NAME = "full_name", "Full names"

    # Every move a group's status may make, from each status, with what it is called. Closed is
    # final. The services check moves against this table and word their refusals from it; the
    # plan page's buttons and the status tags' colours come from it too.
    ALLOWED_TRANSITIONS = {
        Status.PLANNING: {
            Status.ACTIVE: StatusMove("launch", "Launch the group", "Launched", Status.ACTIVE, has_own_gate=True),
            Status.CLOSED: StatusMove("close", "Close the group for good", "Closed", Status.CLOSED, has_own_gate=True),
        },
        Status.ACTIVE: {
            Status.PAUSED: StatusMove("pause", "Pause the group", "Paused", Status.PAUSED),
            Status.CLOSED: StatusMove("close", "Close the group for good", "Closed", Status.CLOSED, has_own_gate=True),
        },
        Status.PAUSED: {
            Status.ACTIVE: StatusMove("resume", "Resume the group", "Resumed", Status.ACTIVE, has_own_gate=True),
            Status.CLOSED: StatusMove("close", "Close the group for good", "Closed", Status.CLOSED, has_own_gate=True),
        },
        Status.CLOSED: {},
    }

    # Details a coordinator writes in words rather than picks: some of the checklist's questions
    # take their answers from them (groups.checklist, answered_by).
    WRITTEN_DETAILS = ("purpose", "why_group_work", "leadership_support", "venue", "room_notes", "online_opening_hours")
    # Details that may stay empty even when a checklist question takes its answer from them.
    OPTIONAL_DETAILS = frozenset({"maximum_age", "eligibility_notes"})

    name = models.CharField(max_length=120, validators=[validate_single_line])
    purpose = models.TextField(max_length=1_000, help_text="What the group is for, in a sentence or two.")
    why_group_work = models.TextField(
        "Why a group",
        max_length=2_000,
        help_text="Why group work suits these people. Recovery and mutual support are good reasons; "
        "saving time or money is not.",
    )
    leadership = models.CharField(max_length=20, choices=Leadership, default=Leadership.EXPERT_LED)
    leadership_support = models.TextField(
        "Support that goes with this leadership",
        max_length=2_000,
        blank=True,
        help_text="If members lead: the extra support they have. If professionals lead: how members "
        "share in running the group.",
    )
    referral_route = models.CharField(max_length=20, choices=Referral, default=Referral.BOTH)
    format = models.CharField(max_length=20, choices=Format, default=Format.FACE_TO_FACE)
    online_opening_hours = models.CharField(
        "Moderated opening hours online",
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="For online parts: when they are open and moderated, e.g. \u201cTuesdays 7\u20139pm\u201d.",
    )
    audience = models.CharField("Who can come", max_length=20, choices=Audience, default=Audience.SELF_HARM_ONLY)
    minimum_age = models.PositiveSmallIntegerField(default=18, validators=[MaxValueValidator(120)])
    maximum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(120)], help_text="Leave empty for no upper limit."
    )
    gender_eligibility = models.CharField(max_length=20, choices=Gender, default=Gender.ANY)
    eligibility_notes = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    maximum_size = models.PositiveSmallIntegerField(
        "Largest size", default=10, validators=[MinValueValidator(2), MaxValueValidator(50)]
    )
    when_full = models.CharField(
        "When the group is full", max_length=20, choices=WhenFull, default=WhenFull.WAITING_LIST
    )
    venue = models.CharField(
        max_length=200, blank=True, validators=[validate_single_line], help_text="Where face-to-face sessions happen."
    )
    room_notes = models.TextField(
        "About the room",
        max_length=1_000,
        blank=True,
        help_text="Comfortable seating in a circle, tea and coffee, a quiet space nearby.",
    )
    meeting_frequency = models.CharField(max_length=20, choices=Frequency, default=Frequency.WEEKLY)
    meeting_weekday = models.PositiveSmallIntegerField(choices=Weekday, default=Weekday.TUESDAY)
    meeting_start = models.TimeField(default=datetime.time(18, 30))
    meeting_end = models.TimeField(default=datetime.time(20, 0))
    member_names = models.CharField(
        "How members' names are recorded", max_length=20, choices=NameRecording, default=NameRecording.FIRST_NAME
    )
    retention_months = models.PositiveSmallIntegerField(
        "Months records are kept",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long members' records are kept after they leave or the group closes.",
    )
    # Two separate decisions (SR-6): members keeping in touch with each other between meetings
    # (SS-2), and the organisation holding a way to reach each member (LS-Q16).
    allows_contact_between_sessions = models.BooleanField(
        "Members may contact each other between sessions",
        default=False,
        help_text="Whether members may text or call each other between meetings. This says nothing about "
        "the team holding their contact details.",
    )
    holds_contact_details = models.BooleanField(
        "The team may hold a contact detail for each member",
        default=False,
        help_text="One phone number or email address per member, kept only with their consent, to follow up "
        "missed sessions and concerns and to check in after they leave.",
    )
    aims_review_months = models.PositiveSmallIntegerField(
        "Months between reviews of the aims",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Months between reviews of where the group stands against each aim, once it has launched.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.PLANNING, editable=False)
    # Counts saves of the details, so that of two people editing them at once the second is told
    # rather than silently overwriting the first (groups.services.save_group_details).
    version = models.PositiveIntegerField(default=1, editable=False)
    launched_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupportGroupQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        # Granted by an administrator of the organisation, in the admin (groups.permissions.may_supervise):
        # coordinators choose a group's supervisor only among these people.
        permissions = [("supervise_groups", "May be chosen to supervise a group")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planning", "active", "paused", "closed"]), name="group_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(maximum_age__isnull=True) | Q(maximum_age__gte=models.F("minimum_age")),
                name="group_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(meeting_end__gt=models.F("meeting_start")), name="group_meeting_times_ordered"
            ),
            models.CheckConstraint(condition=Q(retention_months__gte=1), name="group_retention_at_least_a_month"),
            # Only a launched group can be active or paused: the launch gate stamps launched_at.
            models.CheckConstraint(
                condition=Q(status="planning") | Q(status="closed") | Q(launched_at__isnull=False),
                name="group_running_only_after_launch",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("groups:plan", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.maximum_age is not None and self.maximum_age < self.minimum_age:
            errors["maximum_age"] = "The upper age limit must not be below the lower one."
        if self.meeting_start and self.meeting_end and self.meeting_end <= self.meeting_start:
            errors["meeting_end"] = "Sessions must end after they start."
        if self.format in (self.Format.ONLINE, self.Format.HYBRID) and not self.online_opening_hours:
            errors["online_opening_hours"] = "Say when the online part is open and moderated."
        # Details the checklist takes its answers from must say something once written (SR-1).
        for field in self.WRITTEN_DETAILS:
            if field not in errors and getattr(self, field).strip():
                problem = self.detail_problem(field)
                if problem:
                    errors[field] = problem
        if errors:
            raise ValidationError(errors)

    def detail_is_needed(self, field: str) -> bool:
        """Whether a detail must be given for the plan to be complete: the room only for groups
        that meet face to face, the online opening hours only for groups that meet online."""
        if field in ("venue", "room_notes"):
            return self.format != self.Format.ONLINE
        if field == "online_opening_hours":
            return self.format != self.Format.FACE_TO_FACE
        return field not in self.OPTIONAL_DETAILS

    def detail_problem(self, field: str) -> str | None:
        """What is wrong with one of the group's details, or None: a needed one left empty, or a
        written one that says nothing (a placeholder in a paragraph, a stock non-answer in a name)."""
        value = getattr(self, field)
        if value is None or (isinstance(value, str) and not value.strip()):
            return "Not given yet." if self.detail_is_needed(field) else None
        if field not in self.WRITTEN_DETAILS:
            return None
        if isinstance(self._meta.get_field(field), models.TextField):
            return placeholder_problem(value)
        return name_problem(value)

    def risk_review_is_overdue(self, today=None) -> bool:
        """A running group whose risk assessment was due for review before today: its pages say
        so until someone reviews it (RiskAssessment.objects.review_overdue, for many)."""
        assessment = self.risk_assessment_or_none
        return self.is_running and assessment is not None and assessment.review_overdue(today)

    @property
    def is_planning(self):
        return self.status == self.Status.PLANNING

    @property
    def is_running(self) -> bool:
        """Active: holding sessions (not in planning, paused or closed)."""
        return self.status == self.Status.ACTIVE

    @property
    def is_paused(self) -> bool:
        """Paused: launched, not meeting for now, and not closed."""
        return self.status == self.Status.PAUSED

    @property
    def is_closed(self) -> bool:
        """Closed for good: no move leads out of its status."""
        return not self.ALLOWED_TRANSITIONS[self.status]

    @property
    def status_tone(self) -> str:
        """The colour that repeats the status tag's words: dark for a group closed for good,
        green for one running, amber for one waiting to run (in planning, or paused)."""
        if self.is_closed:
            return "dark"
        return "success" if self.is_running else "warning"

    @property
    def status_moves(self) -> list[StatusMove]:
        """The moves open to the group now, launching included."""
        return list(self.ALLOWED_TRANSITIONS[self.status].values())

    def can_move_to(self, status) -> bool:
        return status in self.ALLOWED_TRANSITIONS[self.status]

    def move_refusal(self, status, *, action: str | None = None) -> str | None:
        """Why the group cannot move to `status` (by the move named `action`, when given), or None
        when it can."""
        move = self.ALLOWED_TRANSITIONS[self.status].get(status)
        if move is not None and action in (None, move.action):
            return None
        return (
            f"A group that is {self.get_status_display().lower()} cannot become "
            f"{self.Status(status).label.lower()}{' this way' if action else ''}."
        )

    def move_to(self, status, *, action: str | None = None) -> StatusMove:
        """Change status if the move is allowed; the caller saves. Use the services, not this."""
        refusal = self.move_refusal(status, action=action)
        if refusal:
            raise InvalidStatusTransition(refusal)
        move = self.ALLOWED_TRANSITIONS[self.status][status]
        if status == self.Status.CLOSED:
            self.closed_at = timezone.now()
        self.status = status
        return move

    # Roles. These read self.roles.all(), so a queryset with with_plan() answers without queries.
    def roles_of(self, user) -> set[str]:
        return {role.role for role in self.roles.all() if role.user_id == user.pk}

    def users_with_role(self, *roles) -> list:
        return [role.user for role in self.roles.all() if role.role in roles]

    @property
    def coordinators(self):
        return self.users_with_role(GroupRole.Role.COORDINATOR)

    @property
    def facilitators(self):
        return self.users_with_role(*GroupRole.Role.FACILITATING)

    @property
    def supervisors(self) -> list:
        return self.users_with_role(GroupRole.Role.SUPERVISOR)

    @property
    def supervisor(self):
        supervisors = self.supervisors
        return supervisors[0] if supervisors else None

    @property
    def supervisor_who_facilitates(self):
        """The supervisor, if they also facilitate the group: nobody reviews their own debrief,
        so theirs can only be signed off by an administrator of the organisation."""
        supervisor = self.supervisor
        return supervisor if supervisor is not None and supervisor in self.facilitators else None

    # The plan documents, or None while they have not been started.
    def _document(self, name):
        try:
            return getattr(self, name)
        except ObjectDoesNotExist:
            return None

    @property
    def risk_assessment_or_none(self):
        return self._document("risk_assessment")

    @property
    def exit_strategy_or_none(self):
        return self._document("exit_strategy")

    @property
    def support_plan_or_none(self):
        return self._document("support_plan")

    def answers_by_key(self) -> dict:
        return {answer.item_key: answer for answer in self.checklist_answers.all()}

    def members_with_contact_details(self):
        """The members the team holds a contact detail, or a record of consent to one, for."""
        return self.members.exclude(contact_details="", contact_consent_on=None, contact_consent_how="")

    def member_names_in(self, text: str) -> list[str]:
        """The names the group's members are, or ever were, recorded under that the text contains,
        as whole words in any letter case: for text that must name nobody in the group (an aims
        review, where someone was signposted)."""
        text = _plain_apostrophes(text)
        if not text.strip():
            return []
        members = self.members.model  # sessions_log's Member: that app builds on this one
        recorded = (
            members.objects.filter(group_id=self.pk)
            .order_by()
            .values_list("display_name", flat=True)
            .union(members.history.filter(group_id=self.pk).order_by().values_list("display_name", flat=True))
        )
        names = sorted({" ".join(_plain_apostrophes(name).split()) for name in recorded if name.strip()})
        return [
            name
            for name in names
            if re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)", text, re.IGNORECASE)
        ]


def _plain_apostrophes(text: str) -> str:
    # Phones type a curly apostrophe where a keyboard types a straight one.
    return (text or "").replace("\u2019", "'")


def names_refusal(names: list[str], instead: str) -> str:
    """What a form says when text that must name nobody names members of the group."""
    listed = ", ".join(f"\u201c{name}\u201d" for name in names)
    return (
        f"This names {'a member' if len(names) == 1 else 'members'} of the group ({listed}). {instead}, without names."
    )


class GroupRole(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"
        LEAD_FACILITATOR = "lead_facilitator", "Lead facilitator"
        CO_FACILITATOR = "co_facilitator", "Co-facilitator"
        SUPERVISOR = "supervisor", "Supervisor"

        # The role sets every permission is written with (groups.permissions.holds_role), so
        # that "who runs the group" is said once. Properties, because an enum's body cannot
        # name its own members.
        @classproperty
        def FACILITATING(cls) -> frozenset:
            """The people who run the sessions: lead and co-facilitators."""
            return frozenset({cls.LEAD_FACILITATOR, cls.CO_FACILITATOR})

        @classproperty
        def RUNNING(cls) -> frozenset:
            """The people who run the group: its coordinators and facilitators."""
            return frozenset({cls.COORDINATOR, *cls.FACILITATING})

        @classproperty
        def SUPERVISING(cls) -> frozenset:
            return frozenset({cls.SUPERVISOR})

        @classproperty
        def REPORTING(cls) -> frozenset:
            """The people who answer for how the group runs, to funders: coordinators and supervisors."""
            return frozenset({cls.COORDINATOR, cls.SUPERVISOR})

        @classproperty
        def EVERYONE(cls) -> frozenset:
            """Everyone on the team."""
            return frozenset(cls)

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_roles")
    role = models.CharField(max_length=20, choices=Role)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user", "role"], name="role_once_per_person_per_group"),
            models.UniqueConstraint(fields=["group"], condition=Q(role="supervisor"), name="one_supervisor_per_group"),
            # Separation of duties: nobody coordinates and supervises the same group, or a
            # coordinator could read every debrief and review, and the change history that
            # oversees their own work. One row per (group, person) among the coordinating and
            # supervising rows: a partial unique index, which PostgreSQL and SQLite both enforce
            # (a CHECK constraint cannot look at other rows).
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(role__in=["coordinator", "supervisor"]),
                name="never_coordinator_and_supervisor_of_one_group",
            ),
        ]

    def __str__(self):
        return f"{self.user} \u2013 {self.get_role_display()} of {self.group}"
