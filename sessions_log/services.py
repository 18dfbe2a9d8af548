"""Every change after a group launches: its members, sessions and registers, follow-ups of
missed sessions, the absence policy, lessons learnt, and debriefs with their review and notes.

Each function follows docs/architecture.md: keyword-only arguments with `by`, one durable
transaction (a private, non-durable body where another service composes it), the group's row
locked first and then what changes, permission and state asked again of what is in the
database, who and why written on the history copy, and events announced after commit. So no
page, admin action or command can skip a rule.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.changes import create_many, delete_change, save_change, update_many
from concerns.models import Concern
from groups.models import ExitStrategy, GroupRole, SupportGroup
from groups.models.documents import DEFAULT_CHECK_IN_WEEKS
from groups.services import lock_group
from groups_site import events
from reports.summary import months_of_follow_ups, refresh_months, this_month

from .counters import refresh_register_counts
from .models import (
    AbsencePolicy,
    Attendance,
    Debrief,
    DebriefNote,
    DebriefReview,
    FollowUp,
    GroupSession,
    Lesson,
    Member,
    Signposting,
)
from .permissions import (
    can_add_debrief_note,
    can_close_follow_up,
    can_edit_absence_policy,
    can_log_session,
    can_manage_members,
    can_record_lesson,
    can_review_debrief,
    can_write_debrief,
)
from .redaction import remember_names


class SessionNotAllowed(ValidationError):
    """The group is not in a state where sessions can be recorded."""


SESSION_ALREADY_RECORDED = "A session at that time is already recorded."


class SessionAlreadyRecorded(ValidationError):
    """The group already has a session at that date and start time: `session`, so that the page
    can link to it."""

    def __init__(self, session):
        super().__init__({"date": SESSION_ALREADY_RECORDED})
        self.session = session


# Members ---------------------------------------------------------------------------------------

MEMBERS_REFUSAL = "Only the group's coordinators and facilitators change its members' records."
GROUP_CLOSED = "The group has closed, so it cannot take new members."


def _lock_members_group(member, by) -> SupportGroup:
    group = lock_group(member.group_id)
    if not can_manage_members(by, group):
        raise PermissionDenied(MEMBERS_REFUSAL)
    return group


def _lock_member(member, group) -> Member:
    """The member as stored, locked, with the group's locked copy; refused if erased meanwhile."""
    locked = Member.objects.select_for_update().filter(pk=member.pk, group=group).first()
    if locked is None:
        raise ValidationError("This member's records have been erased.")
    locked.group = group
    return locked


def group_has_room(group) -> bool:
    """Fewer members attend than the group's largest size."""
    return Member.objects.filter(group=group, status=Member.Status.ACTIVE).count() < group.maximum_size


def signposts_instead_of_waiting(group) -> bool:
    """The group is full, and its plan says to signpost people to other support then rather than
    keep a waiting list ("Running self-harm support groups": what happens when a group is
    oversubscribed): nobody new is added, and where they were pointed to is recorded instead."""
    return group.when_full == SupportGroup.WhenFull.SIGNPOST and not group_has_room(group)


def signposts_while_waiting(group) -> bool:
    """The group's plan is a waiting list, and signposting to other support meanwhile."""
    return group.when_full == SupportGroup.WhenFull.BOTH


class SignpostInstead(ValidationError):
    """The group is full and signposts people elsewhere rather than keeping a waiting list."""


def add_member(*, member: Member, by) -> Member:
    """Add a member to the group; when it is already full, to its waiting list, unless the
    group's plan is to signpost people elsewhere then (record_signposting instead)."""
    with transaction.atomic(durable=True):
        group = _lock_members_group(member, by)
        if group.is_closed:
            raise ValidationError(GROUP_CLOSED)
        _add_member(member, group=group, by=by)
    return member


