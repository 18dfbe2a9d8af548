import datetime

import pytest

from groups.models import SupportGroup
from sessions_log.schedule import meeting_dates, upcoming_dates

Frequency = SupportGroup.Frequency
LAUNCHED = datetime.datetime(2026, 11, 3, 12, tzinfo=datetime.UTC)  # a Tuesday


def group(frequency, weekday=SupportGroup.Weekday.TUESDAY):
    return SupportGroup(meeting_frequency=frequency, meeting_weekday=weekday, launched_at=LAUNCHED)


def test_weekly_groups_meet_every_week_on_their_weekday():
    dates = meeting_dates(group(Frequency.WEEKLY), datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    assert dates == [datetime.date(2026, 11, d) for d in (3, 10, 17, 24)]


def test_fortnightly_groups_count_from_their_launch_week():
    dates = meeting_dates(group(Frequency.FORTNIGHTLY), datetime.date(2026, 11, 5), datetime.date(2026, 12, 31))
    assert dates == [
        datetime.date(2026, 11, 17),
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 15),
        datetime.date(2026, 12, 29),
    ]


def test_twice_weekly_groups_also_meet_three_days_later():
    dates = meeting_dates(group(Frequency.TWICE_WEEKLY), datetime.date(2026, 11, 2), datetime.date(2026, 11, 15))
    assert dates == [datetime.date(2026, 11, d) for d in (3, 6, 10, 13)]


def test_monthly_groups_meet_on_the_first_weekday_of_the_month():
    dates = meeting_dates(group(Frequency.MONTHLY), datetime.date(2026, 11, 1), datetime.date(2027, 1, 31))
    assert dates == [datetime.date(2026, 11, 3), datetime.date(2026, 12, 1), datetime.date(2027, 1, 5)]


def test_a_fortnightly_group_counts_from_the_local_day_it_launched_not_utcs(settings):
    # Launched on Wednesday 8 July at 00:30 in London, which is still Tuesday 7 July in UTC. Its
    # Tuesday meetings start the following week; counted from UTC's Tuesday they were a week out.
    settings.TIME_ZONE = "Europe/London"
    summer = SupportGroup(
        meeting_frequency=Frequency.FORTNIGHTLY,
        meeting_weekday=SupportGroup.Weekday.TUESDAY,
        launched_at=datetime.datetime(2026, 7, 7, 23, 30, tzinfo=datetime.UTC),
    )

    dates = meeting_dates(summer, datetime.date(2026, 7, 1), datetime.date(2026, 8, 31))

    assert dates == [
        datetime.date(2026, 7, 14),
        datetime.date(2026, 7, 28),
        datetime.date(2026, 8, 11),
        datetime.date(2026, 8, 25),
    ]


@pytest.mark.parametrize("frequency", list(Frequency))
def test_upcoming_dates_start_today_and_are_in_order(frequency):
    today = datetime.date(2026, 11, 21)
    dates = upcoming_dates(group(frequency), today, count=3)
    assert dates == sorted(dates)
    assert dates[0] >= today
    assert len(dates) == 3
