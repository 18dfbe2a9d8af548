"""Synthetic volume: an organisation's worth of groups, two years of weekly sessions, registers,
follow-ups, debriefs and lessons, for `manage.py seed_demo --scale N` and `make bench`.

This module writes the groups, their teams and their plans, and runs the whole generator
(`seed_scale`); each running group's session history is written by demo/scale_sessions.py.

At N=200 this is about 200 running groups (and N/20 still in planning), 20,000 sessions and
300,000 register marks. The small demo (demo/plans.py, demo/sessions.py) goes through the
services so it obeys every rule one call at a time; at this size that would take hours, so rows
are written in bulk here, shaped by the same rules instead:

- a member is on a session's register only if they had joined by then and not yet left;
- a session that did not run has a reason, what was offered instead, and no register;
- follow-ups follow the default absence policy, decided by the service's own functions
  (sessions_log.services.follow_up_step and follow_up_assignee): one per session missed without
  notice, stepped by how many were missed in a row (apologies neither add to nor break a run),
  for the lead facilitator for the first two and the coordinator from the third;
- every facilitator present at a held session writes a debrief, except the latest session in
  some groups; debriefs older than two weeks have been reviewed by the group's supervisor.

Every model here keeps a history (django-simple-history), so rows go in through
audit.changes.create_many, each history row saying it is synthetic demo data.
"""

import datetime
import random
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.changes import create_many
from groups.checklist import CHECKLIST
from groups.models import (
    Aim,
    ChecklistAnswer,
    ExitStrategy,
    FacilitatorSupportPlan,
    GroupRole,
    Risk,
    RiskAssessment,
    Rule,
    SupportGroup,
)
from groups.suggestions import RISK_SEEDS, SUGGESTED_AIMS
from sessions_log.models import AbsencePolicy

# Scale groups are recognised by this ending, so a second run adds nothing.
NAME_SUFFIX = "(scale demo)"
CHANGE_REASON = "Synthetic demo data (seed_demo --scale)"
# Rows per INSERT. Django lowers it further where the database needs (SQLite's variable limit).
BATCH_SIZE = 2000
# Running groups are written this many at a time, so memory stays flat however large N is.
GROUPS_PER_CHUNK = 20

# What the demo accounts hold at scale: a realistic load for one person in each role.
DEMO_COORDINATED = 20
DEMO_FACILITATED = 10
DEMO_COFACILITATED = 5
DEMO_SUPERVISED = 15

Role = GroupRole.Role

TOWNS = (
    "Ashford", "Bexley", "Carlisle", "Dunmore", "Eastleigh", "Frome", "Garston", "Hexham", "Ilkley", "Jarrow",
    "Kendal", "Ludlow", "Morpeth", "Newbury", "Oakham", "Penrith", "Redruth", "Selby", "Thirsk", "Ulverston",
)  # fmt: skip
STARTS = (datetime.time(10, 0), datetime.time(13, 30), datetime.time(18, 30), datetime.time(19, 0))
# The models written here whose automatic timestamps the generator sets itself.
GROUP_MODELS = (
    SupportGroup, GroupRole, Aim, Rule, ChecklistAnswer, RiskAssessment, ExitStrategy, FacilitatorSupportPlan,
)  # fmt: skip


