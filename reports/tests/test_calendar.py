"""The facilitators' calendar feed and the page that gives, renews and revokes its secret link.

Bob leads the group, so the feed is his. Alice coordinates and Sam supervises: they are
refused the page. Charlie facilitates another group and is told this one does not exist.
"""

import datetime

import icalendar
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.models import GroupRole, SupportGroup
from groups.services import add_team_role, remove_team_role
from groups.tests.factories import GroupRoleFactory
from reports.calendar import FEED_DAYS
from reports.models import CalendarFeed
from reports.services import create_calendar_feed, renew_calendar_feed, revoke_calendar_feed
from sessions_log.models import GroupSession
from sessions_log.tests.factories import AttendanceFactory, GroupSessionFactory, MemberFactory

from .factories import CalendarFeedFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
TUESDAY = 1
# The feed with its owner and group, the group's roles, and the sessions called off.
FEED_MAX_QUERIES = 3
ACTIONS = ["reports:calendar_create", "reports:calendar_renew", "reports:calendar_revoke"]


def page_url(name, group):
    return reverse(name, kwargs={"pk": group.pk})


def feed_url(feed):
    return reverse("reports:calendar_feed", kwargs={"token": feed.token})


def tuesdays_ahead() -> list[datetime.date]:
    """Every Tuesday from today to three months ahead, counted without the app's schedule."""
    today = TODAY()
    days = (today + datetime.timedelta(days=n) for n in range(FEED_DAYS + 1))
    return [day for day in days if day.weekday() == TUESDAY]


