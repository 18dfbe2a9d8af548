"""Inviting someone who has no account yet to a group's team: a coordinator sends, resends or
withdraws the invitation; the person accepts it with the link from the email, making their
account, and is given the role then, through groups.services, so the team's rules apply at that
moment.

Each function follows docs/architecture.md: keyword-only arguments with `by`, one durable
transaction, the group's row locked first, permission and state asked again, who and why on the
history copy, and events announced after commit (the invitation email is sent by a listener,
notifications.alerts).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.changes import save_change
from groups.models import GroupRole
from groups.permissions import can_manage_team
from groups.services import _add_team_role, lock_group, team_role_refusal
from groups_site import events

from .models import Invitation

INVITE_REFUSAL = "Only a coordinator of this group can invite people to its team."


class InvitationNotValid(ValidationError):
    """The link does not (or no longer) let anyone join: unknown, used, withdrawn or expired."""


def invite_to_team(*, group, name: str, email: str, role: str, by) -> Invitation:
    """Invite someone with no account to join the group's team in `role`: an email with a link
    that works once, for Invitation.LIFETIME."""
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        if not can_manage_team(by, locked):
            raise PermissionDenied(INVITE_REFUSAL)
        now = timezone.now()
        invitation = Invitation(
            group=locked,
            name=name.strip(),
            email=email.strip(),
            role=role,
            invited_by=by,
            sent_at=now,
            expires_at=now + Invitation.LIFETIME,
        )
        _refuse_unless_acceptable(invitation, locked)
        invitation.full_clean()
        save_change(invitation, by=by, reason="Invited to join the team")
        events.announce(events.invitation_sent, invitation_id=invitation.pk, group_id=locked.pk, by_id=by.pk)
    return invitation


def _refuse_unless_acceptable(invitation, group) -> None:
    """What would stop the person joining, as far as it can be known before they have an account:
    the team's rules (team_role_refusal), an account that already has the address (choose that
    person by name instead), another invitation waiting for the address, or another to supervise."""
    errors = team_role_refusal(group, invitation.role) or {}
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email, is_active=True).exists():
        errors["email"] = "Someone already has an account with this address: choose them by name instead."
    others = Invitation.objects.open().filter(group=group).exclude(pk=invitation.pk)
    if others.filter(email__iexact=invitation.email).exists():
        errors["email"] = "An invitation to this address is already waiting: send it again from the list below."
    if invitation.role == GroupRole.Role.SUPERVISOR and others.filter(role=GroupRole.Role.SUPERVISOR).exists():
        errors["role"] = "Someone has already been invited to supervise this group: withdraw that invitation first."
    if errors:
        raise ValidationError(errors)


def _lock_open_invitation(invitation, by) -> tuple:
    group = lock_group(invitation.group_id)
    if not can_manage_team(by, group):
        raise PermissionDenied(INVITE_REFUSAL)
    locked = Invitation.objects.select_for_update().filter(pk=invitation.pk, group=group).first()
    if locked is None or not locked.is_open:
        raise ValidationError("This invitation has already been accepted or withdrawn.")
    return group, locked


def resend_invitation(*, invitation: Invitation, by) -> Invitation:
    """Send the invitation again, with a new link (the old one stops working) that works for
    Invitation.LIFETIME from now: for an email that went astray, or a link that expired."""
    with transaction.atomic(durable=True):
        group, locked = _lock_open_invitation(invitation, by)
        _refuse_unless_acceptable(locked, group)
        locked.sent_at = timezone.now()
        locked.expires_at = locked.sent_at + Invitation.LIFETIME
        save_change(locked, by=by, reason="Invitation sent again", update_fields=["sent_at", "expires_at"])
        events.announce(events.invitation_sent, invitation_id=locked.pk, group_id=group.pk, by_id=by.pk)
    return locked


def withdraw_invitation(*, invitation: Invitation, by) -> Invitation:
    """Withdraw an invitation: its link stops working."""
    with transaction.atomic(durable=True):
        _group, locked = _lock_open_invitation(invitation, by)
        locked.withdrawn_at = timezone.now()
        save_change(locked, by=by, reason="Invitation withdrawn", update_fields=["withdrawn_at"])
    return locked


def accept_invitation(*, token: str, account, by=None) -> Invitation:
    """Accept an invitation with the token from its link: make `account` (an unsaved user, with
    the name, username and password the person chose; the address is the invitation's) and give
    it the invited role, on the authority of the coordinator who invited them, who must still
    coordinate the group. The link then stops working.

    `by` is whoever opened the link: nobody signed in (the token is the proof). Refused with
    InvitationNotValid when the link does not work, or ValidationError by field when the account
    or the role cannot be made as they are."""
    if by is not None and by.is_authenticated:
        raise PermissionDenied("Sign out first: accepting an invitation makes a new account.")
    found = Invitation.objects.for_token(token).values_list("pk", "group_id").first()
    if found is None:
        raise InvitationNotValid(Invitation.UNKNOWN_LINK)
    invitation_id, group_id = found
    with transaction.atomic(durable=True):
        group = lock_group(group_id)
        invitation = Invitation.objects.select_for_update().select_related("invited_by").get(pk=invitation_id)
        refusal = invitation.link_refusal(token)
        if refusal:
            raise InvitationNotValid(refusal)
        inviter = invitation.invited_by
        if not inviter.is_active or not can_manage_team(inviter, group):
            raise InvitationNotValid(
                f"{inviter} no longer coordinates this group, so this invitation cannot be used. "
                "Ask one of the group's coordinators to invite you again."
            )
        if team_role_refusal(group, invitation.role):
            # Someone else took the role meanwhile (a supervisor was added): nothing is made.
            raise InvitationNotValid(
                f"The team has changed since you were invited, so this invitation cannot be used now. "
                f"Ask {inviter} about it."
            )
        account.email = invitation.email
        account.is_active = True
        account.full_clean()
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError as clash:  # the username was taken since the form checked it
            raise ValidationError({"username": "That username has just been taken. Choose another."}) from clash
        _add_team_role(
            group, user=account, role=invitation.role, by=inviter, reason="Joined by accepting an invitation"
        )
        invitation.accepted_at = timezone.now()
        invitation.account = account
        save_change(invitation, by=account, reason="Invitation accepted", update_fields=["accepted_at", "account"])
        events.announce(events.invitation_accepted, invitation_id=invitation.pk, group_id=group.pk, by_id=account.pk)
    return invitation
