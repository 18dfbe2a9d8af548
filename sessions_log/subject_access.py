"""Everything the app holds about one member, for a subject access request (UK GDPR, article 15).

The member's own record (and its earlier versions), their attendance marks with the dates of the
sessions, their follow-ups, and any free text written about the group (lessons learnt, notes on
debriefs, notes on other members' follow-ups) that mentions them by name. Other members' names in
that text are replaced by "[another member]": the request gives the member their own data, not
anyone else's.
"""

import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .models import DebriefNote, FollowUp, Lesson, Member

ANOTHER_MEMBER = "[another member]"
# What erasure writes in place of an erased member's name in notes (see remove_name_from_notes).
FORMER_MEMBER = "[a former member]"


@dataclass(frozen=True)
class Notes:
    """One kind of free text written about a group's sessions, in which a member may be named."""

    model: type[models.Model]
    fields: tuple[str, ...]
    # From the model to its group.
    group_lookup: str
    # How the export names a mention; "{field}" becomes the field's label.
    where: str
    written_at: str
    # Texts attached to the member themselves are exported, and erased, as theirs: not mentions.
    member_lookup: str | None = None


# Where a member's name may have been written by others: what the subject access export searches
# and what erasure can take the name out of. (Debriefs themselves are not here: coordinators,
# who handle these requests, may not read them.)
NOTES_THAT_MAY_NAME_A_MEMBER = (
    Notes(Lesson, ("what_worked", "what_to_change", "action"), "group", "Lesson learnt: {field}", "created_at"),
    Notes(DebriefNote, ("text",), "debrief__session__group", "Note on a facilitator's debrief", "created_at"),
    Notes(FollowUp, ("note",), "member__group", "Note on another member's follow-up", "closed_at", "member"),
)

# The member's record as the export shows it: (field, label).
RECORD_FIELDS = [
    ("display_name", "Name"),
    ("group", "Group"),
    ("status", "Status"),
    ("joined_on", "Joined on"),
    ("referral_route", "Referral"),
    ("referring_organisation", "Referring organisation"),
    ("contact_details", "Contact details"),
    ("exited_on", "Left on"),
    ("exit_reason", "Why they left"),
    ("aftercare_offered", "Support offered after leaving"),
    ("created_at", "Record created"),
]


def _name_pattern(names) -> re.Pattern | None:
    """Whole-name matches of any of these names, in any letter case; the longest name first, so
    "Jo Ann" is matched before "Jo"."""
    names = sorted({name.strip() for name in names if name.strip()}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(name) for name in names) + r")(?!\w)", re.IGNORECASE)


def mentions(text: str, name: str) -> bool:
    pattern = _name_pattern([name])
    return bool(pattern and pattern.search(text or ""))


def redact_other_members(text: str, *, member_name: str, other_names) -> str:
    """The text with every other member's name replaced by "[another member]". The member's own
    name is left as it is, even where another member's name is part of it."""
    others = _name_pattern(name for name in other_names if name.strip().casefold() != member_name.strip().casefold())
    if not others or not text:
        return text or ""
    own = _name_pattern([member_name])
    # Split around the member's own name (kept in the odd-numbered parts) and redact the rest.
    parts = own.split(text) if own else [text]
    return "".join(part if index % 2 else others.sub(ANOTHER_MEMBER, part) for index, part in enumerate(parts))


def _date(value):
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return value.isoformat()


def _record(member_or_version) -> dict:
    values = {}
    for name, _label in RECORD_FIELDS:
        if name == "group":
            continue
        display = getattr(member_or_version, f"get_{name}_display", None)
        value = display() if display else getattr(member_or_version, name)
        values[name] = _date(value) if hasattr(value, "isoformat") else value
    return values