def _add_member(member: Member, *, group, by) -> None:
    """Inside the caller's transaction, with the group locked and its state checked."""
    if signposts_instead_of_waiting(group):
        raise SignpostInstead(
            f"The group is full ({group.maximum_size} members), and its plan is to signpost people to other "
            "support rather than keep a waiting list. Record where you signposted them instead."
        )
    member.group = group
    member.status = Member.Status.ACTIVE if group_has_room(group) else Member.Status.WAITING_LIST
    member.full_clean()
    waiting = member.is_waiting
    save_change(member, by=by, reason="Added to the waiting list" if waiting else "Joined the group")
    remember_names(group.pk, [member.display_name])
    events.announce(events.member_added, member_id=member.pk, group_id=group.pk, waiting=waiting, by_id=by.pk)


def add_members(*, group: SupportGroup, names: Sequence[str], joined_on: datetime.date, by) -> list[Member]:
    """Add several people at once, one name each, all joining on the same day: every one of them
    or none. Each name is checked as add_member checks one (the group's naming policy), and
    against the people already attending or waiting, so that a list sent twice adds nobody twice.
    Once the group is full, the rest go on its waiting list, in the order given."""
    with transaction.atomic(durable=True):
        group = lock_group(group.pk)
        if not can_manage_members(by, group):
            raise PermissionDenied(MEMBERS_REFUSAL)
        if group.is_closed:
            raise ValidationError(GROUP_CLOSED)
        members = [Member(group=group, display_name=name, joined_on=joined_on) for name in names]
        _refuse_names(members, group)
        for member in members:
            _add_member(member, group=group, by=by)
    return members


def _refuse_names(members: Sequence[Member], group) -> None:
    """Every problem with a list of new members at once, each name's saying which line it is on."""
    current = {
        member.display_name.casefold(): member
        for member in Member.objects.filter(group=group).exclude(status=Member.Status.EXITED)
    }
    first_line: dict[str, int] = {}
    errors: dict[str, list[str]] = {}

    def refuse(field, message):
        if message not in errors.setdefault(field, []):
            errors[field].append(message)

    for line, member in enumerate(members, start=1):
        name, key = member.display_name, member.display_name.casefold()
        on_line = f"Line {line}, \u201c{name}\u201d"
        try:
            member.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    # The date they joined is the same for everyone: said once, not per line.
                    refuse(field, f"{on_line}: {message}" if field == "display_name" else message)
        if key in first_line:
            refuse("display_name", f"{on_line}: this name is on line {first_line[key]} too.")
            continue
        first_line[key] = line
        if key in current:
            if current[key].is_waiting:
                refuse("display_name", f"{on_line}: already on the waiting list. Admit them from the members page.")
            else:
                refuse("display_name", f"{on_line}: already a member of the group.")
    if errors:
        raise ValidationError(errors)


def admit_from_waiting_list(*, member: Member, by) -> Member:
    """Give a waiting member a place, if the group has room."""
    with transaction.atomic(durable=True):
        group = _lock_members_group(member, by)
        locked = _lock_member(member, group)
        if group.is_closed:
            raise ValidationError(GROUP_CLOSED)
        if not locked.is_waiting:
            raise ValidationError(f"{locked} is not on the waiting list.")
        if not group_has_room(group):
            raise ValidationError(f"The group is full ({group.maximum_size} members).")
        locked.status = Member.Status.ACTIVE
        locked.joined_on = max(locked.joined_on, timezone.localdate())
        save_change(locked, by=by, reason="Admitted from the waiting list", update_fields=["status", "joined_on"])
        events.announce(events.member_admitted, member_id=locked.pk, group_id=group.pk, by_id=by.pk)
    return locked


def record_signposting(*, signposting: Signposting, by) -> Signposting:
    """Record that someone was pointed to other support because the group was full
    (signposting.group says which): someone not added, or someone on its waiting list
    (signposting.member) while they wait."""
    with transaction.atomic(durable=True):
        group = lock_group(signposting.group_id)
        if not can_manage_members(by, group):
            raise PermissionDenied(MEMBERS_REFUSAL)
        if group.is_closed:
            raise ValidationError("The group has closed, so nobody is waiting for a place in it.")
        waiting = None
        if signposting.member_id is not None:
            waiting = Member.objects.select_for_update().filter(pk=signposting.member_id, group=group).first()
            if waiting is None or not waiting.is_waiting:
                raise ValidationError("Only someone on this group's waiting list is signposted while they wait.")
        signposting.group, signposting.member, signposting.recorded_by = group, waiting, by
        signposting.full_clean()
        save_change(
            signposting,
            by=by,
            reason="Signposted while waiting" if waiting else "Signposted elsewhere: the group was full",
        )
        events.announce(
            events.signposted,
            signposting_id=signposting.pk,
            group_id=group.pk,
            waiting=waiting is not None,
            by_id=by.pk,
        )
    return signposting


