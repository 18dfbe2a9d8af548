"""A group's change history, read from django-simple-history's tables.

Every audited model keeps its own history table. The history page lists them together, newest
first, so this module says for each one which of its rows belong to a group and which of its
fields are private. A page costs a fixed number of queries however many records it shows: one
to count, one for the page itself (a UNION over every history table), and one per kind of record
on the page to load those records with the version before each.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.text import capfirst

from concerns.models import Complaint, Concern
from groups.models import (
    Aim,
    AimReview,
    AimStanding,
    ChecklistAnswer,
    ExitStrategy,
    FacilitatorSupportPlan,
    GroupRole,
    Risk,
    RiskAssessment,
    Rule,
    SupportGroup,
)
from invitations.models import Invitation
from sessions_log.models import (
    AbsencePolicy,
    Attendance,
    Debrief,
    DebriefNote,
    DebriefReview,
    FollowUp,
    GroupSession,
    Lesson,
    Member,
    MemberRequest,
    Signposting,
)
from sessions_log.permissions import can_read_debrief, can_view_members
from sessions_log.redaction import names_hidden_from, shown

# Who may see the values of a private field: the readers of the debrief it belongs to, or the
# people allowed to see members' records (not the supervisor).
DEBRIEF_READERS = "debrief"
MEMBER_READERS = "members"

# Stamped on every save, so they would fill every change with noise.
NOISY_FIELDS = frozenset({"id", "created_at", "updated_at"})

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _of_group(group) -> Q:
    return Q(group_id=group.pk)


def _session_ids(group):
    # From the history table, not the live one, so records of deleted sessions still count.
    return GroupSession.history.filter(group_id=group.pk).values("id")


def _member_ids(group):
    return Member.history.filter(group_id=group.pk).values("id")


def _aim_ids(group):
    return Aim.history.filter(group_id=group.pk).values("id")


def _debrief_ids(group):
    return Debrief.history.filter(session_id__in=_session_ids(group)).values("id")


@dataclass(frozen=True)
class Tracked:
    """One audited model as the history page sees it."""

    model: type[models.Model]
    label: str
    in_group: Callable[[SupportGroup], Q]
    private_fields: frozenset[str] = frozenset()
    private_to: str = ""

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def history(self):
        return self.model.history.model


TRACKED = [
    Tracked(SupportGroup, "Group details", lambda group: Q(id=group.pk)),
    Tracked(GroupRole, "Team role", _of_group),
    Tracked(Invitation, "Invitation to the team", _of_group),
    Tracked(Aim, "Aim", _of_group),
    Tracked(AimReview, "Aims review", _of_group),
    Tracked(AimStanding, "Where the group stands on an aim", lambda group: Q(aim_id__in=_aim_ids(group))),
    Tracked(Rule, "Rule", _of_group),
    Tracked(ChecklistAnswer, "Checklist answer", _of_group),
    Tracked(RiskAssessment, "Risk assessment", _of_group),
    Tracked(
        Risk,
        "Risk",
        lambda group: Q(assessment_id__in=RiskAssessment.history.filter(group_id=group.pk).values("id")),
    ),
    Tracked(ExitStrategy, "Exit strategy", _of_group),
    Tracked(FacilitatorSupportPlan, "Facilitator-support plan", _of_group),
    Tracked(
        Member,
        "Member",
        _of_group,
        frozenset({"display_name", "referring_organisation", "contact_details", "aftercare_offered"}),
        MEMBER_READERS,
    ),
    Tracked(
        MemberRequest,
        "A member's request",
        lambda group: Q(member_id__in=Member.history.filter(group_id=group.pk).values("id")),
    ),
    Tracked(GroupSession, "Session", _of_group),
    Tracked(Attendance, "Attendance mark", lambda group: Q(session_id__in=_session_ids(group))),
    Tracked(AbsencePolicy, "Absence policy", _of_group),
    Tracked(
        FollowUp,
        "Follow-up",
        # By member, not session: a check-in after a concern or after leaving names no session.
        lambda group: Q(member_id__in=_member_ids(group)),
        frozenset({"note"}),
        MEMBER_READERS,
    ),
    Tracked(Signposting, "Signposting", _of_group, frozenset({"where_to"}), MEMBER_READERS),
    Tracked(Lesson, "Lesson", _of_group),
    # Seen by the whole team, the supervisor included: its member shows as a number, never a name.
    Tracked(Concern, "Concern", _of_group),
    Tracked(Complaint, "Complaints log entry", _of_group),
    Tracked(
        Debrief,
        "Debrief",
        lambda group: Q(session_id__in=_session_ids(group)),
        frozenset(Debrief.PRIVATE_FIELDS),
        DEBRIEF_READERS,
    ),
    Tracked(
        DebriefReview,
        "Debrief review",
        lambda group: Q(debrief_id__in=_debrief_ids(group)),
        frozenset(DebriefReview.PRIVATE_FIELDS),
        DEBRIEF_READERS,
    ),
    Tracked(
        DebriefNote,
        "Debrief note",
        lambda group: Q(debrief_id__in=_debrief_ids(group)),
        frozenset(DebriefNote.PRIVATE_FIELDS),
        DEBRIEF_READERS,
    ),
]
BY_KEY = {tracked.key: tracked for tracked in TRACKED}


def group_history(group):
    """Every history record of the group's records, newest first, as rows of (history_date,
    history_id, record_kind) ready to paginate."""
    parts = [
        tracked.history.objects.filter(tracked.in_group(group))
        .order_by()
        # Not "kind": a concern, a follow-up and a complaint each have a field of that name.
        .annotate(record_kind=Value(tracked.key, output_field=CharField()))
        .values("history_date", "history_id", "record_kind")
        for tracked in TRACKED
    ]
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "record_kind", "-history_id")


def _with_previous_versions(history, ids):
    """The records with these ids and, in the same query, the version just before each of them."""
    previous = (
        history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    previous_ids = history.objects.filter(history_id__in=ids).annotate(previous=Subquery(previous)).values("previous")
    return history.objects.filter(Q(history_id__in=ids) | Q(history_id__in=previous_ids)).select_related("history_user")


# Describing a page of records ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    old: str = ""
    new: str = ""
    # A private field the reader may not see: they learn that it changed, not what it said.
    hidden: bool = False


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    kind: str
    object_id: int
    action: str
    changes: list[Change] = field(default_factory=list)
    # Why, where the app said (an erased member's name taken out of a note).
    reason: str = ""


def describe_history(rows, *, user, group) -> list[Entry]:
    """What each history row on a page records, for this reader: when, who, what kind of record,
    created/changed/deleted and, for a change, each changed field's old and new value."""
    wanted = defaultdict(set)
    for row in rows:
        wanted[row["record_kind"]].add(row["history_id"])
    records, versions = {}, defaultdict(list)
    for kind, ids in wanted.items():
        for record in _with_previous_versions(BY_KEY[kind].history, ids):
            records[kind, record.history_id] = record
            versions[kind, record.id].append(record)

    def version_before(kind, record):
        # Versions of one object are numbered in the order they were written, and the one just
        # before each listed record was loaded with it: the latest loaded one before it is that.
        earlier = [version for version in versions[kind, record.id] if version.history_id < record.history_id]
        return max(earlier, key=lambda version: version.history_id, default=None)

    pairs = []
    for row in rows:
        # A record erased since the page was counted (a member's, on request) is simply left out.
        record = records.get((row["record_kind"], row["history_id"]))
        if record is not None:
            pairs.append((BY_KEY[row["record_kind"]], record, version_before(row["record_kind"], record)))
    may_see = _Readers(user, group, [record for _, record, _ in pairs])
    # Members' names in what was written (lessons, debriefs, notes) are not the supervisor's to read.
    hidden_names = names_hidden_from(user, group)
    deltas = [(tracked, record, _changes(record, previous)) for tracked, record, previous in pairs]
    names = _user_names(change for _, _, changes in deltas for change in changes)

    def may_see_content(tracked, record) -> bool:
        return not tracked.private_fields or may_see(tracked, record)

    return [
        Entry(
            when=record.history_date,
            who=_person(record.history_user),
            kind=tracked.label,
            object_id=record.id,
            action=ACTIONS[record.history_type],
            # Why the app wrote it, unless what changed is kept from this reader.
            reason=(record.history_change_reason or "") if may_see_content(tracked, record) else "",
            changes=[
                Change(capfirst(model_field.verbose_name), hidden=True)
                if model_field.name in tracked.private_fields and not may_see(tracked, record)
                else Change(
                    capfirst(model_field.verbose_name),
                    _written(model_field, old, names, hidden_names),
                    _written(model_field, new, names, hidden_names),
                )
                for model_field, old, new in changes
            ],
        )
        for tracked, record, changes in deltas
    ]


