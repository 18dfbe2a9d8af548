"""What needs each person now: the list the dashboard shows under "What needs you", and what
send_reminders reminds people of by email. One set of functions for both, so an email is only ever
a pointer to something the app shows too.

- A session to record: to each lead facilitator of an active group, a meeting of its pattern
  that ended two hours ago or more (in the last two weeks) with nothing recorded for that day.
- A follow-up due today or overdue: to the person it was given to, while they run the group.
- A debrief waiting past its review date (Debrief.review_due_on): to the group's supervisor,
  unless they wrote it.
- A risk assessment past its review date: to the group's coordinators (not once it has closed).

Each function asks about everyone at once (`person=None`, for send_reminders) or one person (the
dashboard), in one or two queries whatever the number of groups, and reads no member's name and
nothing anyone wrote: only ids, dates and group names.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupRole, RiskAssessment, SupportGroup
from sessions_log.models import Debrief, FollowUp, GroupSession
from sessions_log.schedule import meeting_dates

Role = GroupRole.Role

# A meeting needs recording once it has been over this long: time to get home first.
RECORDING_GRACE = datetime.timedelta(hours=2)
# How far back the dashboard looks for meetings with nothing recorded.
RECORDING_LOOK_BACK = datetime.timedelta(days=14)

SESSION_TO_RECORD = "session_to_record"
FOLLOW_UP_DUE = "follow_up_due"
DEBRIEF_REVIEW_OVERDUE = "debrief_review_overdue"
RISK_ASSESSMENT_REVIEW_DUE = "risk_assessment_review_due"
# The order the dashboard lists them in.
KIND_ORDER = (SESSION_TO_RECORD, FOLLOW_UP_DUE, DEBRIEF_REVIEW_OVERDUE, RISK_ASSESSMENT_REVIEW_DUE)


@dataclass(frozen=True)
class Need:
    """One thing that needs one person, in plain facts."""

    kind: str
    person_id: int
    group_id: int
    group_name: str
    # What it is about: the group (a meeting to record), or the follow-up, debrief or risk
    # assessment.
    subject_id: int
    # The meeting's date; the date the follow-up, or the debrief's review, was due; the risk
    # assessment's review date.
    on: datetime.date

    def summary(self, today: datetime.date) -> str:
        """What needs doing, in a sentence that names no member and repeats nothing written."""
        if self.kind == SESSION_TO_RECORD:
            return f"Record {_day(self.on)}\u2019s session of {self.group_name}."
        if self.kind == FOLLOW_UP_DUE:
            if self.on == today:
                return f"A follow-up after missed sessions in {self.group_name} is due today."
            return f"A follow-up after missed sessions in {self.group_name} was due on {_date(self.on)}."
        if self.kind == DEBRIEF_REVIEW_OVERDUE:
            return f"A debrief from {self.group_name} waits for your review: it was due on {_date(self.on)}."
        return f"The risk assessment of {self.group_name} was due for review on {_date(self.on)}."

    @property
    def url(self) -> str:
        """Where to do it, behind sign-in."""
        if self.kind == SESSION_TO_RECORD:
            path = reverse("sessions_log:session_create", kwargs={"pk": self.group_id})
            return f"{path}?date={self.on.isoformat()}"
        if self.kind == FOLLOW_UP_DUE:
            return reverse("sessions_log:members", kwargs={"pk": self.group_id})
        if self.kind == DEBRIEF_REVIEW_OVERDUE:
            return reverse("sessions_log:debrief", kwargs={"pk": self.group_id, "debrief_pk": self.subject_id})
        return reverse("groups:risk_assessment", kwargs={"pk": self.group_id})

    @property
    def link_text(self) -> str:
        return {
            SESSION_TO_RECORD: "Record the session",
            FOLLOW_UP_DUE: "Open the member list",
            DEBRIEF_REVIEW_OVERDUE: "Open the debrief",
        }.get(self.kind, "Open the risk assessment")


def _day(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _for(queryset, person, field):
    return queryset if person is None else queryset.filter(**{field: person.pk})


# Sessions to record ------------------------------------------------------------------------------


def recording_window(now: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The days whose meetings may still be waiting to be recorded: the last two weeks."""
    today = timezone.localdate(now)
    return today - RECORDING_LOOK_BACK, today


def unrecorded_meetings(group, *, recorded: set[datetime.date], now: datetime.datetime) -> list[datetime.date]:
    """The group's meetings in the recording window, since it launched, that ended RECORDING_GRACE
    ago or more, on a day nothing is recorded for (`recorded`: the dates of its sessions in the
    window). The rule for the reminders and the dashboard alike."""
    ended_by = now - RECORDING_GRACE
    return [
        day
        for day in meeting_dates(group, *recording_window(now))
        if group.launched_at and group.launched_at < _end_of(group, day) <= ended_by and day not in recorded
    ]


def _end_of(group, day) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, group.meeting_end))


def session_needs(group, *, person_id: int, recorded: set[datetime.date], now: datetime.datetime) -> list[Need]:
    return [
        Need(SESSION_TO_RECORD, person_id, group.pk, group.name, group.pk, day)
        for day in unrecorded_meetings(group, recorded=recorded, now=now)
    ]


def sessions_to_record(*, now: datetime.datetime, person=None) -> list[Need]:
    """Meetings to record (unrecorded_meetings) of active groups: one for each lead facilitator."""
    leads = list(
        _for(
            GroupRole.objects.filter(
                role=Role.LEAD_FACILITATOR, user__is_active=True, group__status=SupportGroup.Status.ACTIVE
            ),
            person,
            "user_id",
        )
        .select_related("group")
        .order_by("group__name", "group_id", "user_id")
    )
    if not leads:
        return []
    recorded = {}
    sessions = GroupSession.objects.filter(
        group_id__in={role.group_id for role in leads}, date__range=recording_window(now)
    )
    for group_id, day in sessions.order_by().values_list("group_id", "date"):
        recorded.setdefault(group_id, set()).add(day)
    return [
        need
        for role in leads
        for need in session_needs(
            role.group, person_id=role.user_id, recorded=recorded.get(role.group_id, set()), now=now
        )
    ]