MEMBER_CHANGED = (
    "Someone else changed this member's record since you opened it, so your changes have not been "
    "saved. Their version is shown beside yours: copy anything you need, then save again."
)


def update_member(*, member: Member, by, expected_version: int | None = None) -> Member:
    """Save a correction to a member's record (Member.DETAIL_FIELDS, as `member` now has them),
    only if nobody else has saved it since the editor opened it at `expected_version`: the
    second of two people correcting it at once is told, instead of silently overwriting the
    first. Their status and leaving stay as stored, whatever the caller loaded."""
    with transaction.atomic(durable=True):
        group = _lock_members_group(member, by)
        locked = _lock_member(member, group)
        if expected_version is not None and locked.version != expected_version:
            raise ValidationError(MEMBER_CHANGED, code="changed_since_opened")
        for field in Member.DETAIL_FIELDS:
            setattr(locked, field, getattr(member, field))
        locked.full_clean()
        locked.version += 1
        save_change(locked, by=by, reason="Record corrected", update_fields=[*Member.DETAIL_FIELDS, "version"])
        remember_names(group.pk, [locked.display_name])
    return locked


def exit_member(*, member: Member, exited_on: datetime.date, reason: str, aftercare: str, by) -> Member:
    """Record that a member has left (or come off the waiting list): see _exit_member."""
    with transaction.atomic(durable=True):
        group = _lock_members_group(member, by)
        locked = _lock_member(member, group)
        _exit_member(locked, group=group, exited_on=exited_on, reason=reason, aftercare=aftercare, by=by)
    return locked


def _exit_member(member: Member, *, group, exited_on: datetime.date, reason: str, aftercare: str, by):
    """Inside the caller's transaction, with the group and the member locked and the caller's
    permission checked: every way a member leaves comes here (their leaving recorded on its own,
    and each attending member when the group closes for good).

    Their open follow-ups close, as there are no more sessions to miss. Someone who was attending
    gets a check-in, given to a coordinator and due as many weeks later as the group's exit
    strategy says (LifeSIGNS: support carries on for a while after someone moves on). Someone
    taken off the waiting list never came, so gets none. Returns the check-in, or None.

    Only what leaving writes is checked: a name written before the group's naming rules changed,
    or a contact detail, never stops anyone's leaving being recorded."""
    if member.has_left:
        raise ValidationError(f"{member} has already left the group.")
    if exited_on < member.joined_on:
        raise ValidationError({"exited_on": "A member cannot leave before the date they joined."})
    if reason not in Member.ExitReason.values:
        raise ValidationError({"exit_reason": "Choose why they left."})
    was_waiting = member.is_waiting
    member.status = Member.Status.EXITED
    member.exited_on, member.exit_reason, member.aftercare_offered = exited_on, reason, aftercare
    member.clean_fields(exclude={field.name for field in Member._meta.fields} - set(Member.EXIT_FIELDS))
    member.validate_constraints()
    save_change(
        member,
        by=by,
        reason="Taken off the waiting list" if was_waiting else "Left the group",
        update_fields=list(Member.EXIT_FIELDS),
    )
    for follow_up in FollowUp.objects.open().select_for_update().filter(member=member).order_by("pk"):
        _close_follow_up(
            follow_up,
            group=group,
            outcome=FollowUp.Outcome.MEMBER_LEFT,
            note="Closed when the member left.",
            by=by,
            reason="Closed: the member left",
        )
    check_in = None if was_waiting else _raise_check_in(member, group=group, by=by)
    events.announce(events.member_left, member_id=member.pk, group_id=group.pk, by_id=by.pk if by else None)
    if check_in is not None:
        events.announce(
            events.follow_up_assigned,
            follow_up_id=check_in.pk,
            group_id=group.pk,
            assignee_id=check_in.assignee_id,
            by_id=by.pk if by else None,
        )
    return check_in


