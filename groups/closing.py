"""Closing a group for good: a decision, not a click (issue 12.10, SR-7).

Closing follows the group's exit strategy (LS-C3, GW-11): the coordinator reads what it says
about ending the group and what members were promised, confirms by typing the group's name, and
in the same change every member still attending, or waiting for a place, is recorded as having
left because the group closed, with the aftercare offered.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sessions_log.models import Member
from sessions_log.services import _exit_member

from .models import SupportGroup
from .permissions import can_change_status
from .services import _move_group, lock_group
from .wording import placeholder_problem

CLOSING_REFUSAL = "Only a coordinator of this group can close it."
NAME_MISMATCH = "Type the group's name exactly as it is shown, to confirm that you mean to close it for good."
AFTERCARE_NEEDED = (
    "Say what every member is offered now the group is closing, as the exit strategy describes: "
    "where they can turn, and who will be in touch."
)


def members_leaving_with_the_group(group):
    """The members a closing group records as having left: those attending and those waiting."""
    return Member.objects.filter(group=group, status__in=[Member.Status.ACTIVE, Member.Status.WAITING_LIST])


def close_group(*, group, typed_name: str, aftercare: str, by) -> SupportGroup:
    """Close the group for good. Only its coordinators may, once they have typed its name. Every
    member still attending or waiting is recorded as having left because the group closed, with
    `aftercare` (what the exit strategy offers them: it must say something when anyone is still
    attending), their follow-ups closed; then the group closes. All of it or none."""
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        if not can_change_status(by, locked):
            raise PermissionDenied(CLOSING_REFUSAL)
        refusal = locked.move_refusal(SupportGroup.Status.CLOSED, action="close")
        if refusal:
            raise ValidationError(refusal)
        if typed_name.strip() != locked.name.strip():
            raise ValidationError({"typed_name": NAME_MISMATCH})
        leaving = list(members_leaving_with_the_group(locked).select_for_update().order_by("pk"))
        if leaving and (not aftercare.strip() or placeholder_problem(aftercare)):
            raise ValidationError({"aftercare": AFTERCARE_NEEDED})
        today = timezone.localdate()
        for member in leaving:
            member.group = locked
            _exit_member(
                member,
                group=locked,
                exited_on=max(today, member.joined_on),
                reason=Member.ExitReason.GROUP_CLOSED,
                aftercare=aftercare.strip(),
                by=by,
            )
        _move_group(locked, to=SupportGroup.Status.CLOSED, action="close", by=by)
    return locked
