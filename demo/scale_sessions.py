"""Each running scale group's session history for `manage.py seed_demo --scale N` (run by
demo.scale.seed_scale, which writes the groups themselves): members, sessions, registers,
facilitators present, follow-ups, debriefs and lessons, written in bulk but shaped by the rules
the services keep (see demo/scale.py)."""

import datetime
from collections import Counter, defaultdict

from django.utils import timezone

from concerns.models import Concern
from groups.checklist import SECTIONS
from groups.models import SupportGroup
from reports.summary import rebuild
from sessions_log.counters import refresh_register_counts
from sessions_log.models import (
    AbsencePolicy,
    Attendance,
    Debrief,
    DebriefReview,
    FollowUp,
    GroupSession,
    Lesson,
    Member,
)
from sessions_log.redaction import remember_names
from sessions_log.services import follow_up_assignee, follow_up_due_on, follow_up_step

from .scale import ScalePlan, Team, _insert, _last_meeting_before, moment

# How many days back debriefs still await review, and follow-ups are still open.
REVIEW_BACKLOG_DAYS = 14
OPEN_FOLLOW_UP_DAYS = 21

Mark = Attendance.Status
# How often each register mark is given: mostly present, about one in twenty absent without notice.
MARK_WEIGHTS = {Mark.PRESENT: 80, Mark.LATE: 6, Mark.LEFT_EARLY: 2, Mark.APOLOGIES: 7, Mark.ABSENT: 5}

FIRST_NAMES = (
    "Alex", "Bea", "Cam", "Dee", "Eli", "Fran", "Gus", "Hana", "Izzy", "Jo", "Kit", "Lou", "Mo", "Nia", "Ola",
    "Pip", "Quin", "Ray", "Sky", "Tam", "Uma", "Vic", "Wren", "Xan", "Yas", "Zac", "Ash", "Bo", "Cal", "Dani",
)  # fmt: skip

# The models written here whose automatic timestamps the generator sets itself.
HISTORY_MODELS = (Member, GroupSession, Attendance, FollowUp, Lesson, Debrief, DebriefReview, Concern)


def seed_history(plan: ScalePlan, groups: list[SupportGroup], teams: list[Team], rng, counts: Counter) -> None:
    """Members, sessions, registers, follow-ups, debriefs and lessons for a few groups at a time."""
    today = timezone.localdate()
    members_by_group = _members(plan, groups, rng, counts)

    sessions = []
    for group, team in zip(groups, teams, strict=True):
        last = _last_meeting_before(today, group.meeting_weekday)
        dates = [last - datetime.timedelta(weeks=weeks) for weeks in range(plan.sessions_per_group - 1, -1, -1)]
        # The latest register is still to be taken in one group in three: work on the dashboard.
        register_pending = group.pk % 3 == 0
        for number, day in enumerate(dates):
            ended = moment(day, group.meeting_end)
            latest = number == len(dates) - 1
            # About one week in fifty the group could not meet (holidays, a facilitator ill).
            runs = latest or rng.random() >= 0.02
            sessions.append(
                GroupSession(
                    group=group,
                    date=day,
                    starts_at=group.meeting_start,
                    ends_at=group.meeting_end,
                    outcome=GroupSession.Outcome.HELD if runs else GroupSession.Outcome.DID_NOT_RUN,
                    not_run_reason="" if runs else GroupSession.NotRunReason.HOLIDAY,
                    offered_instead="" if runs else "A text to every member, and the duty phone line that evening.",
                    register_taken_at=ended + datetime.timedelta(hours=1)
                    if runs and not (latest and register_pending)
                    else None,
                    recorded_by=team.lead,
                    created_at=ended + datetime.timedelta(minutes=30),
                )
            )
    sessions = _insert(GroupSession, sessions, counts)
    team_of = {group.pk: team for group, team in zip(groups, teams, strict=True)}
    sessions_of = defaultdict(list)
    for session in sessions:
        sessions_of[session.group_id].append(session)

    _facilitators_present(sessions, team_of, counts)
    marks = _registers(plan, sessions, members_by_group, team_of, rng, counts)
    roles_of = {group.pk: team.roles(group) for group, team in zip(groups, teams, strict=True)}
    _follow_ups(sessions_of, marks, roles_of, counts)
    _debriefs(sessions_of, team_of, rng, counts)
    _lessons(sessions_of, team_of, rng, counts)
    # The register totals the services keep on sessions and members, as save_register would have.
    refresh_register_counts(
        session_ids=[session.pk for session in sessions],
        member_ids=[member.pk for members in members_by_group.values() for member in members],
    )
    # And the funder report's summary, as the services keep it.
    rebuild(group.pk for group in groups)