def check_in_weeks(exit_strategy) -> int:
    """How many weeks after someone leaves the coordinator checks in with them: as the group's
    exit strategy says, or four until it says."""
    return exit_strategy.check_in_after_weeks if exit_strategy is not None else DEFAULT_CHECK_IN_WEEKS


def check_in_due_on(exit_strategy, exited_on: datetime.date) -> datetime.date:
    """A check-in after leaving is due check_in_weeks after the day the member left."""
    try:
        return exited_on + datetime.timedelta(weeks=check_in_weeks(exit_strategy))
    except OverflowError:  # a leaving date typed near the end of the calendar
        return datetime.date.max


def _raise_check_in(member: Member, *, group, by) -> FollowUp:
    check_in = FollowUp(
        kind=FollowUp.Kind.CHECK_IN,
        member=member,
        action=FollowUp.CHECK_IN_ACTION,
        needs_contact=True,
        assignee=_assignee(group, AbsencePolicy.Assignee.COORDINATOR),
        due_on=check_in_due_on(ExitStrategy.objects.filter(group=group).first(), member.exited_on),
    )
    save_change(check_in, by=by, reason="Check-in raised: the member left")
    # Counted in the funder report's follow-ups raised, as every follow-up is.
    refresh_months(group.pk, {this_month()})
    return check_in


# Sessions and registers ------------------------------------------------------------------------


PAUSED_GROUP_RECORDS_ONLY_MISSED_MEETINGS = (
    "While the group is paused, only meetings that did not run are recorded, with what members were offered instead."
)


def session_refusal(group, *, held: bool = True) -> str | None:
    """Why a session cannot be recorded for the group now, or None when it can. An active group
    records its sessions and registers. A paused group holds none, but still records each meeting
    that did not run, with what members were offered instead (GW-9). A group in planning or
    closed records nothing."""
    if group.is_running or (group.is_paused and not held):
        return None
    if group.is_paused:
        return PAUSED_GROUP_RECORDS_ONLY_MISSED_MEETINGS
    return f"Sessions can only be recorded for an active group; this group is {group.get_status_display().lower()}."


def _lock_running_group(group_id, by, *, refusal: str) -> SupportGroup:
    group = lock_group(group_id)
    if not can_log_session(by, group):
        raise PermissionDenied(refusal)
    not_running = session_refusal(group)
    if not_running:
        raise SessionNotAllowed(not_running)
    return group


# What a facilitator records about a session; the register, the erased members' numbers and
# who recorded it are written by their own services.
SESSION_DETAILS = ("date", "starts_at", "ends_at", "format", "outcome", "not_run_reason", "offered_instead")


def record_session(*, session: GroupSession, facilitators, by) -> GroupSession:
    """Record (or correct) a session of an active group, or a meeting of a paused group that did
    not run, with what members were offered instead."""
    with transaction.atomic(durable=True):
        group = lock_group(session.group_id)
        if not can_log_session(by, group):
            raise PermissionDenied("Only the group's facilitators record its sessions.")
        refusal = session_refusal(group, held=session.was_held)
        if refusal:
            raise SessionNotAllowed(refusal)
        if group.is_paused and not session.offered_instead.strip():
            raise ValidationError(
                {"offered_instead": "Say what members were offered instead while the group is paused."}
            )
        session.group = group
        correcting = session.pk is not None
        months = {session.date}
        if correcting:
            stored = GroupSession.objects.select_for_update().filter(pk=session.pk, group=group).first()
            if stored is None:
                raise ValidationError("This session is no longer recorded.")
            months.add(stored.date)
            if not session.was_held and stored.attendance.exists():
                raise ValidationError(
                    {"outcome": "This session has a register, so it was held. Correct the register instead."}
                )
        else:
            session.recorded_by = by
        # Before full_clean, whose unique-constraint check would word this in Django's terms; the
        # group's lock means no one records the same time meanwhile.
        already_recorded = GroupSession.objects.at_the_time_of(session).first()
        if already_recorded is not None:
            raise SessionAlreadyRecorded(already_recorded)
        if not correcting or (stored.date, stored.outcome) != (session.date, session.outcome):
            # Checked when the date is chosen, not on every correction: members' records erased
            # since may have moved the first join date past sessions long recorded.
            refusal = session.date_refusal()
            if refusal:
                raise ValidationError({"date": refusal})
        session.full_clean()
        save_change(
            session,
            by=by,
            reason="Session corrected" if correcting else "Session recorded",
            # A correction writes only the details: never the register's time or erased members'
            # numbers as this copy was loaded.
            update_fields=list(SESSION_DETAILS) if correcting else None,
        )
        session.facilitators_present.set(facilitators)
        # The funder report's summary of the month it is in now, and was in before a correction.
        refresh_months(group.pk, months)
        events.announce(events.session_recorded, session_id=session.pk, group_id=group.pk, by_id=by.pk)
    return session