def member_data(member: Member) -> dict:
    """Everything held about the member, as plain data (the JSON file and the readable page)."""
    group = member.group
    other_names = list(Member.objects.filter(group=group).exclude(pk=member.pk).values_list("display_name", flat=True))

    def redact(text):
        return redact_other_members(text, member_name=member.display_name, other_names=other_names)

    versions = member.history.order_by("history_date", "history_id")
    attendance = member.attendance.select_related("session").order_by("session__date", "session__starts_at")
    follow_ups = member.follow_ups.select_related("session").order_by("session__date", "pk")
    return {
        "exported_at": _date(timezone.now()),
        "group": group.name,
        "member": {**_record(member), "group": group.name},
        "earlier_versions_of_the_record": [
            {
                "recorded_at": _date(version.history_date),
                "change": version.get_history_type_display(),
                **_record(version),
            }
            for version in versions
        ],
        "attendance": [
            {
                "session_date": _date(mark.session.date),
                "session_time": mark.session.starts_at.strftime("%H:%M"),
                "mark": mark.get_status_display(),
            }
            for mark in attendance
        ],
        "follow_ups": [
            {
                "missed_session_date": _date(follow_up.session.date),
                "sessions_missed_in_a_row": follow_up.consecutive_misses,
                "action": follow_up.action,
                "raised_on": _date(follow_up.created_at),
                "due_on": _date(follow_up.due_on),
                "closed_on": _date(follow_up.closed_at),
                "outcome": follow_up.get_outcome_display(),
                "note": redact(follow_up.note),
            }
            for follow_up in follow_ups
        ],
        "mentions_in_notes": [{**mention, "text": redact(mention["text"])} for mention in _mentions(member, group)],
    }


def _mentions(member, group) -> list[dict]:
    """Free text about the group that names the member (NOTES_THAT_MAY_NAME_A_MEMBER), oldest
    first within each kind."""
    name = member.display_name
    found = []
    for notes in NOTES_THAT_MAY_NAME_A_MEMBER:
        for row in texts_naming(notes, member, notes.model._default_manager).order_by("created_at", "pk"):
            for field in notes.fields:
                text = getattr(row, field)
                if mentions(text, name):
                    label = notes.model._meta.get_field(field).verbose_name.lower()
                    found.append(_mention(notes.where.format(field=label), getattr(row, notes.written_at), text))
    return found


def mentions_with_name_marked(member: Member) -> list[dict]:
    """The member's mentions in notes (see _mentions), each text cut into (piece, is_their_name)
    parts, so the erase page can show exactly what would be replaced before anyone agrees."""
    pattern = _name_pattern([member.display_name])
    marked = []
    for mention in _mentions(member, member.group):
        # split() with a group in the pattern keeps the names, at the odd-numbered places.
        parts = [(piece, index % 2 == 1) for index, piece in enumerate(pattern.split(mention["text"])) if piece]
        marked.append({**mention, "parts": parts})
    return marked


def texts_naming(notes: Notes, member: Member, manager) -> models.QuerySet:
    """Rows of `manager` (the notes' model, or its history) in the member's group that may name
    them: the database narrows it down by substring; `mentions` decides on whole names."""
    rows = manager.filter(**{notes.group_lookup: member.group_id})
    if notes.member_lookup:
        rows = rows.exclude(**{notes.member_lookup: member.pk})
    contains = (Q(**{f"{field}__icontains": member.display_name}) for field in notes.fields)
    return rows.filter(reduce(operator.or_, contains))


def remove_name_from_notes(member: Member) -> int:
    """Write FORMER_MEMBER in place of the member's name, wherever it stands as a whole name in
    notes about their group, in the notes and in every earlier version of them. Returns how many
    notes (not counting earlier versions) changed. Used when a member's records are erased on
    request: the coordinator has seen each mention first, as a name can also be an ordinary word."""
    pattern = _name_pattern([member.display_name])
    if pattern is None:
        return 0
    notes_changed = 0
    for notes in NOTES_THAT_MAY_NAME_A_MEMBER:
        for manager, are_the_notes in ((notes.model._default_manager, True), (notes.model.history, False)):
            for row in texts_naming(notes, member, manager):
                rewritten = {field: pattern.sub(FORMER_MEMBER, getattr(row, field)) for field in notes.fields}
                rewritten = {field: text for field, text in rewritten.items() if text != getattr(row, field)}
                if not rewritten:
                    continue
                # update(), not save(): a save would keep the old text as one more version.
                manager.filter(pk=row.pk).update(**rewritten)
                if are_the_notes:
                    notes_changed += 1
    return notes_changed


def _mention(where, written_at, text) -> dict:
    return {"where": where, "written_at": _date(written_at), "text": text}
