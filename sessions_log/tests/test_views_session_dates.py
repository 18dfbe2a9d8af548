"""Sessions that make sense: none before the group launched, none held before anyone joined, and
one at a time, with the way to the session already recorded when a time is taken twice."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.models import SupportGroup
from sessions_log.models import GroupSession, Member
from sessions_log.services import SESSION_ALREADY_RECORDED, SessionAlreadyRecorded, record_session
from sessions_log.tests.factories import GroupSessionFactory, MemberFactory
from sessions_log.tests.records import days_ago, url
from sessions_log.tests.sessions.helpers import session_data
from tests.access_matrix import sign_in
from tests.error_summary import assert_every_link_finds_its_field, summary_links

pytestmark = pytest.mark.django_db


def launched(group, days_ago_: int):
    SupportGroup.objects.filter(pk=group.pk).update(launched_at=timezone.now() - datetime.timedelta(days=days_ago_))
    group.refresh_from_db()
    return group


def a_new_session(group, day, **fields):
    fields = {"starts_at": datetime.time(18, 30), "ends_at": datetime.time(20), **fields}
    return GroupSession(group=group, date=day, **fields)


# Before the group launched ---------------------------------------------------------------------


def test_a_session_before_the_group_launched_is_refused_beside_the_date_and_the_typing_kept(
    client, active_group, facilitator
):
    launched(active_group, 10)
    day = days_ago(11)

    response = sign_in(client, facilitator).post(
        url("session_create", active_group), session_data(date=day.isoformat(), starts_at="19:05")
    )

    assert response.status_code == 200
    launch_day = timezone.localdate(active_group.launched_at)
    assert response.context["form"].errors["date"] == [
        f"The group launched on {launch_day:%-d %B %Y}, so it has no sessions before then."
    ]
    html = response.content.decode()
    assert f'value="{day.isoformat()}"' in html
    assert 'value="19:05"' in html
    assert summary_links(html) == [
        ("#id_date", f"Date: The group launched on {launch_day:%-d %B %Y}, so it has no sessions before then.")
    ]
    assert not GroupSession.objects.exists()


def test_a_session_on_the_day_the_group_launched_is_recorded(active_group, facilitator):
    launched(active_group, 10)

    session = record_session(session=a_new_session(active_group, days_ago(10)), facilitators=[], by=facilitator)

    assert session.pk


def test_even_a_session_that_did_not_run_is_not_dated_before_the_launch(active_group, facilitator):
    launched(active_group, 10)
    not_run = a_new_session(
        active_group,
        days_ago(17),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
    )

    with pytest.raises(ValidationError) as refusal:
        record_session(session=not_run, facilitators=[], by=facilitator)

    assert "launched on" in refusal.value.message_dict["date"][0]


# Before anyone joined --------------------------------------------------------------------------


def test_a_held_session_before_the_first_member_joined_is_refused(client, active_group, facilitator):
    launched(active_group, 30)
    MemberFactory(group=active_group, joined_on=days_ago(14))
    MemberFactory(group=active_group, joined_on=days_ago(7))

    response = sign_in(client, facilitator).post(
        url("session_create", active_group), session_data(date=days_ago(21).isoformat())
    )

    assert response.context["form"].errors["date"] == [
        f"Nobody had joined the group by then: the first member joined on {days_ago(14):%-d %B %Y}. "
        "Check the date, or correct when members joined."
    ]
    assert not GroupSession.objects.exists()


def test_a_held_session_from_the_day_the_first_member_joined_is_recorded(active_group, facilitator):
    launched(active_group, 30)
    MemberFactory(group=active_group, joined_on=days_ago(14))

    session = record_session(session=a_new_session(active_group, days_ago(14)), facilitators=[], by=facilitator)

    assert session.pk


def test_people_on_the_waiting_list_have_not_joined_yet(active_group, facilitator):
    launched(active_group, 30)
    MemberFactory(group=active_group, joined_on=days_ago(28), status=Member.Status.WAITING_LIST)
    MemberFactory(group=active_group, joined_on=days_ago(14))

    with pytest.raises(ValidationError, match="first member joined on"):
        record_session(session=a_new_session(active_group, days_ago(21)), facilitators=[], by=facilitator)


def test_a_session_that_did_not_run_may_come_before_anyone_joined(active_group, facilitator):
    launched(active_group, 30)
    MemberFactory(group=active_group, joined_on=days_ago(14))
    not_run = a_new_session(
        active_group,
        days_ago(21),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.FACILITATOR_ABSENT,
    )

    assert record_session(session=not_run, facilitators=[], by=facilitator).pk


def test_a_group_with_nobody_recorded_yet_may_record_its_first_session(active_group, facilitator):
    # The members page comes after: the register then says who to add.
    launched(active_group, 30)

    assert record_session(session=a_new_session(active_group, days_ago(21)), facilitators=[], by=facilitator).pk


def test_correcting_a_session_whose_date_no_longer_passes_still_saves_when_the_date_is_kept(active_group, facilitator):
    # Recorded when its members had joined; their records were erased since, so the first join
    # date is now later than the session. Correcting its times must not be refused for that.
    launched(active_group, 60)
    session = GroupSessionFactory(group=active_group, date=days_ago(40))
    MemberFactory(group=active_group, joined_on=days_ago(10))
    session.ends_at = datetime.time(20, 30)

    record_session(session=session, facilitators=[facilitator], by=facilitator)

    session.refresh_from_db()
    assert session.ends_at == datetime.time(20, 30)


def test_moving_a_session_to_before_anyone_joined_is_refused(active_group, facilitator):
    launched(active_group, 60)
    MemberFactory(group=active_group, joined_on=days_ago(30))
    session = GroupSessionFactory(group=active_group, date=days_ago(20))
    session.date = days_ago(40)

    with pytest.raises(ValidationError, match="first member joined on"):
        record_session(session=session, facilitators=[], by=facilitator)
    session.refresh_from_db()
    assert session.date == days_ago(20)


# One session at a time -------------------------------------------------------------------------


@pytest.fixture
def recorded(active_group):
    """A session held today at 18:30, already recorded."""
    return GroupSessionFactory(group=active_group, date=days_ago(0), starts_at=datetime.time(18, 30))


def test_a_second_session_at_the_same_time_says_it_is_already_recorded_and_links_to_it(
    client, active_group, facilitator, recorded
):
    response = sign_in(client, facilitator).post(
        url("session_create", active_group),
        session_data(date=recorded.date.isoformat(), starts_at="18:30", ends_at="21:00", offered_instead="Kept"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [SESSION_ALREADY_RECORDED]
    html = response.content.decode()
    # Beside the date, the way to the session recorded then; in the summary, the words, linked to the date.
    link = (
        f'<a href="{recorded.get_absolute_url()}">Open the session recorded on {recorded.date:%-d %B %Y} at 18:30</a>'
    )
    assert link in html
    assert html.index('id="id_date"') < html.index(link)
    assert summary_links(html) == [("#id_date", "Date: A session at that time is already recorded.")]
    assert_every_link_finds_its_field(html)
    # Not Django's wording for a unique constraint.
    assert "already exists" not in html
    assert "constraint" not in html.lower()
    assert 'value="21:00"' in html
    assert GroupSession.objects.count() == 1


def test_the_same_date_at_another_time_is_a_second_session(active_group, facilitator, recorded):
    other = a_new_session(active_group, recorded.date, starts_at=datetime.time(10), ends_at=datetime.time(11))

    assert record_session(session=other, facilitators=[], by=facilitator).pk
    assert GroupSession.objects.count() == 2


def test_moving_a_session_onto_another_ones_time_is_refused_with_a_link_to_it(
    client, active_group, facilitator, recorded
):
    other = GroupSessionFactory(group=active_group, date=recorded.date, starts_at=datetime.time(10))

    response = sign_in(client, facilitator).post(
        url("session_edit", active_group, session_pk=other.pk),
        session_data(date=recorded.date.isoformat(), starts_at="18:30"),
    )

    assert response.context["form"].errors["date"] == [SESSION_ALREADY_RECORDED]
    assert f'href="{recorded.get_absolute_url()}"' in response.content.decode()
    other.refresh_from_db()
    assert other.starts_at == datetime.time(10)


def test_the_service_names_the_session_already_recorded(active_group, facilitator, recorded):
    with pytest.raises(SessionAlreadyRecorded) as refusal:
        record_session(session=a_new_session(active_group, recorded.date), facilitators=[], by=facilitator)

    assert refusal.value.session == recorded
    assert refusal.value.message_dict == {"date": [SESSION_ALREADY_RECORDED]}


def test_another_groups_session_at_the_same_time_is_no_clash(active_group, facilitator):
    GroupSessionFactory(date=days_ago(0), starts_at=datetime.time(18, 30))  # another group's

    session = record_session(session=a_new_session(active_group, days_ago(0)), facilitators=[], by=facilitator)

    assert session.pk
