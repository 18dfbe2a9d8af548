"""Accepting an invitation (the person invited, with the link from the email), and resending or
withdrawing one (a coordinator, from the team page)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from accounts.backends import SIGN_IN_BACKEND
from groups.permissions import group_view
from groups_site.refusals import show_refusal

from .forms import AcceptInvitationForm
from .models import Invitation
from .permissions import can_manage_invitation
from .services import InvitationNotValid, accept_invitation, resend_invitation, withdraw_invitation


def _invitation_of(group, invitation_pk):
    invitation = group.invitations.filter(pk=invitation_pk).first()
    if invitation is None:
        raise Http404
    return invitation


@require_POST
@group_view(read=can_manage_invitation, record=_invitation_of)
def resend(request, group, invitation):
    try:
        sent = resend_invitation(invitation=invitation, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(
            request,
            f"We have emailed {sent.email} the invitation again, with a new link that works until "
            f"{timezone.localtime(sent.expires_at):%-d %B}. The link in the earlier email no longer works.",
        )
    return redirect("groups:team", pk=group.pk)


@require_POST
@group_view(read=can_manage_invitation, record=_invitation_of)
def withdraw(request, group, invitation):
    try:
        withdrawn = withdraw_invitation(invitation=invitation, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, f"The invitation to {withdrawn.name} is withdrawn: its link no longer works.")
    return redirect("groups:team", pk=group.pk)


def _username_suggestion(email: str) -> str:
    """The part of the address before the @, if nobody has it as a username yet."""
    suggestion = email.split("@", 1)[0]
    taken = get_user_model().objects.filter(username__iexact=suggestion).exists()
    return "" if taken else suggestion


@login_not_required
@require_http_methods(["GET", "POST"])
def accept(request, token):
    """The person invited makes their account and joins the team; then, when the organisation
    asks for two-factor sign-in, they set up their authenticator app, and land on the group."""
    invitation = Invitation.objects.for_token(token).select_related("group", "invited_by").first()
    refusal = invitation.link_refusal(token) if invitation is not None else Invitation.UNKNOWN_LINK
    if refusal:
        return render(request, "invitations/invitation_not_valid.html", {"refusal": refusal}, status=404)
    if request.user.is_authenticated:
        return render(request, "invitations/invitation_signed_in.html", {"invitation": invitation})
    form = AcceptInvitationForm(
        request.POST or None,
        instance=get_user_model()(email=invitation.email),
        initial={
            "first_name": invitation.first_name_guess,
            "last_name": invitation.last_name_guess,
            "username": _username_suggestion(invitation.email),
        },
    )
    if request.method == "POST" and form.is_valid():
        account = form.save(commit=False)
        try:
            accepted = accept_invitation(token=token, account=account, by=request.user)
        except InvitationNotValid as not_valid:
            return render(
                request, "invitations/invitation_not_valid.html", {"refusal": not_valid.messages[0]}, status=404
            )
        except ValidationError as refused:
            show_refusal(form, refused)
        else:
            return _welcome(request, accepted)
    return render(
        request,
        "invitations/invitation_accept.html",
        {"invitation": invitation, "form": form, "two_factor_next": settings.OTP_REQUIRED},
    )


def _welcome(request, accepted):
    login(request, accepted.account, backend=SIGN_IN_BACKEND)
    group_page = accepted.group.get_absolute_url()
    role = accepted.get_role_display().lower()
    if settings.OTP_REQUIRED:
        messages.success(
            request,
            f"Your account is ready, and you are {role} of {accepted.group}. One more step: set up "
            "two-factor sign-in. Then you go on to the group.",
        )
        return redirect(f"{reverse('two_factor:setup')}?{urlencode({'next': group_page})}")
    messages.success(request, f"Welcome to the team of {accepted.group}: you are its {role}.")
    return redirect(group_page)