@dataclass(frozen=True)
class FollowUpChanges:
    raised: list
    withdrawn: int


REGISTER_CHANGED = (
    "Someone else saved this register since you opened it, so yours has not been saved. Their marks are "
    "shown beside yours: check them, then save again to keep yours."
)


def save_register(
    *, session: GroupSession, marks: dict[int, str], by, expected_version: int | None = None
) -> FollowUpChanges:
    """Save a session's whole register at once: every mark or none, only if nobody else has saved
    it since the facilitator opened it at `expected_version` (GroupSession.register_version), so
    that the second of two people taking it at once is told, and shown both, instead of
    overwriting the first and withdrawing the follow-ups it raised. The session's row is locked
    (after the group's), so two first saves at the same moment are one saved and one refused,
    never a clash of marks. Earlier marks are kept in the attendance history. Then raise
    follow-ups for members who missed it."""
    valid = set(Attendance.Status.values)
    if any(status not in valid for status in marks.values()):
        raise ValidationError("Every member needs one of the register's marks.")
    with transaction.atomic(durable=True):
        group = _lock_running_group(session.group_id, by, refusal="Only the group's facilitators take its register.")
        locked = GroupSession.objects.select_for_update().filter(pk=session.pk, group=group).first()
        if locked is None or not locked.was_held:
            raise ValidationError("A session that did not run has no register.")
        if expected_version is not None and locked.register_version != expected_version:
            raise ValidationError(REGISTER_CHANGED, code="changed_since_opened")
        existing = {mark.member_id: mark for mark in Attendance.objects.select_for_update().filter(session=locked)}
        members = Member.objects.filter(pk__in=marks, group=group)
        if len(members) != len(marks):
            raise ValidationError("The register names someone who is not a member of this group.")
        correcting = locked.has_register
        # Follow-ups a correction withdraws stop counting in the month they were raised.
        months = {locked.date, this_month(), *months_of_follow_ups(FollowUp.objects.filter(session=locked))}
        new, changed = [], []
        for member_id, status in marks.items():
            mark = existing.get(member_id)
            if mark is None:
                new.append(Attendance(session=locked, member_id=member_id, status=status, updated_by=by))
            elif mark.status != status:
                mark.status, mark.updated_by = status, by
                changed.append(mark)
        reason = "Register corrected" if correcting else "Register taken"
        if new:
            create_many(Attendance, new, by=by, reason=reason)
        if changed:
            update_many(Attendance, changed, ["status", "updated_by", "updated_at"], by=by, reason=reason)
        locked.register_taken_at = timezone.now()
        locked.register_version += 1
        save_change(locked, by=by, reason=reason, update_fields=["register_taken_at", "register_version"])
        refresh_register_counts(session_ids=[locked.pk], member_ids=[*existing, *marks])
        session.register_taken_at, session.register_version = locked.register_taken_at, locked.register_version
        changes = _raise_follow_ups(session=locked, by=by)
        refresh_months(group.pk, months)
        events.announce(events.register_saved, session_id=locked.pk, group_id=group.pk, by_id=by.pk)
        for follow_up in changes.raised:
            events.announce(
                events.follow_up_assigned,
                follow_up_id=follow_up.pk,
                group_id=group.pk,
                assignee_id=follow_up.assignee_id,
                by_id=by.pk,
            )
    return changes


