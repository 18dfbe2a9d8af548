"""Every change to concerns and to the complaints log.

Each function follows docs/architecture.md: keyword-only arguments with `by`, one durable
transaction, the group's row locked first and then what changes, permission and state asked again
of what is in the database, who and why written on the history copy, and events announced after
commit (groups_site.events.concern_raised and concern_closed, which the notifications listen to).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audit.changes import save_change
from groups.services import lock_group
from groups_site import events
from sessions_log.models import GroupSession, Member
from sessions_log.services import _follow_up_after_concern

from .models import Complaint, Concern
from .permissions import (
    can_close_complaint,
    can_close_concern,
    can_raise_concern,
    can_record_complaint,
    can_update_concern,
)

NOT_LAUNCHED = "This group has not launched yet, so it has no members to raise a concern about."

# Concerns --------------------------------------------------------------------------------------


def concern_refusal(group) -> str | None:
    """Why no concern can be raised in the group now, or None when one can: a group has members,
    and so concerns, once it has launched (paused and closed groups included: a former member
    may still call)."""
    return NOT_LAUNCHED if group.is_planning else None


def _lock_concern(concern, group) -> Concern:
    locked = Concern.objects.select_for_update().filter(pk=concern.pk, group=group).first()
    if locked is None:
        raise ValidationError("This concern is no longer held.")
    return locked


def raise_concern(*, concern: Concern, by) -> Concern:
    """Record a concern (concern.group says which group). A safeguarding concern or a risk to life
    about a member brings their follow-up forward to today, for a coordinator
    (sessions_log.services._follow_up_after_concern), hurries the supervisor's review of the
    session's debriefs (Debrief.needs_attention) and waits on dashboards until closed; distress
    handled in the session changes nothing else (SR-3)."""
    with transaction.atomic(durable=True):
        group = lock_group(concern.group_id)
        if not can_raise_concern(by, group):
            raise PermissionDenied("Only the group's coordinators and facilitators raise concerns.")
        if refusal := concern_refusal(group):
            raise ValidationError(refusal)
        member = None
        if concern.member_id is not None:
            member = Member.objects.select_for_update().filter(pk=concern.member_id, group=group).first()
            if member is None:
                raise ValidationError({"member": "That person is not a member of this group."})
        if concern.session_id is not None:
            session = GroupSession.objects.filter(pk=concern.session_id, group=group).first()
            if session is None or not session.was_held:
                raise ValidationError({"session": "Choose one of this group's sessions that was held."})
            concern.happened_on = session.date
        concern.group, concern.raised_by = group, by
        concern.full_clean()
        if concern.escalates and member is not None:
            concern.follow_up = _follow_up_after_concern(member=member, group=group, by=by)
        save_change(concern, by=by, reason=f"Raised: {concern.get_kind_display().lower()}")
        events.announce(events.concern_raised, concern_id=concern.pk, group_id=group.pk, kind=concern.kind, by_id=by.pk)
    return concern


# What may be added to a concern while it is open: its kind, and who it is about, stay as raised
# (they decided what it changed); a different concern is raised as a new one.
UPDATABLE_FIELDS = ("what_was_done", "who_was_told", "told_at")


def update_concern(*, concern: Concern, by) -> Concern:
    """Save what was done, who was told and when (UPDATABLE_FIELDS, as `concern` now has them) on
    an open concern."""
    with transaction.atomic(durable=True):
        group = lock_group(concern.group_id)
        locked = _lock_concern(concern, group)
        if not can_update_concern(by, locked, group):
            raise PermissionDenied("Only the group's coordinators and facilitators add to a concern.")
        if not locked.is_open:
            raise ValidationError("This concern has been closed, so it no longer changes.")
        for field in UPDATABLE_FIELDS:
            setattr(locked, field, getattr(concern, field))
        locked.full_clean()
        save_change(locked, by=by, reason="Concern updated", update_fields=[*UPDATABLE_FIELDS, "updated_at"])
    return locked


def _record_closing(record: Concern | Complaint, *, outcome: str, closed_on: datetime.date, by) -> None:
    """Write how a concern or complaints-log entry ended, refusing what its closing rules refuse;
    inside the caller's transaction, on the row it locked and checked."""
    record.outcome, record.closed_on, record.closed_by = outcome, closed_on, by
    if errors := record.closing_errors():
        raise ValidationError(errors)
    save_change(record, by=by, reason="Closed", update_fields=["outcome", "closed_on", "closed_by", "updated_at"])


def close_concern(*, concern: Concern, outcome: str, closed_on: datetime.date, by) -> Concern:
    """Close a concern with what came of it: a coordinator for a safeguarding concern or a risk to
    life, the people who run the group for distress handled in the session."""
    if not (outcome or "").strip():
        raise ValidationError({"outcome": "Say what came of it."})
    with transaction.atomic(durable=True):
        group = lock_group(concern.group_id)
        locked = _lock_concern(concern, group)
        if not can_close_concern(by, locked, group):
            raise PermissionDenied("Only a coordinator of the group closes a safeguarding concern or a risk to life.")
        if not locked.is_open:
            raise ValidationError("This concern is already closed.")
        _record_closing(locked, outcome=outcome, closed_on=closed_on, by=by)
        events.announce(events.concern_closed, concern_id=locked.pk, group_id=group.pk, kind=locked.kind, by_id=by.pk)
    return locked


# The complaints log ----------------------------------------------------------------------------


def record_complaint(*, complaint: Complaint, by) -> Complaint:
    """Add a complaint, a ground rule broken or an argument between members to the group's log
    (complaint.group says which)."""
    with transaction.atomic(durable=True):
        group = lock_group(complaint.group_id)
        if not can_record_complaint(by, group):
            raise PermissionDenied("Only the group's team adds to its complaints log.")
        if group.is_planning:
            raise ValidationError("This group has not launched yet, so there is nothing to log.")
        complaint.group, complaint.recorded_by = group, by
        complaint.full_clean()
        save_change(complaint, by=by, reason="Added to the complaints log")
    return complaint


def close_complaint(*, complaint: Complaint, outcome: str, closed_on: datetime.date, by) -> Complaint:
    """Close an entry of the complaints log with how it ended."""
    if not (outcome or "").strip():
        raise ValidationError({"outcome": "Say how it ended."})
    with transaction.atomic(durable=True):
        group = lock_group(complaint.group_id)
        locked = Complaint.objects.select_for_update().filter(pk=complaint.pk, group=group).first()
        if locked is None:
            raise ValidationError("This entry is no longer held.")
        if not can_close_complaint(by, locked, group):
            raise PermissionDenied("Only the group's coordinators and supervisor close entries of its complaints log.")
        if not locked.is_open:
            raise ValidationError("This entry is already closed.")
        _record_closing(locked, outcome=outcome, closed_on=closed_on, by=by)
    return locked