# Follow-ups --------------------------------------------------------------------------------------


def follow_up_needs(follow_ups, *, today: datetime.date) -> list[Need]:
    """Of these open follow-ups (each with member__group loaded), those due today or before
    (FollowUp.is_due), as needs of the person each was given to."""
    return [
        Need(
            FOLLOW_UP_DUE,
            follow_up.assignee_id,
            follow_up.member.group_id,
            follow_up.member.group.name,
            follow_up.pk,
            follow_up.due_on,
        )
        for follow_up in follow_ups
        if follow_up.is_due_by(today)
    ]


def follow_ups_due(*, today: datetime.date, person=None) -> list[Need]:
    """Open follow-ups due today or before, for the person they were given to, in groups that
    person runs (whose members' names they see: the dashboard's open_follow_ups_of)."""
    runs_the_group = GroupRole.objects.filter(
        group_id=OuterRef("member__group_id"), user_id=OuterRef("assignee_id"), role__in=Role.RUNNING
    )
    follow_ups = (
        _for(FollowUp.objects.due_by(today), person, "assignee_id")
        .filter(assignee__is_active=True)
        .filter(Exists(runs_the_group))
        .select_related("member__group")
        # Ids, dates and the group's name: never the member's name or the note.
        .only("pk", "assignee_id", "due_on", "closed_at", "member__group_id", "member__group__name")
        .order_by("due_on", "pk")
    )
    return follow_up_needs(follow_ups, today=today)


# Debriefs to review ------------------------------------------------------------------------------


def debriefs_overdue(*, today: datetime.date, person=None) -> list[Need]:
    """Debriefs waiting for review past their due date (Debrief.objects.review_overdue), for the
    group's supervisor (never one they wrote themselves)."""
    supervisor = GroupRole.objects.filter(
        group_id=OuterRef("session__group_id"), role=Role.SUPERVISOR, user__is_active=True
    ).values("user_id")[:1]
    rows = (
        Debrief.objects.review_overdue(today)
        .annotate(supervisor_id=Subquery(supervisor))
        .exclude(supervisor_id=None)
        .exclude(author_id=F("supervisor_id"))
        .order_by("created_at", "pk")
        .values_list("pk", "supervisor_id", "session__group_id", "session__group__name", "created_at")
    )
    if person is not None:
        rows = rows.filter(supervisor_id=person.pk)
    return [
        Need(DEBRIEF_REVIEW_OVERDUE, supervisor_id, group, name, pk, Debrief(created_at=created_at).review_due_on)
        for pk, supervisor_id, group, name, created_at in rows
    ]


def overdue_debriefs_summary(count: int) -> str:
    """The dashboard's one line for the debriefs past their review date (the review queue lists them)."""
    if count == 1:
        return "A debrief waits for your review past its due date."
    return f"{count} debriefs wait for your review past their due date."


# Risk assessments --------------------------------------------------------------------------------


def risk_assessment_need(group, *, person_id: int, assessment_id: int, review_date: datetime.date) -> Need:
    return Need(RISK_ASSESSMENT_REVIEW_DUE, person_id, group.pk, group.name, assessment_id, review_date)


def risk_assessments_overdue(*, today: datetime.date, person=None) -> list[Need]:
    """Risk assessments past their review date (RiskAssessment.objects.review_overdue), for each
    coordinator of the group."""
    roles = (
        _for(
            GroupRole.objects.filter(
                role=Role.COORDINATOR,
                user__is_active=True,
                group__risk_assessment__in=RiskAssessment.objects.review_overdue(today),
            ),
            person,
            "user_id",
        )
        .select_related("group__risk_assessment")
        .only("user_id", "group__name", "group__risk_assessment__id", "group__risk_assessment__review_date")
        .order_by("group__risk_assessment__review_date", "group_id", "user_id")
    )
    return [
        risk_assessment_need(
            role.group,
            person_id=role.user_id,
            assessment_id=role.group.risk_assessment.pk,
            review_date=role.group.risk_assessment.review_date,
        )
        for role in roles
    ]


NEEDS_BY_KIND = {
    SESSION_TO_RECORD: lambda now, person: sessions_to_record(now=now, person=person),
    FOLLOW_UP_DUE: lambda now, person: follow_ups_due(today=timezone.localdate(now), person=person),
    DEBRIEF_REVIEW_OVERDUE: lambda now, person: debriefs_overdue(today=timezone.localdate(now), person=person),
    RISK_ASSESSMENT_REVIEW_DUE: lambda now, person: risk_assessments_overdue(
        today=timezone.localdate(now), person=person
    ),
}


def needs_of_kind(kind: str, *, now: datetime.datetime, person) -> list[Need]:
    """What needs `person` now of one kind: what a reminder checks again as it is sent."""
    return NEEDS_BY_KIND[kind](now, person)


def needs_now(*, now: datetime.datetime | None = None, person=None) -> list[Need]:
    """Everything that needs `person` (or, with None, everyone): sessions to record first, then
    follow-ups, debriefs and risk assessments, each oldest first."""
    now = now or timezone.now()
    return [
        need
        for kind in KIND_ORDER
        for need in sorted(needs_of_kind(kind, now=now, person=person), key=lambda need: (need.on, need.group_name))
    ]