def absence_policy_for(group) -> AbsencePolicy:
    """The group's policy, or the default one (unsaved) until a coordinator changes it."""
    return AbsencePolicy.objects.filter(group=group).first() or AbsencePolicy(group=group)


def save_absence_policy(*, policy: AbsencePolicy, by) -> AbsencePolicy:
    """Save the group's absence policy (policy.group says which). It applies to registers saved
    from then on."""
    with transaction.atomic(durable=True):
        group = lock_group(policy.group_id)
        if not can_edit_absence_policy(by, group):
            raise PermissionDenied("Only a coordinator of this group can change its absence policy.")
        stored = AbsencePolicy.objects.select_for_update().filter(group=group).first()
        if stored is not None and policy.pk != stored.pk:
            # Someone saved the group's first policy since this one was opened: this replaces it.
            policy.pk, policy._state.adding = stored.pk, False
        policy.full_clean()
        save_change(policy, by=by, reason="Absence policy saved")
    return policy


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
    # Whether the step means reaching the member between sessions (a message, a call).
    needs_contact: bool = True


def follow_up_step(marks: Sequence[str], policy) -> FollowUpStep | None:
    """The follow-up a member's latest session calls for, given their marks newest first: none
    unless they missed it; otherwise the policy's step for how many they have missed in a row."""
    if not marks or not policy.counts_as_missed(marks[0]):
        return None
    run = consecutive_misses(marks, policy)
    action, assignee, needs_contact = policy.step_for(run)
    return FollowUpStep(consecutive_misses=run, action=action, assignee=assignee, needs_contact=needs_contact)


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


def _raise_follow_ups(*, session: GroupSession, by) -> FollowUpChanges:
    """After a register: a follow-up for each member who missed this session, stepped by how many
    they have missed in a row. A corrected register withdraws follow-ups that no longer apply.
    Inside save_register's transaction."""
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
    today = timezone.localdate()
    due_on = follow_up_due_on(policy, today)
    # While a safeguarding concern or a risk to life about a member is open, their follow-ups are
    # the same day's and a coordinator's, whatever the policy's step (as raise_concern made them).
    under_concern = set(
        Concern.objects.open().escalating().filter(member_id__in=marks_by_member).values_list("member_id", flat=True)
    )
    assignees = {}
    for member_id, marks in marks_by_member.items():
        follow_up = existing.get(member_id)
        step = follow_up_step(marks, policy)
        if step is None:
            if follow_up and follow_up.is_open:
                withdrawn.append(follow_up)
            continue
        if follow_up:
            continue
        assignee = AbsencePolicy.Assignee.COORDINATOR if member_id in under_concern else step.assignee
        if assignee not in assignees:
            assignees[assignee] = _assignee(session.group, assignee)
        raised.append(
            FollowUp(
                member_id=member_id,
                session=session,
                consecutive_misses=step.consecutive_misses,
                action=step.action,
                needs_contact=step.needs_contact,
                assignee=assignees[assignee],
                due_on=today if member_id in under_concern else due_on,
            )
        )
    for follow_up in withdrawn:
        delete_change(follow_up, by=by, reason="Withdrawn: the register was corrected")
    raised = create_many(FollowUp, raised, by=by, reason="Raised: sessions missed") if raised else []
    return FollowUpChanges(raised=raised, withdrawn=len(withdrawn))


def check_in_action(raised_on: datetime.date) -> str:
    """What a check-in after a concern asks: never what the concern was."""
    return f"Check in with them after the concern raised on {raised_on:%-d %B}: how are they, who supports them?"


