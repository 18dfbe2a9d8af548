"""Who may read the audit trail of a group."""

from groups.models import GroupRole
from groups.permissions import holds_role


def can_read_history(user, group) -> bool:
    """The change history of a group is read by its supervisor and superusers, who oversee how
    the group is run; the people running it are not checking on themselves."""
    return holds_role(user, group, GroupRole.Role.SUPERVISOR)
