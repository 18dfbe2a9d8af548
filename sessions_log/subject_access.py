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


def _normal(name: str) -> str:
    """A name as compared: words separated by single spaces, in any letter case."""
    return " ".join(name.split()).casefold()


def _name_pattern(names) -> re.Pattern | None:
    """Whole-name matches of any of these names, in any letter case and with any spacing between
    their words; the longest name first, so "Jo Ann" is matched before "Jo"."""
    names = sorted({" ".join(name.split()) for name in names if name.strip()}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(word) for word in name.split()) for name in names)
    return re.compile(r"(?<!\w)(" + alternatives + r")(?!\w)", re.IGNORECASE)


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
    names = MemberNames(member)

    def redact(text):
        return redact_other_members(text, member_name=member.display_name, other_names=names.others)

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
        "mentions_in_notes": [{**mention, "text": redact(mention["text"])} for mention in _mentions(member, names)],
    }


def _mentions(member, names) -> list[dict]:
    """Free text about the group that names the member (NOTES_THAT_MAY_NAME_A_MEMBER), oldest
    first within each kind."""
    return [_mention(mention.where, mention.written_at, mention.text) for mention in find_mentions(member, names)]


class MemberNames:
    """How a member's name is found in notes: every name they have been recorded under, as whole
    words in any letter case, but never where it is part of another member's name ("Jo" in
    "Jo Ann"), which is a different person."""

    OWN, OTHER, TEXT = "own", "other", "text"

    def __init__(self, member: Member):
        own = {member.display_name, *member.history.values_list("display_name", flat=True)}
        self.own = {" ".join(name.split()) for name in own if name.strip()}
        own_normal = {_normal(name) for name in self.own}
        others = Member.objects.filter(group_id=member.group_id).exclude(pk=member.pk)
        self.others = {" ".join(name.split()) for name in others.values_list("display_name", flat=True) if name.strip()}
        # Another member recorded under the same name: nothing in a note tells the two apart.
        self.shared = sorted(name for name in self.others if _normal(name) in own_normal)
        self._own_normal = own_normal
        self._pattern = _name_pattern(self.own | self.others)

    def pieces(self, text: str) -> list[tuple[str, str]]:
        """The text cut into (piece, kind): OWN where it names the member, OTHER where it names
        someone else in the group, TEXT in between."""
        text = text or ""
        if self._pattern is None:
            return [(text, self.TEXT)] if text else []
        pieces, at = [], 0
        for match in self._pattern.finditer(text):
            if match.start() > at:
                pieces.append((text[at : match.start()], self.TEXT))
            pieces.append((match.group(0), self.OWN if _normal(match.group(0)) in self._own_normal else self.OTHER))
            at = match.end()
        if at < len(text):
            pieces.append((text[at:], self.TEXT))
        return pieces

    def named_in(self, text: str) -> bool:
        return any(kind == self.OWN for _, kind in self.pieces(text))

    def marked(self, text: str) -> list[tuple[str, bool]]:
        """(piece, is_their_name) for the erase page: other members' names are not shown there."""
        return [
            (ANOTHER_MEMBER if kind == self.OTHER else piece, kind == self.OWN) for piece, kind in self.pieces(text)
        ]

    def taken_out(self, text: str) -> str:
        return "".join(FORMER_MEMBER if kind == self.OWN else piece for piece, kind in self.pieces(text))

    def may_be_in(self, fields) -> Q:
        """A database filter for rows that may name them: any field containing the first word of
        any of their names (the whole-name check is `named_in`)."""
        words = {name.split()[0] for name in self.own}
        contains = (Q(**{f"{field}__icontains": word}) for field in fields for word in words)
        return reduce(operator.or_, contains, Q(pk__in=[]))  # no names: no rows


@dataclass(frozen=True)
class Mention:
    """One field of one note that names the member."""

    notes: Notes
    row: models.Model
    field: str
    marked: list[tuple[str, bool]]

    @property
    def key(self) -> str:
        """What the erase form's box for this mention sends: the kind of note, its id and field."""
        return f"{self.notes.model._meta.model_name}-{self.row.pk}-{self.field}"

    @property
    def where(self) -> str:
        return self.notes.where.format(field=self.notes.model._meta.get_field(self.field).verbose_name.lower())

    @property
    def written_at(self):
        return getattr(self.row, self.notes.written_at)

    @property
    def text(self) -> str:
        return getattr(self.row, self.field)


def find_mentions(member: Member, names: MemberNames | None = None) -> list[Mention]:
    """Every field of the notes in NOTES_THAT_MAY_NAME_A_MEMBER that names the member, oldest
    first within each kind of note."""
    names = names or MemberNames(member)
    found = []
    for notes in NOTES_THAT_MAY_NAME_A_MEMBER:
        rows = notes.model._default_manager.filter(**{notes.group_lookup: member.group_id})
        if notes.member_lookup:
            rows = rows.exclude(**{notes.member_lookup: member.pk})
        for row in rows.filter(names.may_be_in(notes.fields)).order_by("created_at", "pk"):
            for field in notes.fields:
                text = getattr(row, field)
                if names.named_in(text):
                    found.append(Mention(notes, row, field, names.marked(text)))
    return found


def remove_name_from_notes(member: Member, keys) -> int:
    """Write FORMER_MEMBER in place of the member's name in the mentions whose `key` is in `keys`
    (those the coordinator ticked on the erase page, having seen each one: a name can also be
    an ordinary word), in the note and in every earlier version of it. The note is saved, so its
    history says who took the name out and why; earlier versions are rewritten where they are.
    Returns how many mentions changed. Run inside the erasure's transaction, before the member's
    own history (and with it their earlier names) is deleted."""
    names = MemberNames(member)
    changed = 0
    for mention in find_mentions(member, names):
        if mention.key not in keys:
            continue
        model, field = mention.notes.model, mention.field
        note = model._default_manager.select_for_update().get(pk=mention.row.pk)
        setattr(note, field, names.taken_out(getattr(note, field)))
        note._change_reason = "An erased member's name taken out"
        note.save(update_fields=[field])
        for version in model.history.filter(id=note.pk):
            text = getattr(version, field)
            if names.named_in(text):
                setattr(version, field, names.taken_out(text))
                version.save(update_fields=[field])
        changed += 1
    return changed


def _mention(where, written_at, text) -> dict:
    return {"where": where, "written_at": _date(written_at), "text": text}