def _changes(record, previous) -> list[tuple[models.Field, object, object]]:
    """(field, old value, new value) for each field that changed since the previous version."""
    if record.history_type != "~" or previous is None:
        return []
    delta = record.diff_against(previous, excluded_fields=NOISY_FIELDS)
    changes = [(record._meta.get_field(change.field), change.old, change.new) for change in delta.changes]
    # diff_against compares only fields a form could edit; a group's status, when a register was
    # taken and the erased-mark totals are set by the app itself and matter just as much.
    for model_field in record.tracked_fields:
        if model_field.editable or model_field.name in NOISY_FIELDS:
            continue
        old, new = getattr(previous, model_field.attname), getattr(record, model_field.attname)
        if old != new:
            changes.append((record._meta.get_field(model_field.name), old, new))
    return sorted(changes, key=lambda change: change[0].creation_counter)


class _Readers:
    """Answers "may this person see this record's private fields?" without a query per row."""

    def __init__(self, user, group, records):
        self.user, self.group = user, group
        self.sees_members = can_view_members(user, group)
        # Reviews and notes are as private as the debrief they belong to, so its author matters.
        parts_of_debriefs = (DebriefReview.history.model, DebriefNote.history.model)
        debrief_ids = {record.debrief_id for record in records if isinstance(record, parts_of_debriefs)}
        self.debrief_authors = (
            dict(Debrief.history.filter(id__in=debrief_ids).order_by().values_list("id", "author_id").distinct())
            if debrief_ids
            else {}
        )

    def __call__(self, tracked, record) -> bool:
        if tracked.private_to == MEMBER_READERS:
            return self.sees_members
        if tracked.private_to == DEBRIEF_READERS:
            author_id = record.author_id if tracked.model is Debrief else self.debrief_authors.get(record.debrief_id)
            return can_read_debrief(self.user, SimpleNamespace(author_id=author_id), self.group)
        return True


def _written(model_field, value, names, hidden_names) -> str:
    """A value in words; free text, as the reader may read it (redaction.names_hidden_from)."""
    text = _shown(model_field, value, names)
    is_free_text = isinstance(model_field, models.CharField | models.TextField) and not model_field.choices
    return shown(text, hidden_names) if is_free_text else text


def _points_to_people(model_field) -> bool:
    return model_field.is_relation and model_field.related_model._meta.label == settings.AUTH_USER_MODEL


def _user_names(changes) -> dict[int, str]:
    ids = {value for model_field, *values in changes if _points_to_people(model_field) for value in values if value}
    if not ids:
        return {}
    return {person.pk: _person(person) for person in get_user_model().objects.filter(pk__in=ids)}


def _person(user) -> str:
    if user is None:
        return "The system"
    return user.get_full_name() or user.get_username()


def _shown(model_field, value, names) -> str:
    """A field's value in words: choices by their label, people by name, dates as dates."""
    if value is None or value == "":
        return "(empty)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if _points_to_people(model_field):
        return names.get(value, f"person #{value}")
    if model_field.is_relation:
        return f"{capfirst(model_field.related_model._meta.verbose_name)} #{value}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%-d %b %Y %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.strftime("%-d %b %Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)
