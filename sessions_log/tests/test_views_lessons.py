"""The lessons-learnt log and the page to record a lesson (LifeSIGNS LS-Q14).

Everyone on the team reads the log; Alice (coordinator) and Bob (facilitator) record lessons;
Sam (supervisor) reads but does not record. Charlie, from another group, cannot even find it.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions_log.models import GroupSession, Lesson
from sessions_log.tests.factories import GroupSessionFactory, LessonFactory
from tests.access_matrix import (
    Endpoint,
    allowed,
    assert_can_use,
    assert_sent_to_sign_in,
    assert_turned_away,
    refused,
    sign_in,
)
from tests.error_summary import summary_links

pytestmark = pytest.mark.django_db

MEMBERS = ("coordinator", "facilitator", "supervisor")
GUIDANCE = "LifeSIGNS: Guidance on running or supporting a real-life group"


def lesson_data(**changes) -> dict:
    data = {
        "session": "",
        "theme": "sessions",
        "what_worked": "A cup of tea first helped people settle.",
        "what_to_change": "",
        "action": "",
        "action_owner": "",
    }
    data.update(changes)
    return data


def lessons_url(group):
    return reverse("sessions_log:lessons", kwargs={"pk": group.pk})


def create_url(group):
    return reverse("sessions_log:lesson_create", kwargs={"pk": group.pk})


# The access matrix -----------------------------------------------------------------------------

EVERYONE = frozenset(MEMBERS)
RECORDERS = frozenset({"coordinator", "facilitator"})
ENDPOINTS = [
    Endpoint("sessions_log:lessons", "GET", EVERYONE),
    Endpoint("sessions_log:lesson_create", "GET", RECORDERS),
    Endpoint("sessions_log:lesson_create", "POST", RECORDERS, data=lambda things: lesson_data()),
]


@pytest.fixture
def things(active_group):
    return SimpleNamespace(group=active_group)


def lesson_rows():
    return list(Lesson.objects.order_by("pk").values())


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(client, things, endpoint):
    assert_sent_to_sign_in(client, things, endpoint, lesson_rows)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_people_outside_the_group_are_told_it_does_not_exist(client, things, outsider, endpoint):
    assert_turned_away(client, outsider, things, endpoint, lesson_rows, 404)


@pytest.mark.parametrize(("endpoint", "role"), refused(ENDPOINTS, MEMBERS), ids=str)
def test_the_supervisor_reads_lessons_but_does_not_record_them(client, request, things, endpoint, role):
    assert_turned_away(client, request.getfixturevalue(role), things, endpoint, lesson_rows, 403)


@pytest.mark.parametrize(("endpoint", "role"), allowed(ENDPOINTS, MEMBERS), ids=str)
def test_team_members_with_the_right_can_use_the_page(client, request, things, endpoint, role):
    response = assert_can_use(client, request.getfixturevalue(role), things, endpoint)

    if endpoint.method == "POST":
        assert response.url == lessons_url(things.group)


# The log ---------------------------------------------------------------------------------------


def test_the_log_cites_the_guidance_and_offers_recording_to_those_who_may(
    client, active_group, facilitator, supervisor
):
    as_facilitator = sign_in(client, facilitator).get(lessons_url(active_group)).content.decode()
    as_supervisor = sign_in(client, supervisor).get(lessons_url(active_group)).content.decode()

    assert GUIDANCE in as_facilitator
    assert "LS-Q14" in as_facilitator
    assert create_url(active_group) in as_facilitator
    assert create_url(active_group) not in as_supervisor


def test_the_log_shows_only_this_groups_lessons(client, active_group, supervisor):
    ours = LessonFactory(group=active_group, what_worked="Ours: a quiet corner.")
    LessonFactory(what_worked="Theirs: somewhere else entirely.")

    response = sign_in(client, supervisor).get(lessons_url(active_group))

    assert list(response.context["page"]) == [ours]
    assert "Theirs" not in response.content.decode()


def test_the_log_filters_by_theme(client, active_group, supervisor):
    about_sessions = LessonFactory(group=active_group, theme="sessions")
    LessonFactory(group=active_group, theme="records")

    response = sign_in(client, supervisor).get(lessons_url(active_group), {"theme": "sessions"})

    assert list(response.context["page"]) == [about_sessions]


@pytest.mark.parametrize("field", ["what_worked", "what_to_change", "action"])
def test_the_search_looks_in_what_worked_what_to_change_and_the_action(client, active_group, supervisor, field):
    found = LessonFactory(group=active_group, **{field: "Bring BISCUITS for the break."})
    LessonFactory(group=active_group)

    response = sign_in(client, supervisor).get(lessons_url(active_group), {"q": "biscuits"})

    assert list(response.context["page"]) == [found]


def test_an_unmatched_search_says_so(client, active_group, supervisor):
    LessonFactory(group=active_group)

    response = sign_in(client, supervisor).get(lessons_url(active_group), {"q": "nothing like this"})

    assert "No lessons match" in response.content.decode()


def test_the_log_shows_twenty_lessons_a_page_and_keeps_the_filter_between_pages(client, active_group, supervisor):
    LessonFactory.create_batch(25, group=active_group, theme="sessions")
    LessonFactory.create_batch(3, group=active_group, theme="records")
    sign_in(client, supervisor)

    first = client.get(lessons_url(active_group), {"theme": "sessions"})
    second = client.get(lessons_url(active_group), {"theme": "sessions", "page": "2"})

    assert len(first.context["page"]) == 20
    assert len(second.context["page"]) == 5
    assert "?theme=sessions&amp;page=2" in first.content.decode()


def test_an_impossible_page_number_shows_the_last_page(client, active_group, supervisor):
    LessonFactory.create_batch(21, group=active_group)

    response = sign_in(client, supervisor).get(lessons_url(active_group), {"page": "99"})

    assert response.context["page"].number == 2


# session, user, group, its roles, the count, one page of lessons, the menu's roles; and for the
# supervisor, who reads no member's name, the group's recorded names (the redaction list, and the
# names as recorded)
LESSON_LOG_MAX_QUERIES = 9


def test_the_log_costs_the_same_queries_however_many_lessons(
    client, active_group, supervisor, django_assert_max_num_queries
):
    session = GroupSessionFactory(group=active_group)
    LessonFactory(group=active_group, session=session)
    sign_in(client, supervisor)
    with CaptureQueriesContext(connection) as few:
        client.get(lessons_url(active_group))

    LessonFactory.create_batch(30, group=active_group, session=session, action="Agree it", action_owner=supervisor)
    with django_assert_max_num_queries(LESSON_LOG_MAX_QUERIES), CaptureQueriesContext(connection) as many:
        client.get(lessons_url(active_group))

    assert len(many) == len(few)


# Recording a lesson ----------------------------------------------------------------------------


def test_a_facilitator_records_a_lesson(client, active_group, facilitator):
    session = GroupSessionFactory(group=active_group)

    sign_in(client, facilitator).post(
        create_url(active_group),
        lesson_data(session=session.pk, what_to_change="Agree a signal for a break.", action="Agree it next time"),
    )

    lesson = Lesson.objects.get()
    assert (lesson.group, lesson.session, lesson.created_by) == (active_group, session, facilitator)
    assert lesson.what_to_change == "Agree a signal for a break."


def test_the_session_can_be_chosen_in_advance(client, active_group, facilitator):
    session = GroupSessionFactory(group=active_group)

    response = sign_in(client, facilitator).get(create_url(active_group), {"session": session.pk})

    assert str(response.context["form"]["session"].value()) == str(session.pk)
    assert f'<option value="{session.pk}" selected>' in response.content.decode()


def test_only_this_groups_held_sessions_can_be_chosen(client, active_group, facilitator):
    held = GroupSessionFactory(group=active_group)
    GroupSessionFactory(
        group=active_group,
        date=held.date - datetime.timedelta(days=7),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
    )
    GroupSessionFactory()

    response = sign_in(client, facilitator).get(create_url(active_group))

    assert list(response.context["form"].fields["session"].queryset) == [held]


def test_a_lesson_must_say_what_worked_or_what_to_change_and_keeps_what_was_typed(client, active_group, coordinator):
    response = sign_in(client, coordinator).post(
        create_url(active_group), lesson_data(what_worked="", what_to_change="", action="Talk to the venue")
    )

    assert response.status_code == 200
    html = response.content.decode()
    # About the whole form: listed once, in the summary, linked to nothing.
    assert summary_links(html) == [("", "Say what worked, what to change, or both.")]
    assert html.count("Say what worked, what to change, or both.") == 1
    assert "Talk to the venue" in html
    assert not Lesson.objects.exists()


def test_the_lesson_form_asks_for_no_details_of_self_harm_and_cites_the_guidance(client, active_group, coordinator):
    page = sign_in(client, coordinator).get(create_url(active_group)).content.decode()

    assert "Never write details of anyone&#x27;s self-harm" in page
    assert GUIDANCE in page
