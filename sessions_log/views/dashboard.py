"""The page people land on after signing in: what needs doing next, for each role they hold.

Every part is fetched for all of the person's groups at once, so the page costs the same few
queries whether they have one group or twenty.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Window
from django.db.models.functions import RowNumber
from django.shortcuts import render
from django.utils import timezone

from groups.models import SupportGroup
from groups.notices import SUPERVISOR_NOTICE_DAYS, supervisor_notices
from groups.permissions import can_create_group
from groups.planning import checklist_progress_of

from ..models import Debrief, FollowUp, GroupSession, MemberRequest, attendance_percentage
from ..schedule import upcoming_dates

UPCOMING_SESSIONS = 2
RECENT_SESSIONS = 8
QUEUE_PREVIEW = 5


@dataclass
class FacilitatedGroup:
    group: SupportGroup
    upcoming: list
    missing_registers: list = field(default_factory=list)
    missing_debriefs: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)

    @property
    def has_tasks(self):
        return bool(self.missing_registers or self.missing_debriefs or self.follow_ups)


@dataclass
class AttendanceRate:
    group: SupportGroup
    sessions: int = 0
    marked: int = 0
    attended: int = 0

    @property
    def percentage(self) -> int | None:
        return attendance_percentage(self.attended, self.marked)


def dashboard(request):
    user = request.user
    mine = list(SupportGroup.objects.with_roles_of(user).order_by("name", "pk"))
    facilitated = {group.pk: group for group in mine if group.facilitates and group.is_running}
    coordinated = [group for group in mine if group.coordinates]
    # Superusers sign off debriefs in every group, supervising one or not.
    reviews_debriefs = any(group.supervises for group in mine) or SupportGroup.objects.reviewed_by(user).exists()
    # Members' names are for the people who run a group (permissions.can_view_members), so
    # follow-ups are shown only for those groups.
    follow_ups = _open_follow_ups(user)

    context = {
        # Told at once when they become, or stop being, a group's supervisor (email follows).
        "supervisor_notices": supervisor_notices(user),
        "supervisor_notice_days": SUPERVISOR_NOTICE_DAYS,
        "facilitated": _facilitator_part(user, facilitated, follow_ups),
        "other_follow_ups": [follow_up for follow_up in follow_ups if follow_up.member.group_id not in facilitated],
        "planning": _planning_progress([group for group in coordinated if group.is_planning]),
        "attendance": _attendance_rates([group for group in coordinated if group.is_running]),
        "supervision": _supervisor_part(user) if reviews_debriefs else None,
        "recent_sessions": RECENT_SESSIONS,
        "review_due_days": Debrief.REVIEW_DUE_DAYS,
        "has_roles": bool(mine),
        "can_create_group": can_create_group(user),
    }
    return render(request, "sessions_log/dashboard.html", context)


def _open_follow_ups(user) -> list[FollowUp]:
    return list(
        FollowUp.objects.open()
        .filter(assignee=user, member__group__in=SupportGroup.objects.run_by(user))
        .select_related("member__group", "session")
        .order_by("due_on", "pk")
    )


def _facilitator_part(user, facilitated, follow_ups) -> list[FacilitatedGroup]:
    """For each active group the person facilitates: when it meets next, registers not yet
    taken, sessions they ran but have not debriefed, and follow-ups they were given."""
    if not facilitated:
        return []
    today = timezone.localdate()
    parts = {
        pk: FacilitatedGroup(group=group, upcoming=upcoming_dates(group, today, UPCOMING_SESSIONS))
        for pk, group in sorted(facilitated.items(), key=lambda item: (item[1].name, item[0]))
    }
    for session in GroupSession.objects.missing_register().filter(group_id__in=parts).order_by("date", "starts_at"):
        parts[session.group_id].missing_registers.append(session)

    # The same question as permissions.can_write_debrief, asked of every session at once:
    # held, this person was present, and they have not written their debrief yet.
    own_debrief = Debrief.objects.filter(session=OuterRef("pk"), author=user)
    awaiting_debrief = (
        GroupSession.objects.held()
        .filter(group_id__in=parts, facilitators_present=user)
        .exclude(Exists(own_debrief))
        .order_by("date", "starts_at")
    )
    for session in awaiting_debrief:
        parts[session.group_id].missing_debriefs.append(session)

    for follow_up in follow_ups:
        if follow_up.member.group_id in parts:
            parts[follow_up.member.group_id].follow_ups.append(follow_up)
    return list(parts.values())


def _planning_progress(groups) -> list[dict]:
    """Groups still being planned, with how many checklist sections are completed."""
    progress = checklist_progress_of(groups)
    return [
        {
            "group": group,
            "done": sum(section.is_complete for section in progress[group.pk]),
            "total": len(progress[group.pk]),
        }
        for group in groups
    ]


def _attendance_rates(groups) -> list[AttendanceRate]:
    """Attended marks out of all marks, over each group's last eight held sessions with a register."""
    if not groups:
        return []
    rates = {group.pk: AttendanceRate(group=group) for group in groups}
    # Pick each group's last eight sessions first, then count marks for those alone: counting
    # first would count every mark the groups ever had (about 25 ms at 300,000 marks, against 5).
    last_eight = (
        GroupSession.objects.with_register()
        .filter(group_id__in=rates)
        .annotate(
            recency=Window(RowNumber(), partition_by=F("group_id"), order_by=[F("date").desc(), F("starts_at").desc()])
        )
        .filter(recency__lte=RECENT_SESSIONS)
        .values_list("pk", flat=True)
    )
    recent = (
        # The group filter again lets PostgreSQL use the group index here as well, instead of
        # reading the whole sessions table (1.6 ms of 4.4 at the benchmark's scale).
        GroupSession.objects.filter(group_id__in=rates, pk__in=last_eight)
        .with_register_counts()
        .values("group_id", "marked_count", "attended_count")
    )
    for session in recent:
        rate = rates[session["group_id"]]
        rate.sessions += 1
        rate.marked += session["marked_count"]
        rate.attended += session["attended_count"]
    return list(rates.values())


def _supervisor_part(user) -> dict:
    waiting = Debrief.objects.awaiting_review_by(user)
    # Members' requests for which they answer for the debrief material (named on the page itself).
    requests = (
        MemberRequest.objects.open()
        .filter(member__group__in=SupportGroup.objects.reviewed_by(user))
        .select_related("member__group", "opened_by")
        .order_by("opened_at", "pk")
    )
    return {**waiting.waiting_counts(), "first": list(waiting[:QUEUE_PREVIEW]), "requests": list(requests)}