def _follow_up_after_concern(*, member: Member, group, by) -> FollowUp:
    """After a safeguarding concern or a risk to life about a member, inside raise_concern's
    transaction with the group locked: the member's open follow-ups become a check-in due today
    (or stay overdue) for a coordinator (follow_up_assignee's choice; nobody changes hands when
    the team has none); when none is open, a check-in after the concern is raised, due today,
    for a coordinator. Returns the follow-up to act on: the earliest due."""
    today = timezone.localdate()
    coordinator = _assignee(group, AbsencePolicy.Assignee.COORDINATOR)
    open_follow_ups = list(FollowUp.objects.open().select_for_update().filter(member=member).order_by("due_on", "pk"))
    for follow_up in open_follow_ups:
        # What the absence policy asked (a friendly message, say) gives way to a check-in; the
        # follow-up's history keeps what it was.
        follow_up.action = check_in_action(today)
        follow_up.due_on = min(follow_up.due_on, today)
        follow_up.assignee = coordinator or follow_up.assignee
        save_change(
            follow_up,
            by=by,
            reason="Brought forward after a concern",
            update_fields=["action", "due_on", "assignee"],
        )
    if not open_follow_ups:
        open_follow_ups = [
            save_change(
                FollowUp(
                    member=member,
                    kind=FollowUp.Kind.AFTER_CONCERN,
                    action=check_in_action(today),
                    assignee=coordinator,
                    due_on=today,
                ),
                by=by,
                reason="Raised: check-in after a concern",
            )
        ]
        refresh_months(group.pk, {this_month()})
    for follow_up in open_follow_ups:
        events.announce(
            events.follow_up_assigned,
            follow_up_id=follow_up.pk,
            group_id=group.pk,
            assignee_id=follow_up.assignee_id,
            by_id=by.pk,
        )
    return open_follow_ups[0]


def close_follow_up(*, follow_up: FollowUp, outcome: str, note: str, by) -> FollowUp:
    """Close a follow-up with what came of it. The person it was given to, and the group's
    coordinators and facilitators, may."""
    if outcome not in FollowUp.Outcome.values:
        raise ValidationError({"outcome": "Say what came of it."})
    with transaction.atomic(durable=True):
        group = lock_group(follow_up.member.group_id)
        locked = FollowUp.objects.select_for_update().filter(pk=follow_up.pk, member__group=group).first()
        if locked is None:
            raise ValidationError("This follow-up is no longer held: the member's records were erased.")
        if not can_close_follow_up(by, locked, group):
            raise PermissionDenied(
                "Only the person it was given to, or the group's coordinators and facilitators, close a follow-up."
            )
        if not locked.is_open:
            raise ValidationError("This follow-up is already closed.")
        _close_follow_up(locked, group=group, outcome=outcome, note=note, by=by, reason="Follow-up closed")
    return locked


def _close_follow_up(follow_up, *, group, outcome, note, by, reason) -> None:
    """Inside the caller's transaction, with the follow-up locked and the caller's checks made."""
    follow_up.outcome, follow_up.note = outcome, note
    follow_up.closed_at, follow_up.closed_by = timezone.now(), by
    save_change(follow_up, by=by, reason=reason, update_fields=["outcome", "note", "closed_at", "closed_by"])
    refresh_months(group.pk, {this_month()})
    events.announce(
        events.follow_up_closed,
        follow_up_id=follow_up.pk,
        group_id=group.pk,
        assignee_id=follow_up.assignee_id,
        by_id=by.pk if by else None,
    )


# Lessons learnt --------------------------------------------------------------------------------


class LessonAlreadyRecorded(ValidationError):
    """This person has recorded this very lesson already: `lesson`, which the page can go to."""

    def __init__(self, lesson):
        super().__init__("This lesson was saved already, so it has not been saved twice.")
        self.lesson = lesson


# What makes two lessons the same one: everything the person wrote and chose.
LESSON_CONTENT = ["session_id", "theme", "what_worked", "what_to_change", "action", "action_owner_id"]


def record_lesson(*, lesson: Lesson, by) -> Lesson:
    """Record something learnt about running the group (lesson.group says which), from one of its
    sessions or in general. The same lesson sent again by the same person (the browser's Back, then
    Save; or a double tap) records nothing more (LessonAlreadyRecorded): a lesson has no natural
    key, and a page seen signed in is never cached, so Back shows a new form with the typing kept."""
    with transaction.atomic(durable=True):
        group = lock_group(lesson.group_id)
        if not can_record_lesson(by, group):
            raise PermissionDenied("Only the group's coordinators and facilitators record its lessons.")
        # Under the group's lock, so a double tap waits for the first save, then finds it.
        earlier = Lesson.objects.filter(
            group=group, created_by=by, **{field: getattr(lesson, field) for field in LESSON_CONTENT}
        ).first()
        if earlier is not None:
            raise LessonAlreadyRecorded(earlier)
        if lesson.session_id and not GroupSession.objects.filter(pk=lesson.session_id, group=group).exists():
            raise ValidationError({"session": "That session is not one of this group's."})
        lesson.group, lesson.created_by = group, by
        lesson.full_clean()
        save_change(lesson, by=by, reason="Lesson recorded")
    return lesson


