"""Every kind of email the app sends, and the facts each may show.

This is the one place to read to know what leaves the app by email. A facts function takes the
recipient and ids and returns plain values: what kind of thing needs the person, when, and an
absolute link to it behind sign-in. Never a member's name, and never any text someone wrote in a
debrief, concern, plan or note (notifications/tests/test_no_sensitive_content.py renders every
kind with the demo data and fails if one does).
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.passwords import reset_link_lifetime
from groups.models import GroupRole, SupportGroup
from groups.permissions import holds_role
from invitations.models import Invitation
from sessions_log.models import Debrief, FollowUp, GroupSession
from sessions_log.permissions import can_read_debrief, can_view_members

from .mail import absolute_url, mail_kind
from .models import SentNotification
from .reminders import DAILY_DIGEST, still_needed

Role = GroupRole.Role


@mail_kind("password_reset")
def password_reset(recipient):
    """The link is made when the email is sent, so it lasts PASSWORD_RESET_TIMEOUT from then, and
    the queue never holds it."""
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(recipient.pk)),
            "token": default_token_generator.make_token(recipient),
        },
    )
    return {
        "reset_url": absolute_url(link),
        "valid_for": reset_link_lifetime(),
        "username": recipient.get_username(),
        "sign_in_url": absolute_url(reverse("login")),
    }


# Alerts: sent at once, whatever people chose for reminders. Each checks again, as it is sent,
# that the person still has the role that made it theirs (None: not sent).


def _group_of(recipient, group_id, *roles):
    """The group, if the recipient holds one of these roles in it."""
    group = SupportGroup.objects.prefetch_related("roles").filter(pk=group_id).first()
    return group if group is not None and holds_role(recipient, group, *roles) else None


def _debrief_alert(recipient, debrief_id, *roles):
    debrief = (
        Debrief.objects.filter(pk=debrief_id)
        .select_related("session")
        .only("pk", "author_id", "reviewed", "session__date", "session__group_id")
        .first()
    )
    if debrief is None or debrief.author_id == recipient.pk:
        return None
    group = _group_of(recipient, debrief.session.group_id, *roles)
    if group is None:
        return None
    reads_it = can_read_debrief(recipient, debrief, group)
    if reads_it:
        link = reverse("sessions_log:debrief", kwargs={"pk": group.pk, "debrief_pk": debrief.pk})
    else:
        link = debrief.session.get_absolute_url()
    return {
        "group_name": group.name,
        "session_date": debrief.session.date,
        "reads_the_debrief": reads_it,
        "still_waits_for_review": not debrief.reviewed,
        "link": absolute_url(link),
    }


@mail_kind("debrief_low_wellbeing")
def debrief_low_wellbeing(recipient, debrief_id):
    """To the supervisor: a facilitator's debrief says they are struggling. Whose debrief, and
    what it says, is for the app."""
    return _debrief_alert(recipient, debrief_id, *Role.SUPERVISING)


def _concern_alert(recipient, group_id, concern_id):
    group = _group_of(recipient, group_id, *Role.SUPERVISING, Role.COORDINATOR)
    if group is None:
        return None
    # The concern's page, where the whole team reads it (concerns.permissions.can_view_concerns);
    # what it says stays there.
    link = reverse("concerns:concern", kwargs={"pk": group.pk, "concern_pk": concern_id})
    return {"group_name": group.name, "link": absolute_url(link)}


@mail_kind("safeguarding_concern_raised")
def safeguarding_concern_raised(recipient, group_id, concern_id):
    return _concern_alert(recipient, group_id, concern_id)


@mail_kind("risk_to_life_concern_raised")
def risk_to_life_concern_raised(recipient, group_id, concern_id):
    return _concern_alert(recipient, group_id, concern_id)


@mail_kind("follow_ups_assigned")
def follow_ups_assigned(recipient, group_id, session_id):
    """To the person a register gave follow-ups: how many, and when they are due; who they are
    about is on the member list."""
    group = _group_of(recipient, group_id, *Role.RUNNING)
    session = GroupSession.objects.filter(pk=session_id, group_id=group_id).first()
    if group is None or session is None or not can_view_members(recipient, group):
        return None
    due = list(FollowUp.objects.open().filter(session=session, assignee=recipient).values_list("due_on", flat=True))
    if not due:
        return None
    return {
        "group_name": group.name,
        "session_date": session.date,
        "count": len(due),
        "due_on": min(due),
        "link": absolute_url(reverse("sessions_log:members", kwargs={"pk": group.pk})),
    }


@mail_kind("check_in_assigned")
def check_in_assigned(recipient, group_id, follow_up_id):
    """To the person given a check-in with a member (some weeks after they left, or after a
    concern): when it is due. Who, and why, is on the member list; the email never says."""
    group = _group_of(recipient, group_id, *Role.RUNNING)
    follow_up = (
        FollowUp.objects.open()
        .filter(pk=follow_up_id, member__group_id=group_id, assignee=recipient)
        .only("pk", "due_on")
        .first()
    )
    if group is None or follow_up is None or not can_view_members(recipient, group):
        return None
    return {
        "group_name": group.name,
        "due_on": follow_up.due_on,
        "link": absolute_url(reverse("sessions_log:members", kwargs={"pk": group.pk})),
    }


def _invitation_address(invitation_id):
    return Invitation.objects.pending().filter(pk=invitation_id).values_list("email", flat=True).first()


@mail_kind("invitation", address=_invitation_address)
def invitation(recipient, invitation_id):
    """To the address a coordinator typed: who invites them, to which group, in which role, and
    the link. The group's name and the inviter's name only: nobody else on the team, no member.
    The link's token is made now, as the email is built: only its hash is kept, and only the
    newest email's link works."""
    found = Invitation.objects.pending().select_related("group", "invited_by").filter(pk=invitation_id).first()
    if found is None:
        return None
    token = found.issue_token()
    return {
        "group_name": found.group.name,
        "inviter_name": str(found.invited_by),
        "role": found.get_role_display().lower(),
        "accept_url": absolute_url(reverse("invitations:accept", kwargs={"token": token})),
        "expires_on": timezone.localdate(found.expires_at),
        "sets_up_two_factor": settings.OTP_REQUIRED,
    }


