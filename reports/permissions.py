"""Who may see which report.

Seeing the group at all is SupportGroup.objects.visible_to (404 for outsiders); these
questions decide what someone with a role in it may do (403 otherwise).
"""

from groups.models import GroupRole
from groups.permissions import can_view_group, holds_role

Role = GroupRole.Role


def can_see_funder_report(user, group) -> bool:
    """The numbers a funder sees are the coordinators' and supervisors' business; facilitators
    run the sessions and see their own group's attendance on its sessions page instead.
    (SupportGroup.objects.reported_on_by asks the same of many groups at once.)"""
    return holds_role(user, group, *Role.REPORTING)


def reports_on_some_group(user, roles: set[str]) -> bool:
    """Whether there is a funder report for this person at all, given the roles they hold in any
    group: coordinators, supervisors and administrators have one."""
    return user.is_superuser or bool(roles & set(Role.REPORTING))


def can_print_plan(user, group) -> bool:
    """Everyone on the group's team may have the plan on paper."""
    return can_view_group(user, group)


def can_subscribe_to_calendar(user, group) -> bool:
    """A calendar feed is for the people who run the sessions: the group's facilitators.

    Asked again on every fetch of the feed, so a facilitator who leaves the team loses it."""
    return user.is_active and holds_role(user, group, *Role.FACILITATING)
