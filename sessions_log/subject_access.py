"""Everything the app holds about one member, for a subject access request (UK GDPR, article 15).

The member's own record (and its earlier versions), their attendance marks with the dates of the
sessions, their follow-ups, the concerns raised about them, and the free text coordinators read
about the group (lessons learnt, notes on other members' follow-ups) that mentions them by name.
Other members' names, erased ones included (sessions_log.redaction), are replaced by "[another
member]" in every free-text field of the export, the member's own fields too: the request gives
the member their own data, not anyone else's.

Debrief material (facilitators' debriefs, supervisors' reviews and notes on debriefs) is never
read by coordinators, who handle these requests: the export says only whether any of it names
the member, and that the group's supervisor answers for it, on a page of their own
(debrief_material_data) while the request is open (MemberRequest).
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from audit.changes import save_change

from .models import Debrief, DebriefNote, DebriefReview, FollowUp, Lesson, Member
from .redaction import ANOTHER_MEMBER, Redactor, is_common_word

# What erasure writes in place of an erased member's name in notes (see remove_name_from_notes),
# and why, in the note's history.
FORMER_MEMBER = "[a former member]"
NAME_TAKEN_OUT = "An erased member's name taken out"


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
    order_by: str = "created_at"


# Where a member's name may have been written by others, in what coordinators read: what the
# subject access export searches and what erasure can take the name out of.
NOTES_THAT_MAY_NAME_A_MEMBER = (
    Notes(Lesson, ("what_worked", "what_to_change", "action"), "group", "Lesson learnt: {field}", "created_at"),
    Notes(FollowUp, ("note",), "member__group", "Note on another member's follow-up", "closed_at", "member"),
)
# Debrief material: only its author, the group's supervisor and superusers read it
# (permissions.can_read_debrief); coordinators never, by any path. The supervisor answers for it
# in a member's request (debrief_material_data); the coordinator's pages only say it names them.
DEBRIEF_MATERIAL = (
    Notes(
        Debrief,
        ("how_it_went", "anything_difficult", "support_wanted"),
        "session__group",
        "A facilitator's debrief: {field}",
        "created_at",
    ),
    Notes(
        DebriefReview,
        ("comments", "agreed_actions"),
        "debrief__session__group",
        "The supervisor's review of a debrief: {field}",
        "reviewed_at",
        order_by="reviewed_at",
    ),
    Notes(DebriefNote, ("text",), "debrief__session__group", "Note on a facilitator's debrief", "created_at"),
)
# Parts of the member's own record that are free text: other members' names are redacted there too.
FREE_TEXT_RECORD_FIELDS = ("referring_organisation", "contact_details", "aftercare_offered")

# The member's record as the export shows it: (field, label).
RECORD_FIELDS = [
    ("display_name", "Name"),
    ("group", "Group"),
    ("status", "Status"),
    ("joined_on", "Joined on"),
    ("referral_route", "Referral"),
    ("referring_organisation", "Referring organisation"),
    ("contact_details", "Contact details"),
    ("contact_consent_on", "Agreed to the team holding them on"),
    ("contact_consent_how", "How they agreed"),
    ("exited_on", "Left on"),
    ("exit_reason", "Why they left"),
    ("aftercare_offered", "Support offered after leaving"),
    ("created_at", "Record created"),
]


def _word_pattern(word: str) -> str:
    # Phones type a curly apostrophe where a keyboard types a straight one: either matches either.
    return "['\u2019]".join(re.escape(part) for part in re.split("['\u2019]", word))


def _name_pattern(names, exact_case=()) -> tuple[re.Pattern, list[str]] | None:
    """Whole-name matches of any of these names, in any letter case (but for those in
    `exact_case`, matched only as recorded) and with any spacing between their words, one group
    per name; the longest name first, so "Jo Ann" is matched before "Jo" (then in alphabetical
    order, so the pattern is the same in every process). Returns the pattern and the names in the
    order of its groups."""
    names = sorted({" ".join(name.split()) for name in names if name.strip()}, key=lambda name: (-len(name), name))
    if not names:
        return None

    def alternative(name):
        words = r"\s+".join(_word_pattern(word) for word in name.split())
        return f"((?-i:{words}))" if name in exact_case else f"({words})"

    alternatives = "|".join(alternative(name) for name in names)
    return re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", re.IGNORECASE), names


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
    """Everything held about the member, as plain data (the JSON file and the readable page), for
    the coordinator who handles their request: other members' names redacted from every free-text
    field, and of debrief material only whether it names them and who answers for it."""
    group = member.group
    names = MemberNames.of(member)
    redact = names.redacted

    def record(member_or_version) -> dict:
        values = _record(member_or_version)
        return {name: redact(value) if name in FREE_TEXT_RECORD_FIELDS else value for name, value in values.items()}

    versions = member.history.order_by("history_date", "history_id")
    attendance = member.attendance.select_related("session").order_by("session__date", "session__starts_at")
    follow_ups = member.follow_ups.select_related("session").order_by("created_at", "pk")
    concerns = member.concerns.select_related("session").order_by("happened_on", "pk")
    supervisor = group.supervisor
    return {
        "exported_at": _date(timezone.now()),
        "group": group.name,
        "member": {**record(member), "group": group.name},
        "earlier_versions_of_the_record": [
            {
                "recorded_at": _date(version.history_date),
                "change": version.get_history_type_display(),
                **record(version),
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
                "kind": follow_up.get_kind_display(),
                "missed_session_date": _date(follow_up.session.date) if follow_up.session else None,
                "sessions_missed_in_a_row": follow_up.consecutive_misses,
                "action": redact(follow_up.action),
                "raised_on": _date(follow_up.created_at),
                "due_on": _date(follow_up.due_on),
                "closed_on": _date(follow_up.closed_at),
                "outcome": follow_up.get_outcome_display(),
                "note": redact(follow_up.note),
            }
            for follow_up in follow_ups
        ],
        "concerns": [
            {
                "kind": concern.get_kind_display(),
                "where": concern.get_where_display(),
                "happened_on": _date(concern.happened_on),
                "what_was_done": redact(concern.what_was_done),
                "who_was_told": redact(concern.who_was_told),
                "told_at": _date(concern.told_at),
                "raised_on": _date(concern.raised_at),
                "closed_on": _date(concern.closed_on),
                "outcome": redact(concern.outcome),
            }
            for concern in concerns
        ],
        "signposted_while_waiting": [
            {"signposted_on": _date(signposting.signposted_on), "where_to": redact(signposting.where_to)}
            for signposting in member.signpostings.order_by("signposted_on", "pk")
        ],
        "mentions_in_notes": [{**mention, "text": redact(mention["text"])} for mention in _mentions(member, names)],
        "debrief_material": {
            "names_them": debrief_material_names(member, names),
            "answered_for_by": f"{supervisor}, the group's supervisor"
            if supervisor
            else "the group's supervisor (the group has none now: an administrator of the organisation)",
            "note": "Facilitators' debriefs, supervisors' reviews and notes on debriefs are read only by the "
            "group's supervisor, who releases what the member is entitled to.",
        },
    }


def _mentions(member, names) -> list[dict]:
    """Free text about the group that names the member (NOTES_THAT_MAY_NAME_A_MEMBER), oldest
    first within each kind."""
    return [_mention(mention.where, mention.written_at, mention.text) for mention in find_mentions(member, names)]


def debrief_material_names(member: Member, names: "MemberNames | None" = None) -> bool:
    """Whether any debrief, review or note on a debrief of the group names the member: what a
    coordinator may learn of debrief material, never its text."""
    return bool(find_mentions(member, names, kinds=DEBRIEF_MATERIAL))


def debrief_material_data(member: Member) -> dict:
    """For the group's supervisor answering a member's request: each part of a debrief, review or
    note on a debrief that names the member, with other members' names redacted (the member's
    own name stays: the material is theirs to have)."""
    names = MemberNames.of(member)
    return {
        "exported_at": _date(timezone.now()),
        "group": member.group.name,
        "member": member.display_name,
        "debrief_material_naming_them": [
            {**_mention(mention.where, mention.written_at, mention.text), "text": names.redacted(mention.text)}
            for mention in find_mentions(member, names, kinds=DEBRIEF_MATERIAL)
        ],
    }


def common_names(member: Member) -> list[str]:
    """The names the member was recorded under that are also common English words ("Will",
    "Hope"): erasure replaces such a name in notes only if the group's supervisor agrees, as the
    notes may be using the word."""
    recorded = {member.display_name, *member.history.values_list("display_name", flat=True)}
    return sorted(name for name in recorded if is_common_word(name))


class MemberNames:
    """How a member's name is found in text: any name they have been recorded under, as whole
    words in any letter case, but never where it is part of another member's name ("Jo" in
    "Jo Ann"), which is a different person."""

    OWN, OTHER, TEXT = "own", "other", "text"

    def __init__(self, *, own, others, redactor: Redactor | None = None, exact_case: bool = False):
        own = {" ".join(name.split()) for name in own if name.strip()}
        others = {" ".join(name.split()) for name in others if name.strip()}
        # Names recorded in the group that are gone (erased or purged members): found by their
        # keyed hash alone (sessions_log.redaction), in the text between the names above.
        self._redactor = redactor
        own_pattern, _ = _name_pattern(own) or (None, [])
        # Names another member was recorded under that read the same as one of this member's:
        # nothing in a note tells the two apart. Such a name is read as this member's (it is
        # theirs too), but the erase page leaves it unticked and says why.
        self.shared = sorted(name for name in others if own_pattern and own_pattern.fullmatch(name))
        shared_pattern, _ = _name_pattern(self.shared) or (None, [])
        # With exact_case (erasure), the member's own names match only as recorded: "Sky", not
        # "sky"; other members' names are found in any case, as hiding too much is safe.
        found = _name_pattern(own | (others - set(self.shared)), exact_case=own if exact_case else ())
        self._pattern, names = found or (None, [])
        self._kinds = [self.OWN if name in own else self.OTHER for name in names]
        self._shared = [bool(name in own and shared_pattern and shared_pattern.fullmatch(name)) for name in names]

    @classmethod
    def of(cls, member: Member, *, exact_case: bool = False) -> "MemberNames":
        """Every name the member and the others in their group have been recorded under, erased
        members' included (by their keyed hash). With exact_case, the member's own names are
        found only as recorded, letter case included: what erasure may replace."""
        own = member.history.values_list("display_name", flat=True)
        others_now = Member.objects.filter(group_id=member.group_id).exclude(pk=member.pk)
        others_before = Member.history.filter(group_id=member.group_id).exclude(id=member.pk)
        # No ordering in either half: SQLite refuses ORDER BY inside a UNION.
        others = (
            others_now.order_by()
            .values_list("display_name", flat=True)
            .union(others_before.order_by().values_list("display_name", flat=True))
        )
        own = [member.display_name, *own]
        return cls(
            own=own,
            others=list(others),
            redactor=Redactor.for_group(member.group_id, keep=own),
            exact_case=exact_case,
        )

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
            # The group that matched says whose name it is (one group per name).
            pieces.append((match.group(0), self._kinds[match.lastindex - 1]))
            at = match.end()
        if at < len(text):
            pieces.append((text[at:], self.TEXT))
        return pieces

    def named_in(self, text: str) -> bool:
        return any(kind == self.OWN for _, kind in self.pieces(text))

    def shared_name_in(self, text: str) -> bool:
        """Whether the text names them under a name another member was recorded under too."""
        return self._pattern is not None and any(
            self._shared[match.lastindex - 1] for match in self._pattern.finditer(text or "")
        )

    def redacted(self, text: str) -> str:
        """The text with every other member's name replaced by "[another member]", erased
        members' names included."""
        return "".join(piece for piece, _ in self.marked(text))

    def marked(self, text: str) -> list[tuple[str, bool]]:
        """(piece, is_their_name) for the erase page and the supervisor's: other members' names,
        erased ones included, are not shown there."""
        return [
            (ANOTHER_MEMBER if kind == self.OTHER else self._gone_names_hidden(piece, kind), kind == self.OWN)
            for piece, kind in self.pieces(text)
        ]

    def _gone_names_hidden(self, piece: str, kind: str) -> str:
        if kind != self.TEXT or self._redactor is None:
            return piece
        return self._redactor.redacted(piece, ANOTHER_MEMBER)

    def replaced(self, text: str, by: str) -> str:
        """The text with `by` wherever it names the member."""
        return "".join(by if kind == self.OWN else piece for piece, kind in self.pieces(text))

    def taken_out(self, text: str) -> str:
        return self.replaced(text, FORMER_MEMBER)


