"""State changes after a group launches. Each re-checks the rules itself, so no page, admin
action or command can skip them."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from groups.models import GroupRole, SupportGroup

from .models import (
    AbsencePolicy,
    Attendance,
    Debrief,
    DebriefNote,
    DebriefReview,
    FollowUp,
    GroupSession,
    Member,
)
from .permissions import can_log_session, can_read_debrief, can_review_debrief, can_write_debrief


class SessionNotAllowed(ValidationError):
    """The group is not in a state where sessions can be recorded."""


def _lock_group(group) -> SupportGroup:
    return SupportGroup.objects.select_for_update().get(pk=group.pk)


# Members


def add_member(*, member: Member) -> Member:
    """Add a member to the group, or to its waiting list when the group is already full."""
    with transaction.atomic():
        group = _lock_group(member.group)
        if group.status == SupportGroup.Status.CLOSED:
            raise ValidationError("The group has closed, so it cannot take new members.")
        attending = Member.objects.filter(group=group, status=Member.Status.ACTIVE).count()
        member.status = Member.Status.WAITING_LIST if attending >= group.maximum_size else Member.Status.ACTIVE
        member.full_clean()
        member.save()
    return member


def admit_from_waiting_list(*, member: Member) -> Member:
    """Give a waiting member a place, if the group has room."""
    with transaction.atomic():
        group = _lock_group(member.group)
        if member.status != Member.Status.WAITING_LIST:
            raise ValidationError(f"{member} is not on the waiting list.")
        if Member.objects.filter(group=group, status=Member.Status.ACTIVE).count() >= group.maximum_size:
            raise ValidationError(f"The group is full ({group.maximum_size} members).")
        member.status = Member.Status.ACTIVE
        member.joined_on = max(member.joined_on, timezone.localdate())
        member.save(update_fields=["status", "joined_on"])
    return member


@transaction.atomic
def exit_member(*, member: Member, exited_on: datetime.date, reason: str, aftercare: str, by=None) -> Member:
    """Record that a member has left. Their open follow-ups close, as there is no one to chase."""
    if member.status == Member.Status.EXITED:
        raise ValidationError(f"{member} has already left the group.")
    if exited_on < member.joined_on:
        raise ValidationError({"exited_on": "A member cannot leave before the date they joined."})
    member.status = Member.Status.EXITED
    member.exited_on = exited_on
    member.exit_reason = reason
    member.aftercare_offered = aftercare
    member.full_clean()
    member.save()
    for follow_up in member.follow_ups.open():
        # One save each (not update()) so every change is kept in the audit history.
        close_follow_up(
            follow_up=follow_up, outcome=FollowUp.Outcome.MEMBER_LEFT, note="Closed when the member left.", by=by
        )
    return member


# Sessions and registers


def session_refusal(group) -> str | None:
    """Why sessions cannot be recorded for the group now, or None when they can: only an
    active group holds sessions (not one in planning, paused or closed)."""
    if group.status == SupportGroup.Status.ACTIVE:
        return None
    return f"Sessions can only be recorded for an active group; this group is {group.get_status_display().lower()}."


def record_session(*, session: GroupSession, facilitators, by) -> GroupSession:
    """Record (or correct) a session of an active group."""
    with transaction.atomic():
        group = _lock_group(session.group)
        refusal = session_refusal(group)
        if refusal:
            raise SessionNotAllowed(refusal)
        if session.pk and not session.was_held and session.attendance.exists():
            raise ValidationError(
                {"outcome": "This session has a register, so it was held. Correct the register instead."}
            )
        group = SupportGroup.objects.prefetch_related("roles").get(pk=group.pk)
        if not can_log_session(by, group):
            raise PermissionDenied("Only the group's facilitators record its sessions.")
        session.recorded_by = session.recorded_by or by
        session.full_clean()
        session.save()
        session.facilitators_present.set(facilitators)
    return session


@dataclass(frozen=True)
class FollowUpChanges:
    raised: list
    withdrawn: int


def save_register(*, session: GroupSession, marks: dict[int, str], by) -> FollowUpChanges:
    """Save a session's whole register at once: every mark or none. Earlier marks are kept in
    the attendance history. Then raise follow-ups for members who missed it."""
    if not session.was_held:
        raise ValidationError("A session that did not run has no register.")
    valid = set(Attendance.Status.values)
    if any(status not in valid for status in marks.values()):
        raise ValidationError("Every member needs one of the register's marks.")
    with transaction.atomic():
        existing = {mark.member_id: mark for mark in Attendance.objects.select_for_update().filter(session=session)}
        members = Member.objects.filter(pk__in=marks, group_id=session.group_id)
        if len(members) != len(marks):
            raise ValidationError("The register names someone who is not a member of this group.")
        new, changed = [], []
        for member_id, status in marks.items():
            mark = existing.get(member_id)
            if mark is None:
                new.append(Attendance(session=session, member_id=member_id, status=status, updated_by=by))
            elif mark.status != status:
                mark.status, mark.updated_by = status, by
                changed.append(mark)
        if new:
            bulk_create_with_history(new, Attendance, default_user=by)
        if changed:
            bulk_update_with_history(changed, Attendance, ["status", "updated_by", "updated_at"], default_user=by)
        session.register_taken_at = timezone.now()
        session.save(update_fields=["register_taken_at"])
        return raise_follow_ups(session=session)


def absence_policy_for(group) -> AbsencePolicy:
    """The group's policy, or the default one (unsaved) until a coordinator changes it."""
    return AbsencePolicy.objects.filter(group=group).first() or AbsencePolicy(group=group)


