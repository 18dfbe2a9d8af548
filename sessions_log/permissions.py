"""Who may see and record what about a group's sessions.

Seeing the group at all is decided by groups.permissions.group_view (404 for outsiders).
These questions decide what someone with a role may do (403 otherwise). Debriefs are the
most private records: only their author, the group's supervisor and superusers read them.
"""

from groups.models import GroupRole
from groups.permissions import holds_role

Role = GroupRole.Role


def can_view_sessions(user, group) -> bool:
    """Everyone on the team sees the session list and attendance numbers."""
    return holds_role(user, group, *Role.EVERYONE)


def can_view_members(user, group) -> bool:
    """Members' names are for the people who run and coordinate the group, not its supervisor."""
    return holds_role(user, group, *Role.RUNNING)


def can_manage_members(user, group) -> bool:
    return holds_role(user, group, *Role.RUNNING)


def can_log_session(user, group) -> bool:
    """Facilitators record sessions and take registers."""
    return holds_role(user, group, *Role.FACILITATING)


def can_record_session_now(user, group) -> bool:
    """A facilitator can record a session, or take a register, while the group is running."""
    return group.is_running and can_log_session(user, group)


def can_record_meeting_not_run_now(user, group) -> bool:
    """While a group is paused, its facilitators still record each meeting that does not run,
    with what members were offered instead (services.session_refusal)."""
    return (group.is_running or group.is_paused) and can_log_session(user, group)


def can_record_lesson(user, group) -> bool:
    return holds_role(user, group, *Role.RUNNING)


def can_edit_absence_policy(user, group) -> bool:
    """The absence policy is part of the plan: coordinators change it, until the group closes."""
    return not group.is_closed and holds_role(user, group, Role.COORDINATOR)


def can_write_debrief(user, session, group) -> bool:
    """Each facilitator present at a held session of the group writes their own debrief."""
    return (
        session.group_id == group.pk
        and session.was_held
        and any(person.pk == user.pk for person in session.facilitators_present.all())
    )


def can_read_debrief(user, debrief, group) -> bool:
    """A debrief is read by its author, the group's supervisor and superusers, and nobody else."""
    return debrief.author_id == user.pk or holds_role(user, group, *Role.SUPERVISING)


def can_add_debrief_note(user, debrief, group) -> bool:
    """Anyone who may read a debrief may add a note to it, before or after its review."""
    return can_read_debrief(user, debrief, group)


def can_review_debrief(user, debrief, group) -> bool:
    """The group's supervisor signs debriefs off, but never their own."""
    return debrief.author_id != user.pk and holds_role(user, group, *Role.SUPERVISING)


def reviews_debriefs_of_some_group(user, roles: set[str]) -> bool:
    """Whether debriefs come to this person for review, given the roles they hold in any group:
    supervisors and administrators review them."""
    return user.is_superuser or Role.SUPERVISOR in roles


def can_close_follow_up(user, follow_up, group) -> bool:
    return follow_up.assignee_id == user.pk or holds_role(user, group, *Role.RUNNING)


def can_handle_subject_requests(user, group) -> bool:
    """A member's requests under UK GDPR (a copy of everything held about them, or erasure) are
    handled by the group's coordinators, who answer for its records."""
    return holds_role(user, group, Role.COORDINATOR)


def can_answer_for_debrief_material(user, group) -> bool:
    """In a member's request for their records or their erasure, the debrief material naming them
    (debriefs, reviews, notes on debriefs) is the group's supervisor's to read and release:
    coordinators, who handle the rest of the request, never read debrief content, by any path."""
    return holds_role(user, group, *Role.SUPERVISING)