@mail_kind("invitation_accepted")
def invitation_accepted(recipient, invitation_id):
    """To the coordinator who invited them: the person they invited is on the team now."""
    found = (
        Invitation.objects.filter(pk=invitation_id, invited_by=recipient, accepted_at__isnull=False)
        .select_related("group", "account")
        .first()
    )
    if found is None or found.account is None or _group_of(recipient, found.group_id, Role.COORDINATOR) is None:
        return None
    return {
        "person_name": str(found.account),
        "role": found.get_role_display().lower(),
        "group_name": found.group.name,
        "link": absolute_url(reverse("groups:team", kwargs={"pk": found.group_id})),
    }


@mail_kind("supervision_started")
def supervision_started(recipient, group_id):
    group = _group_of(recipient, group_id, *Role.SUPERVISING)
    if group is None or group.supervisor != recipient:
        return None
    return {
        "group_name": group.name,
        "link": absolute_url(reverse("sessions_log:review_queue")),
        "group_link": absolute_url(group.get_absolute_url()),
    }


@mail_kind("supervision_ended")
def supervision_ended(recipient, group_id):
    group = SupportGroup.objects.prefetch_related("roles__user").filter(pk=group_id).first()
    if group is None or group.supervisor == recipient:
        return None
    return {"group_name": group.name, "dashboard_url": absolute_url(reverse("sessions_log:dashboard"))}


# Reminders: as each person chose (each as it comes, one email a day, or none), with an
# unsubscribe link. Each is about a row of the sent-log, and is sent only if what it is about
# still needs the person (notifications.reminders.still_needed: the same functions as the
# dashboard's "What needs you").


def _reminder_row(recipient, notification_id):
    return SentNotification.objects.filter(pk=notification_id, recipient=recipient).select_related("recipient").first()


@mail_kind("session_to_record", topic="reminders")
@mail_kind("session_still_to_record", topic="reminders")
@mail_kind("follow_up_due", topic="reminders")
@mail_kind("follow_up_overdue", topic="reminders")
@mail_kind("debrief_review_overdue", topic="reminders")
@mail_kind("risk_assessment_review_due", topic="reminders")
def reminder(recipient, notification_id):
    row = _reminder_row(recipient, notification_id)
    need = still_needed(row) if row is not None else None
    if need is None:
        return None
    return {
        "summary": need.summary(timezone.localdate()),
        "group_name": need.group_name,
        "on": need.on,
        "link": absolute_url(need.url),
        "link_text": need.link_text,
        "dashboard_url": absolute_url(reverse("sessions_log:dashboard")),
    }


@mail_kind(DAILY_DIGEST, topic="reminders")
def daily_digest(recipient, notification_id):
    """The reminders of the day for someone who chose one email a day, each still needing them,
    each once (the evening and morning reminders of one session are one line)."""
    digest = _reminder_row(recipient, notification_id)
    if digest is None:
        return None
    today = timezone.localdate()
    lines = {}
    for row in digest.reminders.select_related("recipient").order_by("occasion", "pk"):
        need = still_needed(row)
        if need is not None:
            lines.setdefault((need.kind, need.subject_id, need.on), (need.summary(today), absolute_url(need.url)))
    if not lines:
        return None
    return {
        "lines": tuple(lines.values()),
        "count": len(lines),
        "today": today,
        "dashboard_url": absolute_url(reverse("sessions_log:dashboard")),
    }
