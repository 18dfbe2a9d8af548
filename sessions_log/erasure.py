"""Erasing members' records: when a member asks (UK GDPR, the right to erasure) and when a
group's retention period has passed (LifeSIGNS LS-Q20; each group's plan says how long).

Both go through one mechanism, `_erase_members`. The member, their attendance marks, their
follow-ups and every history copy of them go. What stays: each session's attendance numbers
(the erased marks are added to totals kept on the session, so `with_register_counts()` gives the
same numbers as before) and an access event saying that member number N was erased, and why,
which the retention purge keeps.
"""

import calendar
import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, fields

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from audit.changes import save_change
from audit.models import AccessEvent
from audit.services import purge_access_log, record_access
from concerns.retention import erase_records_of_group
from groups.models import SupportGroup
from groups.services import lock_group
from groups_site import events
from reports.summary import keep_erased_members, refresh_months

from . import subject_access
from .counters import refresh_register_counts
from .models import (
    Attendance,
    Debrief,
    DebriefNote,
    DebriefReview,
    FollowUp,
    GroupSession,
    Member,
    MemberRequest,
    Signposting,
)
from .permissions import can_handle_subject_requests
from .redaction import remember_names

REASON_MAX_LENGTH = AccessEvent._meta.get_field("detail").max_length
# Why a session's totals changed, in its history: never whose marks, nor why they were erased.
ERASED_MARKS_KEPT = "An erased member's marks kept as numbers"

logger = logging.getLogger(__name__)


@dataclass
class ErasureCounts:
    """How much was erased: numbers only, never whose or what."""

    members: int = 0
    attendance_marks: int = 0
    follow_ups: int = 0
    debriefs: int = 0
    concerns: int = 0
    complaints: int = 0
    history_copies: int = 0
    access_events: int = 0
    # Notes that had the member's name taken out, with their earlier versions (on request only).
    notes_rewritten: int = 0

    def __iadd__(self, other: "ErasureCounts") -> "ErasureCounts":
        for count in fields(self):
            setattr(self, count.name, getattr(self, count.name) + getattr(other, count.name))
        return self

    def __bool__(self) -> bool:
        return any(getattr(self, count.name) for count in fields(self))


# On request ------------------------------------------------------------------------------------


