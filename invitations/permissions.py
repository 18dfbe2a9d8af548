"""Who may do what with a group's invitations."""

from groups.permissions import can_manage_team


def can_manage_invitation(user, invitation, group) -> bool:
    """The coordinators who decide who is on the team see, resend and withdraw its invitations."""
    return invitation.group_id == group.pk and can_manage_team(user, group)