def _members(plan: ScalePlan, groups, rng, counts: Counter) -> dict[int, list[Member]]:
    members = []
    for group in groups:
        launched = timezone.localtime(group.launched_at).date()
        half_way = launched + datetime.timedelta(weeks=plan.sessions_per_group // 2)
        names = rng.sample(FIRST_NAMES, plan.founding_members + plan.changing_members + 1)
        for number, name in enumerate(names):
            member = Member(group=group, display_name=name, joined_on=launched, created_at=group.launched_at)
            if number < plan.changing_members:
                # Moved on half-way through; the exit strategy's aftercare was offered.
                member.status = Member.Status.EXITED
                # Never before the day they joined (the database refuses it): a plan of one session has no half.
                member.exited_on = max(launched, half_way - datetime.timedelta(days=1))
                member.exit_reason = Member.ExitReason.MOVED_ON
                member.aftercare_offered = "A check-in call a month after leaving."
            elif number >= plan.founding_members:
                member.joined_on = half_way
                member.created_at = moment(half_way, datetime.time(9, 0))
            if number == len(names) - 1:
                member.status = Member.Status.WAITING_LIST
                member.joined_on = timezone.localdate() - datetime.timedelta(days=7)
                member.created_at = timezone.now() - datetime.timedelta(days=7)
            members.append(member)
    by_group = defaultdict(list)
    for member in _insert(Member, members, counts):
        by_group[member.group_id].append(member)
    # The redaction list, as services.add_member keeps it.
    for group_id, group_members in by_group.items():
        remember_names(group_id, {member.display_name for member in group_members})
    return by_group


def _on_register(member: Member, day: datetime.date) -> bool:
    """The same question as MemberQuerySet.on_register_for, asked in memory."""
    if member.status == Member.Status.WAITING_LIST or member.joined_on > day:
        return False
    return member.status == Member.Status.ACTIVE or member.exited_on >= day


def _facilitators_present(sessions, team_of, counts: Counter) -> None:
    by_facilitator = defaultdict(list)
    for session in sessions:
        if session.was_held:
            for person in team_of[session.group_id].facilitators:
                by_facilitator[person].append(session.pk)
    for person, session_ids in by_facilitator.items():
        # One INSERT per person through the relation manager (the link table keeps no history).
        person.sessions_facilitated.add(*session_ids)
        counts["facilitators present"] += len(session_ids)


def _registers(plan, sessions, members_by_group, team_of, rng, counts: Counter) -> dict[int, list[Attendance]]:
    """Every taken register, and each session's marks (by session pk) for the follow-ups."""
    statuses, weights = list(MARK_WEIGHTS), list(MARK_WEIGHTS.values())
    marks_by_session = {}
    for session in sessions:
        if not session.has_register:
            continue
        present = [member for member in members_by_group[session.group_id] if _on_register(member, session.date)]
        given = rng.choices(statuses, weights, k=len(present))
        marks_by_session[session.pk] = [
            Attendance(
                session=session,
                member=member,
                status=status,
                updated_by=team_of[session.group_id].lead,
                updated_at=session.register_taken_at,
            )
            for member, status in zip(present, given, strict=True)
        ]
    _insert(Attendance, [mark for marks in marks_by_session.values() for mark in marks], counts)
    return marks_by_session


def _follow_ups(sessions_of, marks_by_session, roles_of, counts: Counter) -> None:
    """The follow-ups each register raised, decided as the service decides them (save_register's
    sessions_log.services._raise_follow_ups), from each member's marks up to that session."""
    policy = AbsencePolicy()  # every scale group keeps the default policy
    today = timezone.localdate()
    follow_ups = []
    for group_id, sessions in sessions_of.items():
        assignees = {assignee: follow_up_assignee(assignee, roles_of[group_id]) for assignee in AbsencePolicy.Assignee}
        # Each member's marks so far, newest first.
        marks_of: defaultdict[int, list[str]] = defaultdict(list)
        for session in sessions:  # oldest first
            for mark in marks_by_session.get(session.pk, []):
                marks = marks_of[mark.member_id]
                marks.insert(0, mark.status)
                step = follow_up_step(marks, policy)
                if step is None:
                    continue
                raised = session.register_taken_at
                due_on = follow_up_due_on(policy, timezone.localtime(raised).date())
                closed = (today - session.date).days > OPEN_FOLLOW_UP_DAYS
                owner = assignees[step.assignee]
                follow_ups.append(
                    FollowUp(
                        member_id=mark.member_id,
                        session=session,
                        consecutive_misses=step.consecutive_misses,
                        action=step.action,
                        assignee=owner,
                        due_on=due_on,
                        created_at=raised,
                        closed_at=moment(due_on, datetime.time(12, 0)) if closed else None,
                        closed_by=owner if closed else None,
                        outcome=FollowUp.Outcome.CONTACTED if closed else "",
                        note="Spoke on the phone; they hope to be back next week." if closed else "",
                    )
                )
    _insert(FollowUp, follow_ups, counts)


def _concern(session, team, rng, today) -> Concern:
    """A concern from the session, as concerns.services.raise_concern would record it, closed a few
    days later unless recent. Not linked to a member, so no follow-up is brought forward."""
    kind = rng.choices(Concern.Kind.values, (14, 5, 1))[0]
    ended = moment(session.date, session.ends_at)
    escalates = kind in Concern.ESCALATING_KINDS
    closed = (today - session.date).days > 14
    return Concern(
        group_id=session.group_id,
        kind=kind,
        where=Concern.Where.IN_SESSION,
        session=session,
        happened_on=session.date,
        what_was_done="Followed the group's plan and the safeguarding policy that evening.",
        who_was_told="The safeguarding lead" if escalates else "",
        told_at=ended + datetime.timedelta(minutes=30) if escalates else None,
        outcome="Handled under the policy; nothing further for the group." if closed else "",
        closed_on=session.date + datetime.timedelta(days=3) if closed else None,
        closed_by=team.coordinator if closed else None,
        raised_by=team.lead,
        raised_at=ended + datetime.timedelta(minutes=45),
        updated_at=ended + datetime.timedelta(days=3 if closed else 0, minutes=45),
    )


def _debriefs(sessions_of, team_of, rng, counts: Counter) -> None:
    today = timezone.localdate()
    debriefs, concerns = [], []
    for group_id, sessions in sessions_of.items():
        team = team_of[group_id]
        # In one group in four, the latest debriefs are still to be written.
        latest_undone = group_id % 4 == 0
        for number, session in enumerate(sessions):
            if not session.was_held or (latest_undone and number == len(sessions) - 1):
                continue
            # About one session in fifty raises a concern, mostly distress handled in the session.
            concern = rng.random() < 0.02
            if concern:
                concerns.append(_concern(session, team, rng, today))
            for author in team.facilitators:
                written = moment(session.date, session.ends_at) + datetime.timedelta(hours=1 + rng.randrange(20))
                wellbeing = rng.choices((1, 2, 3, 4, 5), (1, 4, 20, 45, 30))[0]
                debriefs.append(
                    Debrief(
                        session=session,
                        author=author,
                        how_it_went="Warm and open; people supported each other well.",
                        anything_difficult="One member found the topic hard and took a break." if concern else "",
                        wellbeing=wellbeing,
                        support_wanted="A chat with my supervisor this week, please." if wellbeing <= 2 else "",
                        created_at=min(written, timezone.now()),
                        updated_at=min(written, timezone.now()),
                        reviewed=(today - session.date).days > REVIEW_BACKLOG_DAYS,
                    )
                )
    _insert(Concern, concerns, counts)
    debriefs = _insert(Debrief, debriefs, counts)
    reviews = [
        DebriefReview(
            debrief=debrief,
            reviewer=team_of[debrief.session.group_id].supervisor,
            comments="Thank you. It sounds like the group is settling well.",
            reviewed_at=debrief.created_at + datetime.timedelta(days=3),
        )
        for debrief in debriefs
        if debrief.reviewed
    ]
    _insert(DebriefReview, reviews, counts)


def _lessons(sessions_of, team_of, rng, counts: Counter) -> None:
    """About one lesson learnt every ten sessions."""
    lessons = []
    for group_id, sessions in sessions_of.items():
        team = team_of[group_id]
        for session in sessions[5::10]:
            lessons.append(
                Lesson(
                    group_id=group_id,
                    session=session,
                    theme=rng.choice(SECTIONS).slug,
                    what_worked="A check-in round helped quieter members speak.",
                    what_to_change="Leave ten minutes at the end to wind down.",
                    action="Add a wind-down round to the session plan.",
                    action_owner=team.lead,
                    created_by=team.lead,
                    created_at=moment(session.date, session.ends_at) + datetime.timedelta(days=1),
                )
            )
    _insert(Lesson, lessons, counts)