def erase_member(*, member: Member, reason: str, by, remove_name_from=frozenset()) -> ErasureCounts:
    """Erase a member at their request: their record, attendance marks, follow-ups and every
    earlier version of them. Only the group's coordinators may, and they must say why. The
    sessions they came to keep their attendance numbers. Their name is also taken out of the
    mentions in notes whose keys are in `remove_name_from` (subject_access.remove_name_from_notes:
    exactly as recorded, in lessons and follow-up notes, a common word only with the supervisor's
    agreement on the member's open request), in the same transaction. The redaction list keeps
    their names' keyed hashes, so other members' exports still hide them."""
    # The access log keeps facts, never who: a name they were recorded under, typed into the
    # reason, is taken out.
    reason = subject_access.MemberNames.of(member).replaced(reason.strip(), "[the member]")
    if not reason:
        raise ValidationError({"reason": "Say why this member's records are being erased."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters."})
    with transaction.atomic(durable=True):
        group = lock_group(member.group_id)
        if not can_handle_subject_requests(by, group):
            raise PermissionDenied("Only the group's coordinators erase a member's records.")
        locked = Member.objects.select_for_update().filter(pk=member.pk, group=group).first()
        if locked is None:
            raise ValidationError("This member's records have already been erased.")
        locked.group = group
        request = MemberRequest.objects.filter(member=locked).first()
        notes_rewritten = subject_access.remove_name_from_notes(
            member=locked,
            keys=remove_name_from,
            by=by,
            replacement_agreed=request is not None and request.replacement_agreed,
        )
        counts = _erase_members(group=group, member_ids=[locked.pk], reason=reason, by=by)
        counts.notes_rewritten = notes_rewritten
        return counts


# When a group stops holding contact details -----------------------------------------------------

CONTACT_DETAILS_ERASED = "Contact details erased: the group no longer holds them"


def stop_holding_contact_details(*, group, by) -> int:
    """The group's plan stops holding members' contact details: every one held is erased, with
    the consent recorded for it, and so is every earlier copy of them in the change history.
    Only the group's coordinators may, even once the group has closed (erasing is never
    refused). Returns how many members' details were erased."""
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        if not can_handle_subject_requests(by, locked):
            raise PermissionDenied("Only the group's coordinators decide whether it holds contact details.")
        if not locked.holds_contact_details:
            raise ValidationError("This group already holds no contact details.")
        members = list(locked.members_with_contact_details().select_for_update().order_by("pk"))
        blank = {"contact_details": "", "contact_consent_on": None, "contact_consent_how": ""}
        for member in members:
            for field, value in blank.items():
                setattr(member, field, value)
            save_change(member, by=by, reason=CONTACT_DETAILS_ERASED, update_fields=list(blank))
        # The history keeps no copy: earlier versions are blanked where they are, as erasure
        # takes a name out of notes (subject_access.remove_name_from_notes).
        for version in Member.history.filter(group_id=locked.pk).exclude(**blank).order_by("history_id"):
            for field, value in blank.items():
                setattr(version, field, value)
            version.save(update_fields=list(blank))
        locked.holds_contact_details = False
        save_change(
            locked, by=by, reason="Stopped holding members' contact details", update_fields=["holds_contact_details"]
        )
        events.announce(events.contact_details_erased, group_id=locked.pk, erased=len(members), by_id=by.pk)
    return len(members)


# When the retention period has passed ----------------------------------------------------------


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def retention_cutoff(group, today: datetime.date) -> datetime.date:
    """Records of anyone who left (or of a group that closed) before this date have been kept
    for longer than the group's plan allows."""
    return months_before(today, group.retention_months)


def group_past_retention(group, today: datetime.date) -> bool:
    """A group closed for longer than its retention period: none of its member records stay."""
    return group.closed_at is not None and timezone.localdate(group.closed_at) < retention_cutoff(group, today)


def members_past_retention(group, today: datetime.date):
    """Members whose records have been kept as long as the group's plan allows: everyone, once the
    group has been closed for longer than its retention period; otherwise those who left longer
    ago than that."""
    if group_past_retention(group, today):
        return Member.objects.filter(group=group)
    return Member.objects.filter(group=group, status=Member.Status.EXITED, exited_on__lt=retention_cutoff(group, today))


def _history_left_behind(group, today: datetime.date) -> list[int]:
    """Members no longer in the table (removed some other way) whose history copies are older than
    the retention period: their copies go too. Once the group is past retention, all of them."""
    gone = Member.history.filter(group_id=group.pk).exclude(id__in=Member.objects.values("pk")).order_by()
    if not group_past_retention(group, today):
        cutoff = datetime.datetime.combine(retention_cutoff(group, today), datetime.time.min)
        gone = gone.values("id").annotate(last=Max("history_date")).filter(last__lt=timezone.make_aware(cutoff))
    return sorted(set(gone.values_list("id", flat=True)))


def access_log_cutoff(today: datetime.date, group=None) -> datetime.datetime:
    """Access events recorded before this moment have been kept as long as the settings say, or
    for the group's retention period if that is longer (which, for a record, runs from when the
    member left or the group closed, so a record can outlive the log of who opened it)."""
    months = max(settings.ACCESS_LOG_RETENTION_MONTHS, group.retention_months if group else 0)
    day = months_before(today, months)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class PurgeIncomplete(Exception):
    """The retention purge could not purge some groups. Every other group's purge was kept (each
    runs in its own transaction); these are left as they were, for the next run to try again.
    Carries what was erased and the failed groups' ids (never names)."""

    def __init__(self, *, counts: ErasureCounts, failed_group_ids: list[int]):
        self.counts = counts
        self.failed_group_ids = failed_group_ids
        ids = ", ".join(str(group_id) for group_id in failed_group_ids)
        super().__init__(f"The purge failed for {len(failed_group_ids)} group(s) (ids {ids}).")


def purge_expired(*, by, today: datetime.date | None = None, dry_run: bool = False) -> ErasureCounts:
    """Erase every member record kept longer than its group's plan allows (LS-Q20), with their
    history copies, keeping sessions' attendance numbers; and the debriefs, concerns and complaints
    log of groups closed for longer than that, keeping the sessions themselves; and the access log older than
    ACCESS_LOG_RETENTION_MONTHS (or the group's own period, if longer), all but the records of
    erasures. A dry run does all of it and undoes it, so its counts are exactly what a real run
    would erase. `by` is None when the system runs it (the daily command).

    Each group is purged in a transaction of its own, so one group that fails neither stops nor
    undoes the others: the purge carries on, and then raises PurgeIncomplete naming the groups
    that failed (by id) with the counts of what it did erase."""
    today = today or timezone.localdate()
    counts = ErasureCounts()
    failed_group_ids = []
    for group in SupportGroup.objects.order_by("pk"):
        try:
            counts += _purge_group(group, today=today, dry_run=dry_run, by=by)
        except Exception as error:
            # The group's id and the kind of error only: a database error's text can quote a row.
            logger.error("The retention purge failed for group %s (%s).", group.pk, type(error).__name__)
            failed_group_ids.append(group.pk)
    with transaction.atomic(durable=True):
        counts.access_events += purge_access_log(before=access_log_cutoff(today), group=None)
        if dry_run:
            transaction.set_rollback(True)
    if failed_group_ids:
        raise PurgeIncomplete(counts=counts, failed_group_ids=failed_group_ids)
    return counts


def _purge_group(group, *, today: datetime.date, dry_run: bool, by) -> ErasureCounts:
    """One group's part of the purge, all of it kept or none."""
    counts = ErasureCounts()
    with transaction.atomic(durable=True):
        expired = list(members_past_retention(group, today).values_list("pk", flat=True))
        if expired:
            when = "the group closed" if group_past_retention(group, today) else "the member left"
            reason = f"Retention period ended: {group.retention_months} months after {when}."
            counts += _erase_members(group=group, member_ids=expired, reason=reason, by=by)
        counts.history_copies += _delete_history_of_members(_history_left_behind(group, today))
        if group_past_retention(group, today):
            counts += _erase_debriefs(group=group)
            concerns, complaints, history_copies = erase_records_of_group(group)
            counts += ErasureCounts(concerns=concerns, complaints=complaints, history_copies=history_copies)
        counts.access_events += purge_access_log(before=access_log_cutoff(today, group), group=group)
        if dry_run:
            transaction.set_rollback(True)
    return counts


# The one mechanism -----------------------------------------------------------------------------


def _erase_members(*, group, member_ids: list[int], reason: str, by) -> ErasureCounts:
    """Inside the caller's transaction: fold the members' marks into their sessions' totals,
    record each erasure (member id and reason only), then delete the members, their marks and
    follow-ups, and every history copy of them."""
    attended = Q(status__in=Attendance.ATTENDED)
    marks = (
        Attendance.objects.filter(member_id__in=member_ids)
        .order_by()
        .values("session_id")
        .annotate(marked=Count("pk"), attended=Count("pk", filter=attended))
    )
    by_session = {row["session_id"]: row for row in marks}
    # Locked, so a register saved at the same moment cannot lose these numbers.
    for session in GroupSession.objects.select_for_update().filter(pk__in=by_session).order_by("pk"):
        session.erased_marked_count += by_session[session.pk]["marked"]
        session.erased_attended_count += by_session[session.pk]["attended"]
        # save(), not update(): the change to the totals is itself kept in the session's history.
        save_change(
            session,
            by=by,
            reason=ERASED_MARKS_KEPT,
            update_fields=["erased_marked_count", "erased_attended_count"],
        )

    counts = ErasureCounts(
        members=len(member_ids),
        attendance_marks=sum(row["marked"] for row in by_session.values()),
        follow_ups=FollowUp.objects.filter(member_id__in=member_ids).count(),
    )
    for member_id in member_ids:
        record_access(
            user=by, action=AccessEvent.Action.ERASED_MEMBER, obj=Member(pk=member_id), group=group, detail=reason
        )
    counts.history_copies = _delete_history_of_members(member_ids)
    # What they counted in the funder report stays, as numbers: a past report does not change.
    months = keep_erased_members(group.pk, member_ids)
    # Deleting the members takes their marks and follow-ups with them (the foreign keys cascade).
    Member.objects.filter(pk__in=member_ids).delete()
    # The sessions' totals stay as they were (the marks now count as erased members' numbers):
    # worked out again, they must come to the same.
    refresh_register_counts(session_ids=by_session)
    refresh_months(group.pk, months)
    # Deleting writes a last history copy of each row ("deleted"): those go as well.
    _delete_history_of_members(member_ids)
    return counts


def _names_of(member_ids) -> dict[int, set[str]]:
    names = defaultdict(set)
    for group_id, name in Member.history.filter(id__in=member_ids).values_list("group_id", "display_name"):
        names[group_id].add(name)
    for group_id, name in Member.objects.filter(pk__in=member_ids).values_list("group_id", "display_name"):
        names[group_id].add(name)
    return names


def _delete_history_of_members(member_ids) -> int:
    if not member_ids:
        return 0
    # Their names stay recognisable (as keyed hashes only), so other members' exports and what
    # supervisors read keep them hidden once the names themselves are gone.
    for group_id, names in _names_of(member_ids).items():
        remember_names(group_id, names)
    return sum(
        history.filter(**{lookup: member_ids}).delete()[0]
        for history, lookup in (
            (Member.history, "id__in"),
            (Attendance.history, "member_id__in"),
            (FollowUp.history, "member_id__in"),
            (Signposting.history, "member_id__in"),
            (MemberRequest.history, "member_id__in"),
        )
    )


def _erase_debriefs(*, group) -> ErasureCounts:
    """The debriefs of a group past its retention period go, with their reviews, notes and history
    copies. The sessions stay, so the fact that each was held is kept."""
    sessions = GroupSession.history.filter(group_id=group.pk).values("id")
    debrief_ids = sorted(set(Debrief.history.filter(session_id__in=sessions).values_list("id", flat=True)))
    live = Debrief.objects.filter(pk__in=debrief_ids)
    counts = ErasureCounts(debriefs=live.count(), history_copies=_delete_history_of_debriefs(debrief_ids))
    live.delete()  # reviews and notes cascade
    _delete_history_of_debriefs(debrief_ids)
    return counts


def _delete_history_of_debriefs(debrief_ids) -> int:
    if not debrief_ids:
        return 0
    return sum(
        history.filter(**{lookup: debrief_ids}).delete()[0]
        for history, lookup in (
            (Debrief.history, "id__in"),
            (DebriefReview.history, "debrief_id__in"),
            (DebriefNote.history, "debrief_id__in"),
        )
    )