def events_of(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


@pytest.fixture
def feed(group, facilitator):
    return CalendarFeedFactory(user=facilitator, group=group)


# The feed -------------------------------------------------------------------------------------


def test_the_feed_works_without_signing_in_and_lists_every_meeting_for_three_months(client, feed):
    events = events_of(client.get(feed_url(feed)))

    assert [event.decoded("dtstart").date() for event in events] == tuesdays_ahead()
    first = events[0]
    assert first.decoded("dtstart").time() == datetime.time(18, 30)
    assert first.decoded("dtend").time() == datetime.time(20, 0)
    assert first["dtstart"].params["TZID"] == "Europe/London"
    assert str(first["summary"]) == "Riverside evening group"
    assert {str(event["status"]) for event in events} == {"CONFIRMED"}


def test_each_meeting_has_a_uid_made_from_the_group_and_the_date(client, feed):
    events = events_of(client.get(feed_url(feed)))

    assert [str(event["uid"]) for event in events] == [
        f"{feed.group.pk}-{day.isoformat()}@groups-planner" for day in tuesdays_ahead()
    ]


def test_the_calendar_carries_the_time_zone_its_times_are_in(client, feed):
    calendar = icalendar.Calendar.from_ical(client.get(feed_url(feed)).content)

    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_calendar_apps_are_asked_to_look_again_every_four_hours_in_words_they_understand(client, feed):
    """REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL (Outlook's and Apple's) both take an
    iCalendar duration; X-PUBLISHED-TTL was written as "4:00:00", which no calendar app reads."""
    lines = client.get(feed_url(feed)).content.decode().split("\r\n")

    assert "REFRESH-INTERVAL;VALUE=DURATION:PT4H" in lines
    assert "X-PUBLISHED-TTL:PT4H" in lines


def test_a_session_recorded_as_not_running_shows_as_cancelled_under_the_same_uid(client, feed):
    called_off = tuesdays_ahead()[1]
    GroupSessionFactory(
        group=feed.group,
        date=called_off,
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
    )

    events = events_of(client.get(feed_url(feed)))

    statuses = {event.decoded("dtstart").date(): str(event["status"]) for event in events}
    assert statuses[called_off] == "CANCELLED"
    assert list(statuses.values()).count("CANCELLED") == 1
    assert len(events) == len(tuesdays_ahead())


def test_a_paused_group_has_no_meetings_in_the_feed(client, feed):
    SupportGroup.objects.filter(pk=feed.group.pk).update(status=SupportGroup.Status.PAUSED)

    assert events_of(client.get(feed_url(feed))) == []


def test_the_feed_names_no_member(client, feed):
    member = MemberFactory(group=feed.group, display_name="Quillonelle")
    AttendanceFactory(session=GroupSessionFactory(group=feed.group), member=member)

    content = client.get(feed_url(feed)).content.decode()

    assert "Quillonelle" not in content
    assert "ATTENDEE" not in content and "DESCRIPTION" not in content


@pytest.mark.parametrize(
    "stored_name",
    [
        "Riverside\nevening group",
        "Riverside\r\nevening group",
        "Riverside\x0bevening\x1b group",
        "Riverside\u2028evening group",
    ],
)
def test_a_group_name_stored_with_a_line_break_or_control_character_still_gives_a_feed_of_whole_lines(
    client, feed, stored_name
):
    """Names are checked as they are typed now, but one stored before (with a line break) was a
    server error for every facilitator's feed, or, where icalendar's assert did not catch it, a
    line of the file forged. Each name is written on one line, with nothing hidden in it."""
    SupportGroup.objects.filter(pk=feed.group.pk).update(name=stored_name)

    response = client.get(feed_url(feed))

    assert response.status_code == 200
    lines = response.content.decode().split("\r\n")
    assert lines[-1] == ""
    assert not [line for line in lines[:-1] if not line or any(char in line for char in "\r\n\x00\u2028")]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "Riverside evening group"
    assert {str(event["summary"]) for event in calendar.walk("VEVENT")} == {"Riverside evening group"}


def test_commas_and_semicolons_in_a_group_name_are_escaped(client, feed):
    SupportGroup.objects.filter(pk=feed.group.pk).update(name="Tea, talk; support")

    content = client.get(feed_url(feed)).content.decode()

    assert "X-WR-CALNAME:Tea\\, talk\\; support\r\n" in content
    assert "SUMMARY:Tea\\, talk\\; support\r\n" in content


def test_the_feed_runs_the_same_few_queries_however_many_sessions_are_called_off(
    client, feed, django_assert_max_num_queries
):
    for day in tuesdays_ahead()[:6]:
        GroupSessionFactory(
            group=feed.group,
            date=day,
            outcome=GroupSession.Outcome.DID_NOT_RUN,
            not_run_reason=GroupSession.NotRunReason.VENUE,
        )

    with django_assert_max_num_queries(FEED_MAX_QUERIES):
        assert client.get(feed_url(feed)).status_code == 200


def test_an_unknown_address_is_not_found(client, feed):
    assert client.get(reverse("reports:calendar_feed", kwargs={"token": "not-a-real-token"})).status_code == 404


@pytest.mark.parametrize("token", ["%00", "abc%00def", "%0D%0A", "a%20b", "..%2F..%2Fetc", "%C3%A9"])
def test_an_address_no_link_could_have_is_not_found(client, feed, token, django_assert_num_queries):
    """A NUL in the address once reached PostgreSQL, which refuses it: a server error. Only the
    letters, digits, - and _ of a real link are looked up."""
    with django_assert_num_queries(0):
        response = client.get(f"/reports/calendar/{token}.ics")

    assert response.status_code == 404


def test_a_facilitator_who_leaves_the_team_loses_the_feed(client, feed, facilitator):
    GroupRole.objects.filter(user=facilitator, group=feed.group).delete()

    assert client.get(feed_url(feed)).status_code == 404


def test_leaving_the_team_destroys_the_address_and_coming_back_never_revives_it(client, feed, facilitator, coordinator):
    """Issue 13, item 10: the feed survived the person leaving, so adding them back brought the old
    address (perhaps shared, perhaps in a lost phone's calendar) back to life. It failed before:
    the row stayed, and answered again once they were back."""
    old_address = feed_url(feed)
    role = feed.group.roles.get(user=facilitator)

    remove_team_role(role=role, by=coordinator)

    assert not CalendarFeed.objects.filter(user=facilitator).exists()
    history = GroupRole.history.filter(id=role.pk, history_type="-").get()
    assert history.history_change_reason == "Removed from the team; calendar address withdrawn"

    add_team_role(group=feed.group, user=facilitator, role=GroupRole.Role.LEAD_FACILITATOR, by=coordinator)
    assert client.get(old_address).status_code == 404
    renewed = create_calendar_feed(group=SupportGroup.objects.get(pk=feed.group.pk), by=facilitator)
    assert renewed.token != feed.token


def test_a_facilitator_keeps_the_address_while_they_still_facilitate_in_another_role(feed, facilitator, coordinator):
    cofacilitating = GroupRoleFactory(group=feed.group, user=facilitator, role=GroupRole.Role.CO_FACILITATOR)

    remove_team_role(role=cofacilitating, by=coordinator)

    assert CalendarFeed.objects.filter(pk=feed.pk).exists()


def test_a_deactivated_account_loses_the_feed(client, feed, facilitator):
    facilitator.is_active = False
    facilitator.save()

    assert client.get(feed_url(feed)).status_code == 404


# Revoking and renewing ------------------------------------------------------------------------


def test_revoking_the_link_makes_it_not_found(client, feed, facilitator):
    address = feed_url(feed)
    client.force_login(facilitator)

    response = client.post(page_url("reports:calendar_revoke", feed.group))

    assert response.status_code == 302
    client.logout()
    assert client.get(address).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_renewing_the_link_gives_a_new_one_and_the_old_one_stops_working(client, feed, facilitator):
    old_address = feed_url(feed)
    client.force_login(facilitator)

    client.post(page_url("reports:calendar_renew", feed.group))

    renewed = CalendarFeed.objects.get(user=facilitator, group=feed.group)
    client.logout()
    assert renewed.token != feed.token
    assert client.get(old_address).status_code == 404
    assert client.get(feed_url(renewed)).status_code == 200


def test_making_a_link_twice_keeps_the_first(group, facilitator):
    group = SupportGroup.objects.prefetch_related("roles").get(pk=group.pk)

    first = create_calendar_feed(group=group, by=facilitator)
    again = create_calendar_feed(group=group, by=facilitator)

    assert first.token == again.token
    assert len(first.token) >= 43  # 32 random bytes, URL-safe


def test_each_facilitator_has_their_own_link(group, facilitator):
    co_facilitator = UserFactory()
    GroupRoleFactory(group=group, user=co_facilitator, role=GroupRole.Role.CO_FACILITATOR)
    group = SupportGroup.objects.prefetch_related("roles").get(pk=group.pk)

    theirs = create_calendar_feed(group=group, by=co_facilitator)
    bobs = create_calendar_feed(group=group, by=facilitator)
    revoke_calendar_feed(group=group, by=facilitator)

    assert theirs.token != bobs.token
    assert list(CalendarFeed.objects.values_list("user", flat=True)) == [co_facilitator.pk]


@pytest.mark.parametrize("service", [create_calendar_feed, renew_calendar_feed, revoke_calendar_feed])
def test_the_services_refuse_anyone_but_a_facilitator(group, coordinator, supervisor, service):
    group = SupportGroup.objects.prefetch_related("roles").get(pk=group.pk)
    for person in (coordinator, supervisor):
        with pytest.raises(PermissionDenied):
            service(group=group, by=person)
    assert not CalendarFeed.objects.exists()


# The page -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, group):
    response = client.get(page_url("reports:calendar", group))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={page_url('reports:calendar', group)}"


@pytest.mark.parametrize("name", ["reports:calendar", *ACTIONS])
def test_people_outside_the_group_are_told_it_does_not_exist(client, group, outsider, name):
    client.force_login(outsider)

    response = client.get(page_url(name, group)) if name == "reports:calendar" else client.post(page_url(name, group))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "supervisor"])
