"""A group's upcoming sessions as an iCalendar feed, for facilitators' calendar apps.

The feed carries the group's name and the times only: nothing about members. Each meeting has
a stable UID built from the group and the date, so when a session is called off its event
changes to CANCELLED in people's calendars instead of appearing twice.
"""

import datetime
import zoneinfo

import icalendar
from django.conf import settings
from django.utils import timezone

from groups_site.validators import as_one_line
from sessions_log.models import GroupSession
from sessions_log.schedule import meeting_dates
from sessions_log.services import session_refusal

# Three months ahead, as on the group's sessions page.
FEED_DAYS = 92
PRODUCT_ID = "-//Group planner//Upcoming sessions//EN"
# Ask calendar apps to look again every few hours, so a cancellation reaches them the same day.
REFRESH_INTERVAL = datetime.timedelta(hours=4)


def uid_for(group, day: datetime.date) -> str:
    return f"{group.pk}-{day.isoformat()}@groups-planner"


def upcoming_meetings(group, today: datetime.date) -> list[tuple[datetime.date, datetime.time, datetime.time, bool]]:
    """(date, start, end, cancelled) for the next three months, in date order: the meeting dates
    the group's pattern gives while it is active, and any session already recorded as not
    running on a date still to come (those are the cancelled ones)."""
    last = today + datetime.timedelta(days=FEED_DAYS)
    meetings = {}
    if session_refusal(group) is None:
        for day in meeting_dates(group, today, last):
            meetings[day] = (day, group.meeting_start, group.meeting_end, False)
    called_off = GroupSession.objects.filter(
        group=group, outcome=GroupSession.Outcome.DID_NOT_RUN, date__gte=today, date__lte=last
    ).only("date", "starts_at", "ends_at")
    for session in called_off:
        meetings[session.date] = (session.date, session.starts_at, session.ends_at, True)
    return [meetings[day] for day in sorted(meetings)]


def sessions_calendar(group, *, today: datetime.date | None = None) -> bytes:
    """The iCalendar file for the group's upcoming sessions, with times in the site's time zone."""
    today = today or timezone.localdate()
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    stamp = timezone.now()
    # Names are checked as they are typed, but one stored earlier may hold a line break: written
    # as it is, it would end the line and start a forged one (icalendar only asserts against a
    # line feed, and asserts vanish under python -O). vText escapes commas and semicolons.
    name = icalendar.vText(as_one_line(group.name))
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    # Not a property icalendar knows, so it must be told the value is a duration ("PT4H"), or it
    # writes Python's "4:00:00".
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    for day, starts, ends, cancelled in upcoming_meetings(group, today):
        event = icalendar.Event()
        event.add("uid", uid_for(group, day))
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.datetime.combine(day, starts, tzinfo=zone))
        event.add("dtend", datetime.datetime.combine(day, ends, tzinfo=zone))
        event.add("summary", name)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    # The time zone's rules for a year either side are plenty for three months of dates.
    year = datetime.timedelta(days=366)
    calendar.add_missing_timezones(first_date=today - year, last_date=today + year)
    return calendar.to_ical()
