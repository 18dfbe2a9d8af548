"""What happened, announced once the change that made it has been committed.

A service that changes something others need to hear about announces it here, inside its
transaction; the announcement is sent only if, and after, the transaction commits, so nobody
is ever told about a change that was rolled back. Listeners (the notifications: email alerts,
reminders) connect to these signals; services never send mail themselves.

Every event carries ids and facts, never text anyone wrote: what a listener needs to find the
record again behind sign-in, and nothing a message could leak.

Django's signals are the mechanism (Django's own pub/sub); this module only names the events
and sends them after commit.
"""

from functools import partial

from django.db import transaction
from django.dispatch import Signal

# Planning a group. Arguments: group_id, by_id.
group_launched = Signal()
group_status_changed = Signal()  # + old_status, new_status
# The team. Arguments: group_id, user_id, role, by_id.
team_role_added = Signal()
team_role_removed = Signal()
# A group's supervisor changed. Arguments: group_id, old_user_id (or None), new_user_id (or None), by_id.
supervisor_changed = Signal()
# Members. Arguments: member_id, group_id, by_id.
member_added = Signal()  # + waiting (bool: on the waiting list, the group being full)
member_admitted = Signal()
member_left = Signal()
# Someone pointed to other support because the group was full. Arguments: signposting_id,
# group_id, waiting (bool: someone on the waiting list, while they wait), by_id.
signposted = Signal()
# A group stopped holding members' contact details, and those held were erased. Arguments:
# group_id, erased (how many members' details), by_id.
contact_details_erased = Signal()
# A coordinator asked the group's supervisor to answer for the debrief material in a member's
# request for their records or their erasure. Arguments: member_id, group_id, by_id.
member_request_opened = Signal()
# After a session. Arguments: session_id, group_id, by_id.
session_recorded = Signal()
register_saved = Signal()
# A follow-up: of missed sessions, a check-in after a concern, or a check-in some weeks after a
# member left (FollowUp.kind). Arguments: follow_up_id, group_id, assignee_id (or None), by_id.
follow_up_assigned = Signal()
follow_up_closed = Signal()
# Debriefs. Arguments: debrief_id, group_id, by_id.
debrief_saved = Signal()  # + flagged (bool)
debrief_reviewed = Signal()
debrief_note_added = Signal()
# The team recorded where the group stands against its aims. Arguments: review_id, group_id, by_id.
aims_reviewed = Signal()
# Concerns about a member's safety or wellbeing (the concerns app). Arguments: concern_id,
# group_id, kind (a Concern.Kind value), by_id. Listeners tell the people who must act; a
# concern's text never travels with the event.
concern_raised = Signal()
concern_closed = Signal()
# Invitations to join a group's team. Arguments: invitation_id, group_id, by_id (who invited, or
# for `invitation_accepted` the person who accepted).
invitation_sent = Signal()
invitation_accepted = Signal()


def announce(signal: Signal, **facts) -> None:
    """Send `signal` with `facts` once the current transaction commits (at once outside one).

    A listener that fails is logged by Django's robust sending, never undoing or hiding the
    change that was already committed."""
    transaction.on_commit(partial(signal.send_robust, sender=None, **facts))