def follow_up_assignee(assignee: str, roles: Iterable[GroupRole]):
    """Who a follow-up goes to, given who the policy names (an AbsencePolicy.Assignee) and the
    group's team in the order they joined: the first lead facilitator (else a co-facilitator,
    else a coordinator) for the lead facilitator's follow-ups, the first coordinator (else the
    lead facilitator) for a coordinator's. None when the team has nobody in those roles."""
    roles = list(roles)
    preference = (
        [GroupRole.Role.LEAD_FACILITATOR, GroupRole.Role.CO_FACILITATOR, GroupRole.Role.COORDINATOR]
        if assignee == AbsencePolicy.Assignee.LEAD_FACILITATOR
        else [GroupRole.Role.COORDINATOR, GroupRole.Role.LEAD_FACILITATOR]
    )
    for wanted in preference:
        for group_role in roles:
            if group_role.role == wanted:
                return group_role.user
    return None


def _assignee(group, assignee: str):
    return follow_up_assignee(assignee, GroupRole.objects.filter(group=group).select_related("user").order_by("pk"))


def follow_up_due_on(policy, raised_on: datetime.date) -> datetime.date:
    """A follow-up is due the policy's number of days after the register that raised it."""
    return raised_on + datetime.timedelta(days=policy.days_to_follow_up)


@dataclass(frozen=True)
class FollowUpStep:
    """What the absence policy asks after a missed session."""

    consecutive_misses: int
    action: str
    # An AbsencePolicy.Assignee; follow_up_assignee says who that is in a group.
    assignee: str


def follow_up_step(marks: Sequence[str], policy) -> FollowUpStep | None:
    """The follow-up a member's latest session calls for, given their marks newest first: none
    unless they missed it; otherwise the policy's step for how many they have missed in a row."""
    if not marks or not policy.counts_as_missed(marks[0]):
        return None
    run = consecutive_misses(marks, policy)
    action, assignee = policy.step_for(run)
    return FollowUpStep(consecutive_misses=run, action=action, assignee=assignee)


def consecutive_misses(marks, policy) -> int:
    """How many sessions in a row a member has missed, given their marks newest first. Under the
    group's policy, apologies may count as a miss or be passed over."""
    run = 0
    for status in marks:
        missed = policy.counts_as_missed(status)
        if missed is None:
            continue
        if not missed:
            break
        run += 1
    return run


