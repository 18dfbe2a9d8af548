"""The page people land on after signing in: what needs doing next, for each role they hold.

Every part is fetched for all of the person's groups at once, so the page costs the same few
queries whether they have one group or twenty.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern
from groups.models import AimReview, GroupRole, RiskAssessment, SupportGroup, aims_review_due_on
from groups.notices import SUPERVISOR_NOTICE_DAYS, supervisor_notices
from groups.permissions import can_create_group
from groups.planning import checklist_progress_of
from groups_site.links import row_links
from notifications import needs

from ..models import HELD, Debrief, FollowUp, GroupSession, MemberRequest, attendance_percentage
from ..schedule import quarter_start, upcoming_dates
from .debriefs import with_links

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
    # The dates of its sessions in notifications.needs' recording window, for the meetings to record.
    recorded: set = field(default_factory=set)

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
    now = timezone.now()
    # With their documents: planning progress reads them (groups.answers.load_plans). And with
    # each group's last aims review, in the same query, for the coordinators' reminder.
    last_aims_review = AimReview.objects.filter(group=OuterRef("pk")).order_by("-reviewed_on").values("reviewed_on")
    mine = list(
        _with_what_needs_them(
            SupportGroup.objects.with_roles_of(user)
            .with_documents()
            .annotate(last_aims_review=Subquery(last_aims_review[:1])),
            user,
            now,
        ).order_by("name", "pk")
    )
    facilitated = {group.pk: group for group in mine if group.facilitates and group.is_running}
    coordinated = [group for group in mine if group.coordinates]
    # Superusers sign off debriefs in every group, supervising one or not
    # (SupportGroup.objects.reviewed_by): nobody else needs a query to know.
    reviews_debriefs = any(group.supervises for group in mine) or (
        user.is_superuser and SupportGroup.objects.reviewed_by(user).exists()
    )
    # Members' names are for the people who run a group (permissions.can_view_members), so
    # follow-ups are shown only for those groups.
    follow_ups = _open_follow_ups(user)
    facilitator_part = _facilitator_part(user, facilitated, follow_ups, now)
    supervision = (
        _supervisor_part(user, [group.pk for group in mine if group.supervises], now) if reviews_debriefs else None
    )

    # The names of the members concerns are about, like members' records, are for the people who
    # run a group (concerns.permissions.can_see_who_a_concern_is_about), not its supervisor.
    running = {group.pk for group in mine if group.coordinates or group.facilitates}
    oversees = any(group.coordinates or group.supervises for group in mine)
    concerns = list(Concern.objects.needing_attention_of(user)) if oversees else []
    for concern in concerns:
        concern.show_member = concern.group_id in running

    _add_links(mine, follow_ups)
    context = {
        "needs": _what_needs(user, now, mine, facilitator_part, follow_ups, supervision),
        "concerns": concerns,
        # Told at once when they become, or stop being, a group's supervisor (an email too).
        "supervisor_notices": supervisor_notices(user),
        "supervisor_notice_days": SUPERVISOR_NOTICE_DAYS,
        "facilitated": facilitator_part,
        "other_follow_ups": [follow_up for follow_up in follow_ups if follow_up.member.group_id not in facilitated],
        "planning": _planning_progress([group for group in coordinated if group.is_planning]),
        "attendance": _attendance_rates([group for group in coordinated if group.is_running]),
        "run_alone": _run_alone_this_quarter([group for group in coordinated if not group.is_planning]),
        "aims_reviews_due": _aims_reviews_due([group for group in coordinated if group.is_running]),
        "supervision": supervision,
        "recent_sessions": RECENT_SESSIONS,
        "review_due_days": Debrief.REVIEW_DUE_DAYS,
        "review_due_days_after_concern": Debrief.REVIEW_DUE_DAYS_AFTER_CONCERN,
        "quarter_began": quarter_start(timezone.localdate()),
        "has_roles": bool(mine),
        "can_create_group": can_create_group(user),
    }
    return render(request, "sessions_log/dashboard.html", context)


def _add_links(groups, follow_ups) -> None:
    """Each group's and follow-up's addresses, with one reverse() per kind of link, not per row."""
    sessions_url = row_links("sessions_log:group_sessions", "pk")
    record_url = row_links("sessions_log:session_create", "pk")
    plan_url = row_links("groups:plan", "pk")
    members_url = row_links("sessions_log:members", "pk")
    for group in groups:
        group.sessions_url, group.record_url, group.plan_url = (
            sessions_url(group.pk),
            record_url(group.pk),
            plan_url(group.pk),
        )
    for follow_up in follow_ups:
        follow_up.members_url = members_url(follow_up.member.group_id)


def _with_what_needs_them(groups, user, now):
    """The person's groups marked, in the same query, with what "What needs you" asks of each:
    whether they lead it, and its risk assessment when past its review date."""
    overdue = RiskAssessment.objects.review_overdue(timezone.localdate(now)).filter(group=OuterRef("pk"))
    return groups.annotate(
        leads=Exists(GroupRole.objects.filter(group=OuterRef("pk"), user=user, role=GroupRole.Role.LEAD_FACILITATOR)),
        overdue_risk_assessment_id=Subquery(overdue.values("pk")[:1]),
        risk_review_date=F("risk_assessment__review_date"),
    )


def _what_needs(user, now, mine, facilitator_part, follow_ups, supervision) -> list[dict]:
    """ "What needs you": the same items the reminder emails point to, by the same rules
    (notifications.needs), read from what the dashboard loads anyway, so an email is never the
    only place someone learns of them, and the page costs no more queries."""
    today = timezone.localdate(now)
    found = [
        need
        for part in facilitator_part
        if part.group.leads
        for need in needs.session_needs(part.group, person_id=user.pk, recorded=part.recorded, now=now)
    ]
    found += needs.follow_up_needs(follow_ups, today=today)
    shown = [{"summary": need.summary(today), "url": need.url, "link_text": need.link_text} for need in found]
    if supervision and supervision["overdue"]:
        shown.append(
            {
                "summary": needs.overdue_debriefs_summary(supervision["overdue"]),
                "url": reverse("sessions_log:review_queue"),
                "link_text": "Open the review queue",
            }
        )
    overdue_assessments = [
        needs.risk_assessment_need(
            group, person_id=user.pk, assessment_id=group.overdue_risk_assessment_id, review_date=group.risk_review_date
        )
        for group in mine
        if group.coordinates and group.overdue_risk_assessment_id
    ]
    shown += [
        {"summary": need.summary(today), "url": need.url, "link_text": need.link_text} for need in overdue_assessments
    ]
    return shown


def _open_follow_ups(user) -> list[FollowUp]:
    return list(
        FollowUp.objects.open()
        .filter(assignee=user, member__group__in=SupportGroup.objects.run_by(user))
        .select_related("member__group")
        # What the dashboard shows of each: when it is due, for whom, what to do, and the group.
        .only(
            "due_on",
            "closed_at",
            "action",
            "assignee_id",
            # FollowUp.lacks_contact: the step needs a way to reach them, and none is held.
            "needs_contact",
            "member__contact_details",
            "member__display_name",
            "member__group__name",
        )
        .order_by("due_on", "pk")
    )


def _facilitator_part(user, facilitated, follow_ups, now) -> list[FacilitatedGroup]:
    """For each active group the person facilitates: when it meets next, registers not yet
    taken, sessions they ran but have not debriefed, follow-ups they were given, and the dates
    recorded lately (for the meetings still to record)."""
    if not facilitated:
        return []
    today = timezone.localdate(now)
    parts = {
        pk: FacilitatedGroup(group=group, upcoming=upcoming_dates(group, today, UPCOMING_SESSIONS))
        for pk, group in sorted(facilitated.items(), key=lambda item: (item[1].name, item[0]))
    }
    # Three lists in one query, each session marked with what it waits for. Its register: held,
    # and nobody has taken it (GroupSession.objects.missing_register). This person's debrief: the
    # same question as permissions.can_write_debrief, asked of every session at once (held, they
    # were present, and they have not written it yet). And the days lately recorded, held or not.
    start, end = needs.recording_window(now)
    own_debrief = Debrief.objects.filter(session=OuterRef("pk"), author=user)
    was_present = GroupSession.facilitators_present.through.objects.filter(groupsession=OuterRef("pk"), user=user)
    waiting = (
        GroupSession.objects.filter(group_id__in=parts)
        .annotate(
            needs_register=HELD & Q(register_taken_at__isnull=True),
            needs_debrief=HELD & Exists(was_present) & ~Exists(own_debrief),
        )
        .filter(Q(needs_register=True) | Q(needs_debrief=True) | Q(date__range=(start, end)))
        .only("pk", "group_id", "date", "starts_at")
        .order_by("date", "starts_at")
    )
    register_url = {pk: row_links("sessions_log:register", "session_pk", pk=pk) for pk in parts}
    debrief_url = {pk: row_links("sessions_log:debrief_write", "session_pk", pk=pk) for pk in parts}
    for session in waiting:
        session.register_url = register_url[session.group_id](session.pk)
        session.debrief_url = debrief_url[session.group_id](session.pk)
        if session.needs_register:
            parts[session.group_id].missing_registers.append(session)
        if session.needs_debrief:
            parts[session.group_id].missing_debriefs.append(session)
        if start <= session.date <= end:
            parts[session.group_id].recorded.add(session.date)

    for follow_up in follow_ups:
        if follow_up.member.group_id in parts:
            parts[follow_up.member.group_id].follow_ups.append(follow_up)
    return list(parts.values())


def _planning_progress(groups) -> list[dict]:
    """Groups still being planned, with how many checklist sections are completed (answers that
    live elsewhere in each plan count too: one query reads the plans of all of them)."""
    if not groups:
        return []
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


def _run_alone_this_quarter(groups) -> list[tuple[SupportGroup, int]]:
    """For each group, how many sessions since the quarter began were held with fewer than two
    facilitators (GroupSession.was_run_alone); groups with none are left out."""
    if not groups:
        return []
    since = quarter_start(timezone.localdate())
    counts = Counter(
        GroupSession.objects.filter(group_id__in=[group.pk for group in groups], date__gte=since)
        .run_alone()
        .values_list("group_id", flat=True)
    )
    return [(group, counts[group.pk]) for group in groups if counts[group.pk]]


def _supervisor_part(user, supervised_ids, now) -> dict:
    """The first few debriefs awaiting the person's review, how many there are, how many are
    flagged and how many have waited past their review date, in one query."""
    first = with_links(
        list(
            Debrief.objects.awaiting_review_by(user, group_ids=supervised_ids).with_waiting_counts(
                timezone.localdate(now)
            )[:QUEUE_PREVIEW]
        )
    )
    # Members' requests for which they answer for the debrief material (named on the page itself).
    requests = list(
        MemberRequest.objects.open()
        .filter(member__group__in=SupportGroup.objects.reviewed_by(user))
        .select_related("member__group", "opened_by")
        .order_by("opened_at", "pk")
    )
    if not first:
        return {"total": 0, "flagged": 0, "overdue": 0, "first": [], "requests": requests}
    return {
        "total": first[0].waiting_total,
        "flagged": first[0].waiting_flagged,
        "overdue": first[0].waiting_overdue,
        "first": first,
        "requests": requests,
    }


def _aims_reviews_due(groups) -> list[tuple[SupportGroup, datetime.date]]:
    """Active groups whose aims are due a review (groups.models.aims_review_due_on), with when it
    fell due. Each group comes with its `last_aims_review` date."""
    today = timezone.localdate()
    due = [(group, aims_review_due_on(group, group.last_aims_review)) for group in groups]
    return [(group, due_on) for group, due_on in due if due_on is not None and due_on <= today]
