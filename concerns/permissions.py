"""Who may see and record concerns and the complaints log.

Seeing the group at all is decided by groups.permissions.group_view (404 for outsiders); these
questions decide what someone on the team may do (403 otherwise).
"""

from groups.models import GroupRole
from groups.permissions import holds_role
from sessions_log.permissions import can_view_members

Role = GroupRole.Role


# Concerns --------------------------------------------------------------------------------------


def can_view_concerns(user, group) -> bool:
    """The whole team sees the group's concerns: coordinators and facilitators act on them, the
    supervisor oversees them (without members' names: can_see_who_a_concern_is_about)."""
    return holds_role(user, group, *Role.EVERYONE)


def can_read_concern(user, concern, group) -> bool:
    """One concern is read by whoever sees the group's concerns (can_view_concerns)."""
    return can_view_concerns(user, group)


def can_see_who_a_concern_is_about(user, group) -> bool:
    """Members' names are for the people who run the group, on a concern as everywhere."""
    return can_view_members(user, group)


def can_raise_concern(user, group) -> bool:
    """The people who run the group raise concerns: facilitators after a session or a call,
    coordinators about anything they hear of."""
    return holds_role(user, group, *Role.RUNNING)


def can_raise_concern_now(user, group) -> bool:
    """Concerns are about members, so a group has them once it has launched."""
    return not group.is_planning and can_raise_concern(user, group)


def can_update_concern(user, concern, group) -> bool:
    """The people who run the group add to what was done and who was told (while it is open:
    services.update_concern)."""
    return holds_role(user, group, *Role.RUNNING)


def can_close_concern(user, concern, group) -> bool:
    """A coordinator closes a safeguarding concern or a risk to life, as the person the follow-up
    went to; distress handled in the session may be closed by its facilitators too."""
    if concern.escalates:
        return holds_role(user, group, Role.COORDINATOR)
    return holds_role(user, group, *Role.RUNNING)


# The complaints log ----------------------------------------------------------------------------


def can_view_complaints(user, group) -> bool:
    """The log is read by the group's coordinators and its supervisor, who answer for how the
    group is run. Not by its facilitators: a complaint may be about one of them, and the
    guidance asks that members can then complain to someone outside the group (LifeSIGNS LS-Q18)."""
    return holds_role(user, group, *Role.REPORTING)


def can_record_complaint(user, group) -> bool:
    """Anyone on the team adds to the log: a member may complain to, or break a rule in front of,
    whoever is there. Facilitators add without reading the rest of it (can_view_complaints)."""
    return holds_role(user, group, *Role.EVERYONE)


def can_record_complaint_now(user, group) -> bool:
    return not group.is_planning and can_record_complaint(user, group)


def can_read_complaint(user, complaint, group) -> bool:
    return can_view_complaints(user, group)


def can_close_complaint(user, complaint, group) -> bool:
    return can_view_complaints(user, group)