@dataclass(frozen=True)
class ScalePlan:
    """How much to create for `--scale N`: N running groups, each with two years of weekly sessions."""

    groups: int
    sessions_per_group: int = 100
    founding_members: int = 15
    # Two founders leave half-way and two newcomers join then, so every register has 15 names.
    changing_members: int = 2

    @property
    def planning_groups(self) -> int:
        return max(1, self.groups // 20)


@dataclass
class Team:
    coordinator: User
    lead: User
    supervisor: User
    cofacilitator: User | None

    @property
    def facilitators(self) -> list[User]:
        return [self.lead, self.cofacilitator] if self.cofacilitator else [self.lead]

    def roles(self, group: SupportGroup) -> list[GroupRole]:
        """The team's places in the group, in the order they are written (the order the
        follow-ups' assignee rule reads them in)."""
        held = [
            (self.coordinator, Role.COORDINATOR),
            (self.lead, Role.LEAD_FACILITATOR),
            (self.supervisor, Role.SUPERVISOR),
        ]
        if self.cofacilitator:
            held.append((self.cofacilitator, Role.CO_FACILITATOR))
        return [GroupRole(group=group, user=user, role=role, created_at=group.created_at) for user, role in held]


def scale_data_exists() -> bool:
    return SupportGroup.objects.filter(name__endswith=NAME_SUFFIX).exists()


def seed_scale(*, plan: ScalePlan, demo_users: dict[str, User], password: str | None, seed: int = 2026) -> Counter:
    """Create the plan's running groups (and a few in planning) with their whole history, giving
    the demo accounts (coordinator, facilitator, cofacilitator, supervisor) a realistic share of
    roles. Returns how many rows of each kind were written."""
    # Imported here, not at the top: demo.scale_sessions imports this module.
    from .scale_sessions import HISTORY_MODELS, seed_history

    rng = random.Random(seed)
    counts: Counter = Counter()
    with transaction.atomic(), timestamps_as_given(*GROUP_MODELS, *HISTORY_MODELS):
        staff = _staff(plan, password, counts)
        teams = [_team(index, demo_users, staff) for index in range(plan.groups)]
        running = _running_groups(plan, teams, rng, counts)
        for start in range(0, len(running), GROUPS_PER_CHUNK):
            chunk = running[start : start + GROUPS_PER_CHUNK]
            seed_history(plan, chunk, teams[start : start + GROUPS_PER_CHUNK], rng, counts)
        _planning_groups(plan, demo_users["coordinator"], staff["coordinators"], rng, counts)
    return counts


def update_planner_statistics() -> None:
    """Tell the database's query planner how big the tables now are, as PostgreSQL's manual advises
    after a bulk load ("Populating a Database"), rather than leaving it to guess until autovacuum
    next passes: a planner that thinks a table is small picks slow plans."""
    # VACUUM also marks pages all-visible, for index-only scans, but cannot run in a transaction.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


# People -------------------------------------------------------------------------------------------


def _staff(plan: ScalePlan, password: str | None, counts: Counter) -> dict[str, list[User]]:
    """A few staff who between them coordinate, facilitate and supervise the groups the demo
    accounts do not: their workload is what an organisation of this size would spread."""
    # One hash for everyone: hashing is deliberately slow, and these are throwaway accounts.
    hashed = make_password(password)
    sizes = {
        "coordinators": max(1, plan.groups // 50),
        "facilitators": max(2, plan.groups // 25),
        "supervisors": max(1, plan.groups // 20),
    }
    staff = {}
    for kind, size in sizes.items():
        staff[kind] = []
        for number in range(1, size + 1):
            username = f"scale-{kind[:-1]}-{number}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": kind[:-1].capitalize(),
                    "last_name": str(number),
                    "email": f"{username}@example.org",
                    "password": hashed,
                },
            )
            counts["staff accounts"] += created
            staff[kind].append(user)
    # As an administrator of the organisation would: only they may be chosen to supervise.
    may_supervise = Permission.objects.get(codename="supervise_groups")
    for user in staff["supervisors"]:
        user.user_permissions.add(may_supervise)
    return staff


def _team(index: int, demo: dict[str, User], staff: dict[str, list[User]]) -> Team:
    """Who runs group number `index`. The demo accounts take the first groups; staff the rest."""
    facilitators = staff["facilitators"]
    lead = demo["facilitator"] if index < DEMO_FACILITATED else facilitators[index % len(facilitators)]
    if index < DEMO_COFACILITATED:
        cofacilitator = demo["cofacilitator"]
    elif index % 3 == 0:
        # Another staff facilitator, never the lead themself.
        cofacilitator = facilitators[(index + 1) % len(facilitators)]
        cofacilitator = None if cofacilitator == lead else cofacilitator
    else:
        cofacilitator = None
    return Team(
        coordinator=demo["coordinator"]
        if index < DEMO_COORDINATED
        else staff["coordinators"][index % len(staff["coordinators"])],
        lead=lead,
        supervisor=demo["supervisor"]
        if index < DEMO_SUPERVISED
        else staff["supervisors"][index % len(staff["supervisors"])],
        cofacilitator=cofacilitator,
    )


# Groups and their plans ---------------------------------------------------------------------------


def _last_meeting_before(today: datetime.date, weekday: int) -> datetime.date:
    return today - datetime.timedelta(days=(today.weekday() - weekday) % 7 or 7)


def _running_groups(plan: ScalePlan, teams: list[Team], rng: random.Random, counts: Counter) -> list[SupportGroup]:
    today = timezone.localdate()
    groups = []
    for index in range(plan.groups):
        weekday = rng.randrange(7)
        start = rng.choice(STARTS)
        first_session = _last_meeting_before(today, weekday) - datetime.timedelta(weeks=plan.sessions_per_group - 1)
        # Launched the day before the first meeting, so the meeting pattern counts from there.
        launched_at = moment(first_session - datetime.timedelta(days=1), datetime.time(12, 0))
        town = TOWNS[index % len(TOWNS)]
        groups.append(
            SupportGroup(
                name=f"{town} {SupportGroup.Weekday(weekday).label} group {index + 1:03d} {NAME_SUFFIX}",
                purpose="A weekly peer group where adults share what helps them cope.",
                why_group_work="Members asked to meet others who understand, and to support each other.",
                venue=f"{town} Community Centre",
                room_notes="Chairs in a circle, tea and coffee, a quiet room next door.",
                leadership_support="Members choose each term's topics and take turns to open the session.",
                meeting_weekday=weekday,
                meeting_start=start,
                meeting_end=(datetime.datetime.combine(first_session, start) + datetime.timedelta(minutes=90)).time(),
                maximum_size=20,
                status=SupportGroup.Status.ACTIVE,
                launched_at=launched_at,
                created_at=launched_at - datetime.timedelta(weeks=8),
                updated_at=launched_at,
            )
        )
    groups = _insert(SupportGroup, groups, counts)
    _insert(GroupRole, [role for group, team in zip(groups, teams, strict=True) for role in team.roles(group)], counts)
    _complete_plans(groups, teams, counts)
    return groups


def _complete_plans(groups: list[SupportGroup], teams: list[Team], counts: Counter) -> None:
    """The plan every running group launched with: aims, rules, every checklist answer and the
    three documents complete, and the default absence policy written down."""
    aims, rules, answers, assessments, exits, support_plans, policies = [], [], [], [], [], [], []
    for group, team in zip(groups, teams, strict=True):
        planned = group.created_at
        aims += [
            Aim(group=group, text=text, created_at=planned + datetime.timedelta(minutes=n))
            for n, text in enumerate(SUGGESTED_AIMS[:2])
        ]
        rules += [
            Rule(
                group=group,
                text=text,
                how_shared="Read out at the start of each session.",
                how_upheld="A facilitator reminds the group gently, and talks to the person afterwards.",
                created_at=planned + datetime.timedelta(minutes=n),
            )
            for n, text in enumerate(
                (
                    "What is said in the group stays in the group.",
                    "Talk about feelings, not about how anyone hurts themselves.",
                    "One person speaks at a time.",
                )
            )
        ]
        answers += [
            ChecklistAnswer(
                group=group,
                item_key=item.key,
                answer="Agreed at the planning meeting and written into the plan.",
                status=ChecklistAnswer.Status.DONE,
                updated_by=team.coordinator,
                updated_at=planned,
            )
            for item in CHECKLIST
        ]
        review_date = timezone.localdate() + datetime.timedelta(days=60 + group.pk % 120)
        assessments.append(
            RiskAssessment(group=group, review_date=review_date, updated_by=team.coordinator, updated_at=planned)
        )
        exits.append(
            ExitStrategy(
                group=group,
                members_leaving="A planned last session and a check-in call a month later.",
                group_ending="Members are told three months ahead and referred on individually.",
                when_group_cannot_run="A text to members and the duty phone line during holidays.",
                updated_by=team.coordinator,
                updated_at=planned,
            )
        )
        support_plans.append(
            FacilitatorSupportPlan(
                group=group,
                supervision_frequency=FacilitatorSupportPlan.Frequency.FORTNIGHTLY,
                debrief_arrangements="Fifteen minutes together after each session, then a written debrief.",
                cofacilitation_and_cover="Two facilitators where possible; the coordinator covers absences.",
                facilitator_wellbeing="Monthly reflective practice and the staff counselling service.",
                updated_by=team.coordinator,
                updated_at=planned,
            )
        )
        policies.append(AbsencePolicy(group=group))
    for model, rows in (
        (Aim, aims),
        (Rule, rules),
        (ChecklistAnswer, answers),
        (ExitStrategy, exits),
        (FacilitatorSupportPlan, support_plans),
        (AbsencePolicy, policies),
    ):
        _insert(model, rows, counts)
    risks = [
        Risk(
            assessment=assessment,
            source=seed.source,
            title=seed.title,
            likelihood=1 + (assessment.group_id + n) % 3,
            impact=2 + (assessment.group_id + n) % 3,
            mitigation="Agreed with the team: how we prevent it, and what we do if it happens.",
            owner="Lead facilitator",
        )
        for assessment in _insert(RiskAssessment, assessments, counts)
        for n, seed in enumerate(RISK_SEEDS)
    ]
    _insert(Risk, risks, counts)


def _planning_groups(
    plan: ScalePlan, coordinator: User, coordinators: list[User], rng: random.Random, counts: Counter
) -> None:
    """Groups still being planned, each part-way through its checklist."""
    now = timezone.now()
    groups = _insert(
        SupportGroup,
        [
            SupportGroup(
                name=f"{TOWNS[index % len(TOWNS)]} new group {index + 1:03d} {NAME_SUFFIX}",
                purpose="A new group for adults who self-harm, meeting weekly.",
                why_group_work="Several people on the waiting lists of other groups asked for one nearby.",
                meeting_weekday=rng.randrange(7),
                created_at=now - datetime.timedelta(days=rng.randrange(3, 60)),
                updated_at=now,
            )
            for index in range(plan.planning_groups)
        ],
        counts,
    )
    roles, answers = [], []
    for index, group in enumerate(groups):
        owner = coordinator if index < 3 else coordinators[index % len(coordinators)]
        roles.append(GroupRole(group=group, user=owner, role=Role.COORDINATOR, created_at=group.created_at))
        answered = rng.randrange(len(CHECKLIST))
        answers += [
            ChecklistAnswer(
                group=group,
                item_key=item.key,
                answer="Discussed at the first planning meeting.",
                status=ChecklistAnswer.Status.DONE,
                updated_by=owner,
                updated_at=group.updated_at,
            )
            for item in CHECKLIST[:answered]
        ]
    _insert(GroupRole, roles, counts)
    _insert(ChecklistAnswer, answers, counts)


# Helpers ------------------------------------------------------------------------------------------


def moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _insert(model, objects: Iterable, counts: Counter) -> list:
    """Insert in bulk with a history row for each, as the audit test asks of every write."""
    objects = list(objects)
    if objects:
        objects = create_many(model, objects, by=None, reason=CHANGE_REASON, batch_size=BATCH_SIZE)
    counts[str(model._meta.verbose_name_plural)] += len(objects)
    return objects


@contextmanager
def timestamps_as_given(*models):
    """Let the generator set created_at/updated_at itself on these models. Django stamps auto_now
    and auto_now_add fields with the current time on every insert, which would make two years of
    history look written today: debriefs never overdue, follow-ups raised after they closed.
    Only this process's field definitions change, and only while the generator runs."""
    fields = [
        field
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