@dataclass(frozen=True)
class Mention:
    """One field of one note that names the member."""

    notes: Notes
    row: models.Model
    field: str
    marked: list[tuple[str, bool]]
    # Named under a name another member had too: it may be about them instead.
    shared_name: bool = False

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


def find_mentions(
    member: Member, names: MemberNames | None = None, *, kinds=NOTES_THAT_MAY_NAME_A_MEMBER
) -> list[Mention]:
    """Every field of these kinds of note (coordinators' by default; DEBRIEF_MATERIAL for the
    supervisor) that names the member as it reads now, oldest first within each kind. A group's
    notes are read whole and searched here, not by the database, whose letter-case rules depend
    on its locale."""
    names = names or MemberNames.of(member)
    found = []
    for notes in kinds:
        rows = notes.model._default_manager.filter(**{notes.group_lookup: member.group_id})
        if notes.member_lookup:
            rows = rows.exclude(**{notes.member_lookup: member.pk})
        for row in rows.order_by(notes.order_by, "pk"):
            for field in notes.fields:
                text = getattr(row, field)
                if names.named_in(text):
                    found.append(Mention(notes, row, field, names.marked(text), names.shared_name_in(text)))
    return found


NAME_IS_A_COMMON_WORD = (
    "Their name, \u201c{names}\u201d, is also a common word, so notes using the word could be changed. "
    "It is taken out of notes only once the group's supervisor agrees, on the request you open for them."
)


