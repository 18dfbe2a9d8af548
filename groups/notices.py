"""What a person's dashboard tells them at once about changes to their own place on a team:
becoming a group's supervisor, or no longer being it (issue 13: every change of supervisor tells
the old and the new supervisor). Read from the team's history, which every change of role
writes in the same transaction as the change, so there is nothing else to keep in step; email
follows from events.supervisor_changed, sent by the notifications app.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import GroupRole

# How long the dashboard keeps saying so.
SUPERVISOR_NOTICE_DAYS = 14


@dataclass(frozen=True)
class SupervisorNotice:
    group_id: int
    group_name: str
    # True: they were made the group's supervisor; False: they no longer are.
    became_supervisor: bool
    by: str
    at: datetime.datetime
    # Whether they supervise the group now (the latest change for that group), so the notice can
    # link to it.
    supervises_now: bool


def supervisor_notices(user, *, now=None) -> list[SupervisorNotice]:
    """The changes of the last SUPERVISOR_NOTICE_DAYS days to whether `user` supervises a group,
    newest first, in one query."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    since = now - datetime.timedelta(days=SUPERVISOR_NOTICE_DAYS)
    changes = (
        GroupRole.history.filter(
            user_id=user.pk, role=GroupRole.Role.SUPERVISOR, history_type__in=["+", "-"], history_date__gte=since
        )
        .select_related("group", "history_user")
        .order_by("-history_date", "-history_id")
    )
    notices, latest = [], {}
    for change in changes:
        if change.group is None:
            continue  # the group has been deleted since
        became = change.history_type == "+"
        latest.setdefault(change.group_id, became)
        who = change.history_user
        notices.append(
            SupervisorNotice(
                group_id=change.group_id,
                group_name=change.group.name,
                became_supervisor=became,
                by=(who.get_full_name() or who.get_username()) if who else "An administrator",
                at=change.history_date,
                supervises_now=latest[change.group_id],
            )
        )
    return notices
