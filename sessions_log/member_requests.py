"""A member's request for their records or their erasure that reaches debrief material, which
coordinators never read: the coordinator asks the group's supervisor to answer for it, and the
supervisor may agree that erasure takes the member's name out of notes although it is also a
common word. Services as docs/architecture.md describes them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.changes import save_change
from groups.services import lock_group
from groups_site import events

from .models import Member, MemberRequest
from .permissions import can_answer_for_debrief_material, can_handle_subject_requests


def _locked_member(member, group) -> Member:
    locked = Member.objects.select_for_update().filter(pk=member.pk, group=group).first()
    if locked is None:
        raise ValidationError("This member's records have been erased.")
    locked.group = group
    return locked


def ask_supervisor(*, member: Member, by) -> MemberRequest:
    """Open (or open again, for another month) the member's request, so the group's supervisor may
    answer for the debrief material naming them. Only the group's coordinators, who handle the
    member's requests, may; a request opened again needs the supervisor's agreement again."""
    with transaction.atomic(durable=True):
        group = lock_group(member.group_id)
        if not can_handle_subject_requests(by, group):
            raise PermissionDenied("Only the group's coordinators handle a member's requests.")
        locked = _locked_member(member, group)
        request = MemberRequest.objects.select_for_update().filter(member=locked).first()
        reason = "Supervisor asked again" if request else "Supervisor asked"
        request = request or MemberRequest(member=locked)
        request.opened_by, request.opened_at = by, timezone.now()
        request.replacement_agreed_by = request.replacement_agreed_at = None
        save_change(request, by=by, reason=reason)
        events.announce(events.member_request_opened, member_id=locked.pk, group_id=group.pk, by_id=by.pk)
    return request


def agree_to_name_replacement(*, member: Member, by) -> MemberRequest:
    """The group's supervisor, having seen the notes, agrees that erasure may replace the member's
    name although it is also a common word; only while the member's request is open."""
    with transaction.atomic(durable=True):
        group = lock_group(member.group_id)
        if not can_answer_for_debrief_material(by, group):
            raise PermissionDenied("Only the group's supervisor agrees to this.")
        locked = _locked_member(member, group)
        request = MemberRequest.objects.select_for_update().open().filter(member=locked).first()
        if request is None:
            raise ValidationError("No request is open for this member: a coordinator opens one.")
        request.replacement_agreed_by, request.replacement_agreed_at = by, timezone.now()
        save_change(request, by=by, reason="Supervisor agreed their name may be taken out of notes")
    return request