@pytest.mark.parametrize("name", ["reports:calendar", *ACTIONS])
def test_coordinators_and_supervisors_are_refused(client, group, role, name, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(page_url(name, group)) if name == "reports:calendar" else client.post(page_url(name, group))

    assert response.status_code == 403
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("name", ACTIONS)
def test_the_actions_only_answer_posts(client, group, facilitator, name):
    client.force_login(facilitator)

    assert client.get(page_url(name, group)).status_code == 405


def test_a_facilitator_makes_a_link_and_sees_it_ready_to_copy(client, group, facilitator):
    client.force_login(facilitator)

    response = client.post(page_url("reports:calendar_create", group), follow=True)

    feed = CalendarFeed.objects.get(user=facilitator, group=group)
    html = response.content.decode()
    assert f'value="http://testserver{feed_url(feed)}"' in html
    assert f'href="webcal://testserver{feed_url(feed)}"' in html
    assert "Copy the link" in html
    assert "style=" not in html


def test_without_a_link_the_page_offers_to_make_one(client, group, facilitator):
    client.force_login(facilitator)

    html = client.get(page_url("reports:calendar", group)).content.decode()

    assert "Make my calendar link" in html
    assert "webcal://" not in html


def test_the_sessions_page_links_facilitators_to_their_calendar(client, group, facilitator, coordinator):
    sessions_page = reverse("sessions_log:group_sessions", kwargs={"pk": group.pk})
    link = f'href="{page_url("reports:calendar", group)}"'

    client.force_login(facilitator)
    assert link in client.get(sessions_page).content.decode()
    client.force_login(coordinator)
    assert link not in client.get(sessions_page).content.decode()
