"""Who may see and record what about a group's sessions.

Seeing the group at all is decided by groups.permissions.group_view (404 for outsiders).
These questions decide what someone with a role may do (403 otherwise). Debriefs are the
most private records: only their author, the group's supervisor and superusers read them.
"""

from groups.models import GroupRole
from groups.permissions import holds_role

Role = GroupRole.Role
FACILITATORS = (Role.LEAD_FACILITATOR, Role.CO_FACILITATOR)


def can_view_sessions(user, group) -> bool:
    """Everyone on the team sees the session list and attendance numbers."""
    return holds_role(user, group, *Role.values)


def can_view_members(user, group) -> bool:
    """Members' names are for the people who run and coordinate the group, not its supervisor."""
    return holds_role(user, group, Role.COORDINATOR, *FACILITATORS)


def can_manage_members(user, group) -> bool:
    return holds_role(user, group, Role.COORDINATOR, *FACILITATORS)


def can_log_session(user, group) -> bool:
    """Facilitators record sessions and take registers."""
    return holds_role(user, group, *FACILITATORS)


def can_record_lesson(user, group) -> bool:
    return holds_role(user, group, Role.COORDINATOR, *FACILITATORS)


def can_edit_absence_policy(user, group) -> bool:
    return holds_role(user, group, Role.COORDINATOR)


def can_write_debrief(user, session) -> bool:
    """Each facilitator present at a held session writes their own debrief."""
    return session.was_held and any(person.pk == user.pk for person in session.facilitators_present.all())


def can_read_debrief(user, debrief, group) -> bool:
    """A debrief is read by its author, the group's supervisor and superusers, and nobody else."""
    return user.is_superuser or debrief.author_id == user.pk or Role.SUPERVISOR in group.roles_of(user)


def can_review_debrief(user, debrief, group) -> bool:
    """The group's supervisor signs debriefs off, but never their own."""
    return debrief.author_id != user.pk and (user.is_superuser or Role.SUPERVISOR in group.roles_of(user))


def reviews_debriefs_of_some_group(user, roles: set[str]) -> bool:
    """Whether debriefs come to this person for review, given the roles they hold in any group:
    supervisors and administrators review them."""
    return user.is_superuser or Role.SUPERVISOR in roles


def can_close_follow_up(user, follow_up, group) -> bool:
    return follow_up.assignee_id == user.pk or holds_role(user, group, Role.COORDINATOR, *FACILITATORS)


def can_handle_subject_requests(user, group) -> bool:
    """A member's requests under UK GDPR (a copy of everything held about them, or erasure) are
    handled by the group's coordinators, who answer for its records."""
    return holds_role(user, group, Role.COORDINATOR)
