"""Everything the app holds about one member, for a subject access request (UK GDPR, article 15).

The member's own record (and its earlier versions), their attendance marks with the dates of the
sessions, their follow-ups, and any free text written about the group (lessons learnt, notes on
debriefs, notes on other members' follow-ups) that mentions them by name. Other members' names in
that text are replaced by "[another member]": the request gives the member their own data, not
anyone else's.
"""

import re

from django.db.models import Q
from django.utils import timezone

from .models import DebriefNote, FollowUp, Lesson, Member

ANOTHER_MEMBER = "[another member]"

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
    """Free text about the group that names the member: lessons learnt, notes on debriefs, and
    notes on other members' follow-ups. The database narrows it down; the whole-name check decides."""
    name = member.display_name
    found = []
    lessons = Lesson.objects.filter(group=group).filter(
        Q(what_worked__icontains=name) | Q(what_to_change__icontains=name) | Q(action__icontains=name)
    )
    for lesson in lessons.order_by("created_at", "pk"):
        for field in ("what_worked", "what_to_change", "action"):
            text = getattr(lesson, field)
            if mentions(text, name):
                label = Lesson._meta.get_field(field).verbose_name
                found.append(_mention(f"Lesson learnt: {label.lower()}", lesson.created_at, text))
    notes = DebriefNote.objects.filter(debrief__session__group=group, text__icontains=name)
    for note in notes.order_by("created_at", "pk"):
        if mentions(note.text, name):
            found.append(_mention("Note on a facilitator's debrief", note.created_at, note.text))
    follow_ups = FollowUp.objects.filter(member__group=group, note__icontains=name).exclude(member=member)
    for follow_up in follow_ups.order_by("created_at", "pk"):
        if mentions(follow_up.note, name):
            found.append(_mention("Note on another member's follow-up", follow_up.closed_at, follow_up.note))
    return found


def _mention(where, written_at, text) -> dict:
    return {"where": where, "written_at": _date(written_at), "text": text}