# Debriefs and supervision ----------------------------------------------------------------------


def _lock_debriefs_group(session) -> tuple[SupportGroup, GroupSession]:
    group = lock_group(session.group_id)
    return group, GroupSession.objects.prefetch_related("facilitators_present").get(pk=session.pk, group=group)


def save_debrief(*, debrief: Debrief, by) -> Debrief:
    """Save a facilitator's own debrief. A reviewed debrief is locked: add a note instead."""
    with transaction.atomic(durable=True):
        group, session = _lock_debriefs_group(debrief.session)
        if not can_write_debrief(by, session, group) or (debrief.pk and debrief.author_id != by.pk):
            raise PermissionDenied("Only a facilitator who was at the session writes a debrief for it.")
        # Locked, so that a review being signed off at this moment is waited for, then seen: the
        # edit never lands after the sign-off, nor writes back `reviewed` as it was loaded.
        if debrief.pk and Debrief.objects.select_for_update().get(pk=debrief.pk).is_locked:
            raise ValidationError("This debrief has been reviewed and is locked. Add a note instead.")
        debrief.author = by
        debrief.full_clean()
        writing = debrief.pk is None
        save_change(debrief, by=by, reason="Debrief written" if writing else "Debrief changed")
        events.announce(
            events.debrief_saved,
            debrief_id=debrief.pk,
            group_id=group.pk,
            by_id=by.pk,
            flagged=debrief.is_flagged,
        )
    return debrief


def _lock_debrief(debrief) -> tuple[SupportGroup, Debrief]:
    group = lock_group(debrief.session.group_id)
    # of=("self",): lock the debrief alone, not the session row the join reads.
    locked = (
        Debrief.objects.select_for_update(of=("self",))
        .select_related("session")
        .filter(pk=debrief.pk, session__group=group)
        .first()
    )
    if locked is None:
        raise ValidationError("This debrief is no longer held.")
    return group, locked


def review_debrief(*, debrief: Debrief, by, comments: str, agreed_actions: str = "") -> DebriefReview:
    """The group's supervisor signs a debrief off; from then on it is locked."""
    with transaction.atomic(durable=True):
        group, locked = _lock_debrief(debrief)
        if not can_review_debrief(by, locked, group):
            raise PermissionDenied("Only the group's supervisor reviews its debriefs, and never their own.")
        if locked.is_locked:
            raise ValidationError("This debrief has already been reviewed.")
        if not comments.strip():
            raise ValidationError({"comments": "Write a comment for the facilitator."})
        review = save_change(
            DebriefReview(debrief=locked, reviewer=by, comments=comments, agreed_actions=agreed_actions),
            by=by,
            reason="Reviewed",
        )
        locked.reviewed = True
        # Nothing the facilitator wrote changes: the review's own history records the sign-off.
        locked.save_without_historical_record(update_fields=["reviewed"])
        events.announce(events.debrief_reviewed, debrief_id=locked.pk, group_id=group.pk, by_id=by.pk)
    return review


def add_debrief_note(*, debrief: Debrief, by, text: str) -> DebriefNote:
    """Add a note to a debrief, before or after its review: the only way to add to it once it is
    locked."""
    with transaction.atomic(durable=True):
        group, locked = _lock_debrief(debrief)
        if not can_add_debrief_note(by, locked, group):
            raise PermissionDenied("Only the debrief's author and the group's supervisor add notes to it.")
        if not text.strip():
            raise ValidationError({"text": "Write the note."})
        note = save_change(DebriefNote(debrief=locked, author=by, text=text), by=by, reason="Note added")
        events.announce(events.debrief_note_added, debrief_id=locked.pk, group_id=group.pk, by_id=by.pk)
    return note
