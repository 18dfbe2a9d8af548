"""Demo history for an active group: members, six weeks of sessions with registers, a follow-up
raised after a second missed session in a row, lessons, debriefs and a supervisor's review.

Everything goes through the services, so the demo obeys the same rules as real use.
"""

import datetime

from django.utils import timezone

from sessions_log.models import Attendance, Debrief, GroupSession, Lesson, Member
from sessions_log.schedule import meeting_dates
from sessions_log.services import add_member, record_lesson, record_session, review_debrief, save_debrief, save_register

from .scale import moment, timestamps_as_given

MEMBER_NAMES = ["Alex", "Bea", "Cam", "Dee", "Eli", "Fran", "Gus", "Hana", "Izzy", "Sky"]
Status = Attendance.Status


def seed_session_history(group, *, facilitator, cofacilitator, supervisor):
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
            facilitators=[facilitator, cofacilitator],
            by=facilitator,
        )
        marks = {member.pk: Status.PRESENT for member in members}
        marks[members[1].pk] = Status.LATE if number % 2 else Status.PRESENT
        marks[members[4].pk] = Status.APOLOGIES if number == 3 else Status.PRESENT
        if number >= len(dates) - 1:
            # Sky misses the last two sessions without word: a second-miss follow-up is raised.
            marks[members[-1].pk] = Status.ABSENT
        save_register(session=session, marks=marks, by=facilitator)
        _debrief(session, facilitator, wellbeing=4, concern=False)
        if number == len(dates):
            _debrief(session, cofacilitator, wellbeing=2, concern=True)
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


# A facilitator writes their debrief the evening of the session.
WRITTEN_AFTER_THE_SESSION = datetime.timedelta(hours=2)


def _debrief(session, author, *, wellbeing, concern):
    concern_fields = (
        {
            "anything_difficult": "One member found the topic hard and took a break in the quiet room.",
            "safeguarding_concern": True,
            "safeguarding_action": "Followed the safeguarding policy and spoke to the lead that evening.",
            "safeguarding_told": "The safeguarding lead",
        }
        if concern
        else {}
    )
    # Dated as written, not as seeded: a debrief stamped today for a session weeks ago would have
    # waited "0 days" for its review, and never be overdue.
    written = min(moment(session.date, session.ends_at) + WRITTEN_AFTER_THE_SESSION, timezone.now())
    with timestamps_as_given(Debrief):
        save_debrief(
            debrief=Debrief(
                session=session,
                how_it_went="Warm and open; people supported each other well.",
                wellbeing=wellbeing,
                support_wanted="A chat with my supervisor this week, please." if wellbeing <= 2 else "",
                created_at=written,
                updated_at=written,
                **concern_fields,
            ),
            by=author,
        )
