"""Demo history for an active group: members, six weeks of sessions with registers, a follow-up
raised after a second missed session in a row, lessons, debriefs and a supervisor's review, a
session run by one facilitator, concerns kept apart (a member's distress handled in a session,
and a safeguarding concern followed through and closed) and an entry in the complaints log.

Everything goes through the services, so the demo obeys the same rules as real use.
"""

import datetime

from django.utils import timezone

from concerns.models import Complaint, Concern
from concerns.services import close_complaint, close_concern, raise_concern, record_complaint
from sessions_log.models import Attendance, Debrief, GroupSession, Lesson, Member
from sessions_log.schedule import meeting_dates
from sessions_log.services import add_member, record_lesson, record_session, review_debrief, save_debrief, save_register

from .scale import moment, timestamps_as_given

MEMBER_NAMES = ["Alex", "Bea", "Cam", "Dee", "Eli", "Fran", "Gus", "Hana", "Izzy", "Sky"]
Status = Attendance.Status


def seed_session_history(group, *, coordinator, facilitator, cofacilitator, supervisor):
    today = timezone.localdate()
    launched = timezone.localtime(group.launched_at).date()
    members = [
        add_member(member=Member(group=group, display_name=name, joined_on=launched), by=facilitator)
        for name in MEMBER_NAMES
    ]
    # The last meeting date is left unrecorded, so the facilitator's dashboard has work to show.
    dates = [day for day in meeting_dates(group, launched, today) if day < today][-7:-1]
    for number, day in enumerate(dates, start=1):
        session = record_session(
            session=GroupSession(group=group, date=day, starts_at=group.meeting_start, ends_at=group.meeting_end),
            # The co-facilitator was off sick for the second session: it ran with one facilitator.
            facilitators=[facilitator] if number == 2 else [facilitator, cofacilitator],
            by=facilitator,
        )
        marks = {member.pk: Status.PRESENT for member in members}
        marks[members[1].pk] = Status.LATE if number % 2 else Status.PRESENT
        marks[members[4].pk] = Status.APOLOGIES if number == 3 else Status.PRESENT
        if number >= len(dates) - 1:
            # Sky misses the last two sessions without word: a second-miss follow-up is raised.
            marks[members[-1].pk] = Status.ABSENT
        save_register(session=session, marks=marks, by=facilitator)
        _debrief(session, facilitator, wellbeing=4, difficult=False)
        if number == len(dates):
            _debrief(session, cofacilitator, wellbeing=2, difficult=True)
            _concerns(session, members, coordinator=coordinator, cofacilitator=cofacilitator, facilitator=facilitator)
        if number == 1:
            debrief = session.debriefs.get(author=facilitator)
            review_debrief(
                debrief=debrief,
                by=supervisor,
                comments="Thank you: a calm first session. Well done on setting the ground rules together.",
                agreed_actions="Try a check-in round at the start next time.",
            )
    record_lesson(
        lesson=Lesson(
            group=group,
            session=session,
            theme="sessions",
            what_worked="A check-in round helped quieter members speak.",
            what_to_change="Leave ten minutes at the end to wind down.",
            action="Add a wind-down round to the session plan.",
            action_owner=facilitator,
        ),
        by=facilitator,
    )
    record_lesson(
        lesson=Lesson(
            group=group,
            theme="attendance",
            what_worked="A text after one missed session brought two members back.",
            what_to_change="",
        ),
        by=cofacilitator,
    )


QUIET_ROOM = "One member found the topic hard and took a break in the quiet room."
# A facilitator writes their debrief the evening of the session.
WRITTEN_AFTER_THE_SESSION = datetime.timedelta(hours=2)


def _debrief(session, author, *, wellbeing, difficult):
    # Dated as written, not as seeded: a debrief stamped today for a session weeks ago would have
    # waited "0 days" for its review, and never be overdue.
    written = min(moment(session.date, session.ends_at) + WRITTEN_AFTER_THE_SESSION, timezone.now())
    with timestamps_as_given(Debrief):
        save_debrief(
            debrief=Debrief(
                session=session,
                how_it_went="Warm and open; people supported each other well.",
                anything_difficult=QUIET_ROOM if difficult else "",
                wellbeing=wellbeing,
                support_wanted="A chat with my supervisor this week, please." if wellbeing <= 2 else "",
                created_at=written,
                updated_at=written,
            ),
            by=author,
        )


def _concerns(session, members, *, coordinator, cofacilitator, facilitator):
    """Two concerns from the last session, kept apart (SR-3): a member's distress, handled as the
    group's plan says (LS-Q12), which changes nothing else; and a disclosure taken forward under
    the safeguarding policy (FAQ-2), which brought the member's follow-up forward for the
    coordinator, and which the coordinator has since closed. And a ground rule broken, in the log."""
    evening = timezone.make_aware(datetime.datetime.combine(session.date, session.ends_at))
    distress = raise_concern(
        concern=Concern(
            group=session.group,
            kind=Concern.Kind.DISTRESS,
            member=members[3],
            session=session,
            what_was_done="Took a break in the quiet room with the co-facilitator, then rejoined the group for the "
            "closing round.",
        ),
        by=cofacilitator,
    )
    close_concern(
        concern=distress,
        outcome="Back in the group after twenty minutes; said at the end that the break helped.",
        closed_on=session.date,
        by=cofacilitator,
    )
    safeguarding = raise_concern(
        concern=Concern(
            group=session.group,
            kind=Concern.Kind.SAFEGUARDING,
            member=members[2],
            session=session,
            what_was_done="Listened, explained the limits of confidentiality, and agreed with the member what would "
            "be passed on under the safeguarding policy.",
            who_was_told="The organisation's safeguarding lead",
            told_at=evening + datetime.timedelta(minutes=30),
        ),
        by=facilitator,
    )
    close_concern(
        concern=safeguarding,
        outcome="The safeguarding lead took it forward with the member's agreement. Nothing further for the group.",
        closed_on=timezone.localdate(),
        by=coordinator,
    )
    rule_broken = record_complaint(
        complaint=Complaint(
            group=session.group,
            kind=Complaint.Kind.RULE_BROKEN,
            happened_on=session.date,
            summary="Two members talked over others during the check-in round.",
            handling="Reminded everyone of the rule on turn-taking; spoke with both members afterwards.",
        ),
        by=facilitator,
    )
    close_complaint(
        complaint=rule_broken,
        outcome="Both members apologised to the group the next week.",
        closed_on=timezone.localdate(),
        by=coordinator,
    )
