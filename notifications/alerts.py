"""Alerts: emails sent at once, whatever people chose for reminders, when something needs someone
now. Each listens to an event of groups_site.events, which is sent only after the change has
committed, and works out who must hear of it from the group's team as it is then:

- a debrief flagged for low wellbeing: the group's supervisor;
- a safeguarding concern or a risk to life (a concern of those kinds, raised in the concerns
  app): the supervisor and the coordinators;
- follow-ups given to someone after a register: that person, once for the register (not when
  they took it themselves: they have just seen them); a check-in given to someone (after a
  member left, or after a concern): that person;
- an invitation accepted: the coordinator who sent it;
- the supervisor changed: the new supervisor and the one who stopped.

Never the person who made the change, never anyone outside the group's team, and each once: every
alert is a row of the sent-log (notifications.reminders.notify_once) before it is queued, so an
event heard twice (a debrief saved again, still flagged) alerts nobody twice. What an alert may
say is in notifications/kinds.py; as it is sent, it is checked again that the person still holds
the role (or they are not sent it).
"""

from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.utils import timezone

from groups.models import GroupRole, SupportGroup
from groups.permissions import holds_role
from groups_site import events
from invitations.models import Invitation
from sessions_log.models import Debrief, FollowUp

from .mail import send_after_commit
from .reminders import notify_once

Role = GroupRole.Role
# The kinds of concern (the concerns app's Concern.Kind values) that alert the supervisor and
# coordinators at once, and the email each sends.
ALERTED_CONCERN_KINDS = {
    "safeguarding": "safeguarding_concern_raised",
    "risk_to_life": "risk_to_life_concern_raised",
}


def _team(group_id) -> SupportGroup | None:
    return SupportGroup.objects.prefetch_related("roles__user").filter(pk=group_id).first()


def _alert(kind: str, people, *, leaving_out, subject_id: int, occasion, **ids) -> None:
    """Send `kind` once to each of these people, but never to those left out (the person who made
    the change), nor to a closed account."""
    seen = set(leaving_out)
    for person in people:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        notify_once(kind, recipient=person, subject_id=subject_id, occasion=occasion, **ids)


@receiver(events.debrief_saved, dispatch_uid="notifications.alerts.debrief_flagged")
def debrief_flagged(sender, *, debrief_id, group_id, by_id, flagged, **kwargs):
    if not flagged:
        return
    debrief = (
        Debrief.objects.filter(pk=debrief_id, session__group_id=group_id)
        .select_related("session")
        .only("pk", "author_id", "wellbeing", "session__date")
        .first()
    )
    group = _team(group_id)
    if debrief is None or group is None:
        return
    # Nobody is alerted to their own debrief (a supervisor who also facilitates writes some).
    about = {
        "leaving_out": {by_id, debrief.author_id},
        "subject_id": debrief.pk,
        "occasion": debrief.session.date,
        "debrief_id": debrief.pk,
    }
    if debrief.has_low_wellbeing:
        _alert("debrief_low_wellbeing", [group.supervisor], **about)


@receiver(events.concern_raised, dispatch_uid="notifications.alerts.concern_raised")
def concern_raised(sender, *, concern_id, group_id, kind, by_id, **kwargs):
    email_kind = ALERTED_CONCERN_KINDS.get(str(kind))
    group = _team(group_id)
    if email_kind is None or group is None:
        return
    _alert(
        email_kind,
        [group.supervisor, *group.coordinators],
        leaving_out={by_id},
        subject_id=concern_id,
        occasion=timezone.localdate(),
        group_id=group.pk,
        concern_id=concern_id,
    )


@receiver(events.follow_up_assigned, dispatch_uid="notifications.alerts.follow_up_assigned")
def follow_up_assigned(sender, *, follow_up_id, group_id, assignee_id, by_id=None, **kwargs):
    """For missed sessions, one email for all the follow-ups one register gave the person (the
    first event of the register sends it, counting them all; the others find it in the sent-log).
    A check-in (after someone left, or after a concern) names no session: one email each."""
    if assignee_id is None or assignee_id == by_id:
        return
    follow_up = FollowUp.objects.filter(pk=follow_up_id, member__group_id=group_id).only("session_id", "kind").first()
    assignee = get_user_model().objects.filter(pk=assignee_id).first()
    group = _team(group_id)
    if follow_up is None or assignee is None or group is None or not holds_role(assignee, group, *Role.RUNNING):
        return
    if follow_up.is_for_missed_sessions:
        kind, subject, about = "follow_ups_assigned", follow_up.session_id, {"session_id": follow_up.session_id}
    else:
        kind, subject, about = "check_in_assigned", follow_up.pk, {"follow_up_id": follow_up.pk}
    _alert(
        kind,
        [assignee],
        leaving_out={by_id},
        subject_id=subject,
        occasion=timezone.localdate(),
        group_id=group.pk,
        **about,
    )


@receiver(events.invitation_sent, dispatch_uid="notifications.alerts.invitation_sent")
def invitation_sent(sender, *, invitation_id, **kwargs):
    """The invitation itself, each time a coordinator sends it (again): to an address, not an
    account, so not in the sent-log (a resend is meant to send it again)."""
    send_after_commit("invitation", invitation_id=invitation_id)


@receiver(events.invitation_accepted, dispatch_uid="notifications.alerts.invitation_accepted")
def invitation_accepted(sender, *, invitation_id, group_id, by_id, **kwargs):
    invitation = Invitation.objects.filter(pk=invitation_id, group_id=group_id).select_related("invited_by").first()
    if invitation is None:
        return
    _alert(
        "invitation_accepted",
        [invitation.invited_by],
        leaving_out={by_id},
        subject_id=invitation.pk,
        occasion=timezone.localdate(),
        invitation_id=invitation.pk,
    )


@receiver(events.supervisor_changed, dispatch_uid="notifications.alerts.supervisor_changed")
def supervisor_changed(sender, *, group_id, old_user_id, new_user_id, by_id, **kwargs):
    people = get_user_model().objects.in_bulk([pk for pk in (old_user_id, new_user_id) if pk is not None])
    about = {"leaving_out": {by_id}, "subject_id": group_id, "occasion": timezone.localdate(), "group_id": group_id}
    if new_user_id in people:
        _alert("supervision_started", [people[new_user_id]], **about)
    if old_user_id in people:
        _alert("supervision_ended", [people[old_user_id]], **about)
