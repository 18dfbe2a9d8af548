"""Who may read the audit trail of a group."""

from groups.models import GroupRole


def can_read_history(user, group) -> bool:
    """The change history of a group is read by its supervisor and superusers, who oversee how
    the group is run; the people running it are not checking on themselves."""
    return user.is_superuser or GroupRole.Role.SUPERVISOR in group.roles_of(user)