def remove_name_from_notes(*, member: Member, keys, by, replacement_agreed: bool = False) -> int:
    """Write FORMER_MEMBER in place of the member's name in the mentions whose `key` is in `keys`
    (those the coordinator ticked on the erase page, having seen each one), in that part of the
    note and in every earlier version of it. Only the names the member was recorded under,
    exactly as recorded (letter case included) and as whole words, are replaced, in the notes
    coordinators read (lessons, other members' follow-up notes), never debrief material. A name
    that is also a common word is replaced only if the supervisor agreed (`replacement_agreed`).
    Each note is saved once, so its history says who took the name out and why; earlier versions
    are rewritten where they are. Returns how many notes changed. Run inside the erasure's
    transaction, before the member's own history (and with it their earlier names) is deleted.

    Refused, with nothing changed, if a ticked part would grow past its length limit."""
    if not keys:
        return 0
    common = common_names(member)
    if common and not replacement_agreed:
        raise ValidationError({"remove_name_from": NAME_IS_A_COMMON_WORD.format(names="\u201d, \u201c".join(common))})
    names = MemberNames.of(member, exact_case=True)
    ticked = defaultdict(list)
    for mention in find_mentions(member, names):
        if mention.key in keys:
            ticked[mention.notes.model, mention.row.pk].append(mention)
    for (model, pk), mentions in ticked.items():
        note = model._default_manager.select_for_update().get(pk=pk)
        by_field = {mention.field: mention for mention in mentions}
        fields = list(by_field)
        for field in fields:
            setattr(note, field, _taken_out(names, note, by_field[field]))
        save_change(note, by=by, reason=NAME_TAKEN_OUT, update_fields=fields)
        for version in model.history.filter(id=pk):
            changed = [field for field in fields if names.named_in(getattr(version, field))]
            for field in changed:
                setattr(version, field, _taken_out(names, version, by_field[field]))
            if changed:
                version.save(update_fields=changed)
    return len(ticked)


def _taken_out(names: MemberNames, note, mention: Mention) -> str:
    """The mention's part of `note` (the note, or an earlier version of it) without the name."""
    text = names.taken_out(getattr(note, mention.field))
    limit = note._meta.get_field(mention.field).max_length
    if limit and len(text) > limit:
        raise ValidationError(
            {
                "remove_name_from": f"Writing \u201c{FORMER_MEMBER}\u201d in place of their name would make "
                f"\u201c{mention.where}\u201d longer than its {limit} characters. Untick it to erase their "
                "records without changing it."
            }
        )
    return text


def _mention(where, written_at, text) -> dict:
    return {"where": where, "written_at": _date(written_at), "text": text}