def raise_follow_ups(*, session: GroupSession) -> FollowUpChanges:
    """After a register: a follow-up for each member who missed this session, stepped by how many
    they have missed in a row. A corrected register withdraws follow-ups that no longer apply."""
    policy = absence_policy_for(session.group)
    up_to_this_session = Q(session__date__lt=session.date) | Q(
        session__date=session.date, session__starts_at__lte=session.starts_at
    )
    history = (
        Attendance.objects.filter(up_to_this_session, member__attendance__session=session)
        .filter(session__outcome=GroupSession.Outcome.HELD, session__group_id=session.group_id)
        .order_by("-session__date", "-session__starts_at")
        .values_list("member_id", "status")
    )
    # Each marked member's marks, newest first: this session's first, as a group has only one
    # session at a given date and time.
    marks_by_member: dict[int, list[str]] = {}
    for member_id, status in history:
        marks_by_member.setdefault(member_id, []).append(status)

    existing = {follow_up.member_id: follow_up for follow_up in FollowUp.objects.filter(session=session)}
    raised, withdrawn = [], []
    due_on = follow_up_due_on(policy, timezone.localdate())
    assignees = {}
    for member_id, marks in marks_by_member.items():
        follow_up = existing.get(member_id)
        step = follow_up_step(marks, policy)
        if step is None:
            if follow_up and follow_up.is_open:
                withdrawn.append(follow_up.pk)
            continue
        if follow_up:
            continue
        if step.assignee not in assignees:
            assignees[step.assignee] = _assignee(session.group, step.assignee)
        raised.append(
            FollowUp(
                member_id=member_id,
                session=session,
                consecutive_misses=step.consecutive_misses,
                action=step.action,
                assignee=assignees[step.assignee],
                due_on=due_on,
            )
        )
    FollowUp.objects.filter(pk__in=withdrawn).delete()
    return FollowUpChanges(raised=bulk_create_with_history(raised, FollowUp), withdrawn=len(withdrawn))


def close_follow_up(*, follow_up: FollowUp, outcome: str, note: str, by) -> FollowUp:
    if not follow_up.is_open:
        raise ValidationError("This follow-up is already closed.")
    follow_up.outcome, follow_up.note = outcome, note
    follow_up.closed_at, follow_up.closed_by = timezone.now(), by
    follow_up.save(update_fields=["outcome", "note", "closed_at", "closed_by"])
    return follow_up


# Debriefs and supervision


def save_debrief(*, debrief: Debrief, by) -> Debrief:
    """Save a facilitator's own debrief. A reviewed debrief is locked: add a note instead."""
    with transaction.atomic():
        if not can_write_debrief(by, debrief.session) or (debrief.pk and debrief.author_id != by.pk):
            raise PermissionDenied("Only a facilitator who was at the session writes a debrief for it.")
        # Locked, so that a review being signed off at this moment is waited for, then seen: the
        # edit never lands after the sign-off, nor writes back `reviewed` as it was loaded.
        if debrief.pk and Debrief.objects.select_for_update().get(pk=debrief.pk).reviewed:
            raise ValidationError("This debrief has been reviewed and is locked. Add a note instead.")
        debrief.author = by
        debrief.full_clean()
        debrief.save()
    return debrief


def review_debrief(*, debrief: Debrief, by, comments: str, agreed_actions: str = "") -> DebriefReview:
    """The group's supervisor signs a debrief off; from then on it is locked."""
    with transaction.atomic():
        # of=("self",): lock the debrief alone, not its session and group rows the join reads.
        locked = Debrief.objects.select_for_update(of=("self",)).select_related("session__group").get(pk=debrief.pk)
        group = SupportGroup.objects.prefetch_related("roles").get(pk=locked.session.group_id)
        if not can_review_debrief(by, locked, group):
            raise PermissionDenied("Only the group's supervisor reviews its debriefs, and never their own.")
        if locked.reviewed:
            raise ValidationError("This debrief has already been reviewed.")
        if not comments.strip():
            raise ValidationError({"comments": "Write a comment for the facilitator."})
        review = DebriefReview.objects.create(
            debrief=locked, reviewer=by, comments=comments, agreed_actions=agreed_actions
        )
        locked.reviewed = True
        # Nothing the facilitator wrote changes: the review's own history records the sign-off.
        locked.save_without_historical_record(update_fields=["reviewed"])
        return review


def add_debrief_note(*, debrief: Debrief, by, text: str) -> DebriefNote:
    group = SupportGroup.objects.prefetch_related("roles").get(pk=debrief.session.group_id)
    if not can_read_debrief(by, debrief, group):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": "Write the note."})
    return DebriefNote.objects.create(debrief=debrief, author=by, text=text)
