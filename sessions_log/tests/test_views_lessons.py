"""The lessons-learnt log and the page to record a lesson (LifeSIGNS LS-Q14).

Everyone on the team reads the log; Alice (coordinator) and Bob (facilitator) record lessons;
Sam (supervisor) reads but does not record. Charlie, from another group, cannot even find it.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.tests.factories import mark_launched
from sessions_log.models import GroupSession, Lesson
from sessions_log.tests.access_matrix import sign_in
from sessions_log.tests.factories import GroupSessionFactory, LessonFactory

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


@pytest.fixture
def team(group, coordinator, facilitator, supervisor):
    mark_launched(group)
    return group


def lessons_url(group):
    return reverse("sessions_log:lessons", kwargs={"pk": group.pk})


def create_url(group):
    return reverse("sessions_log:lesson_create", kwargs={"pk": group.pk})


# The access matrix -----------------------------------------------------------------------------

PAGES = [
    ("lessons", "GET", set(MEMBERS)),
    ("lesson_create", "GET", {"coordinator", "facilitator"}),
    ("lesson_create", "POST", {"coordinator", "facilitator"}),
]
ALLOWED = [(name, method, role) for name, method, allowed in PAGES for role in MEMBERS if role in allowed]
REFUSED = [(name, method, role) for name, method, allowed in PAGES for role in MEMBERS if role not in allowed]


def request_page(client, group, name, method):
    url = reverse(f"sessions_log:{name}", kwargs={"pk": group.pk})
    return url, client.get(url) if method == "GET" else client.post(url, lesson_data())


@pytest.mark.parametrize(("name", "method"), [(name, method) for name, method, _ in PAGES])
def test_anonymous_visitors_are_sent_to_sign_in(client, team, name, method):
    url, response = request_page(client, team, name, method)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    assert not Lesson.objects.exists()


@pytest.mark.parametrize(("name", "method"), [(name, method) for name, method, _ in PAGES])
def test_people_outside_the_group_are_told_it_does_not_exist(client, team, outsider, name, method):
    _, response = request_page(sign_in(client, outsider), team, name, method)

    assert response.status_code == 404
    assert not Lesson.objects.exists()


@pytest.mark.parametrize(("name", "method", "role"), REFUSED)
def test_the_supervisor_reads_lessons_but_does_not_record_them(client, request, team, name, method, role):
    _, response = request_page(sign_in(client, request.getfixturevalue(role)), team, name, method)

    assert response.status_code == 403
    assert not Lesson.objects.exists()


@pytest.mark.parametrize(("name", "method", "role"), ALLOWED)
def test_team_members_with_the_right_can_use_the_page(client, request, team, name, method, role):
    _, response = request_page(sign_in(client, request.getfixturevalue(role)), team, name, method)

    if method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url == lessons_url(team)


# The log ---------------------------------------------------------------------------------------


def test_the_log_cites_the_guidance_and_offers_recording_to_those_who_may(client, team, facilitator, supervisor):
    as_facilitator = sign_in(client, facilitator).get(lessons_url(team)).content.decode()
    as_supervisor = sign_in(client, supervisor).get(lessons_url(team)).content.decode()

    assert GUIDANCE in as_facilitator
    assert "LS-Q14" in as_facilitator
    assert create_url(team) in as_facilitator
    assert create_url(team) not in as_supervisor


def test_the_log_shows_only_this_groups_lessons(client, team, supervisor):
    ours = LessonFactory(group=team, what_worked="Ours: a quiet corner.")
    LessonFactory(what_worked="Theirs: somewhere else entirely.")

    response = sign_in(client, supervisor).get(lessons_url(team))

    assert list(response.context["page"]) == [ours]
    assert "Theirs" not in response.content.decode()


def test_the_log_filters_by_theme(client, team, supervisor):
    about_sessions = LessonFactory(group=team, theme="sessions")
    LessonFactory(group=team, theme="records")

    response = sign_in(client, supervisor).get(lessons_url(team), {"theme": "sessions"})

    assert list(response.context["page"]) == [about_sessions]


@pytest.mark.parametrize("field", ["what_worked", "what_to_change", "action"])
def test_the_search_looks_in_what_worked_what_to_change_and_the_action(client, team, supervisor, field):
    found = LessonFactory(group=team, **{field: "Bring BISCUITS for the break."})
    LessonFactory(group=team)

    response = sign_in(client, supervisor).get(lessons_url(team), {"q": "biscuits"})

    assert list(response.context["page"]) == [found]


def test_an_unmatched_search_says_so(client, team, supervisor):
    LessonFactory(group=team)

    response = sign_in(client, supervisor).get(lessons_url(team), {"q": "nothing like this"})

    assert "No lessons match" in response.content.decode()


def test_the_log_shows_twenty_lessons_a_page_and_keeps_the_filter_between_pages(client, team, supervisor):
    LessonFactory.create_batch(25, group=team, theme="sessions")
    LessonFactory.create_batch(3, group=team, theme="records")
    sign_in(client, supervisor)

    first = client.get(lessons_url(team), {"theme": "sessions"})
    second = client.get(lessons_url(team), {"theme": "sessions", "page": "2"})

    assert len(first.context["page"]) == 20
    assert len(second.context["page"]) == 5
    assert "?theme=sessions&amp;page=2" in first.content.decode()


def test_an_impossible_page_number_shows_the_last_page(client, team, supervisor):
    LessonFactory.create_batch(21, group=team)

    response = sign_in(client, supervisor).get(lessons_url(team), {"page": "99"})

    assert response.context["page"].number == 2


# session, user, group, its roles, the count, one page of lessons; and for the supervisor, who reads
# no member's name, the group's recorded names (the redaction list, and the names as recorded)
LESSON_LOG_MAX_QUERIES = 8


def test_the_log_costs_the_same_queries_however_many_lessons(client, team, supervisor, django_assert_max_num_queries):
    session = GroupSessionFactory(group=team)
    LessonFactory(group=team, session=session)
    sign_in(client, supervisor)
    with CaptureQueriesContext(connection) as few:
        client.get(lessons_url(team))

    LessonFactory.create_batch(30, group=team, session=session, action="Agree it", action_owner=supervisor)
    with django_assert_max_num_queries(LESSON_LOG_MAX_QUERIES), CaptureQueriesContext(connection) as many:
        client.get(lessons_url(team))

    assert len(many) == len(few)


# Recording a lesson ----------------------------------------------------------------------------


def test_a_facilitator_records_a_lesson(client, team, facilitator):
    session = GroupSessionFactory(group=team)

    sign_in(client, facilitator).post(
        create_url(team),
        lesson_data(session=session.pk, what_to_change="Agree a signal for a break.", action="Agree it next time"),
    )

    lesson = Lesson.objects.get()
    assert (lesson.group, lesson.session, lesson.created_by) == (team, session, facilitator)
    assert lesson.what_to_change == "Agree a signal for a break."


def test_the_session_can_be_chosen_in_advance(client, team, facilitator):
    session = GroupSessionFactory(group=team)

    response = sign_in(client, facilitator).get(create_url(team), {"session": session.pk})

    assert str(response.context["form"]["session"].value()) == str(session.pk)
    assert f'<option value="{session.pk}" selected>' in response.content.decode()


def test_only_this_groups_held_sessions_can_be_chosen(client, team, facilitator):
    held = GroupSessionFactory(group=team)
    GroupSessionFactory(
        group=team,
        date=held.date - datetime.timedelta(days=7),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
    )
    GroupSessionFactory()

    response = sign_in(client, facilitator).get(create_url(team))

    assert list(response.context["form"].fields["session"].queryset) == [held]


def test_a_lesson_must_say_what_worked_or_what_to_change_and_keeps_what_was_typed(client, team, coordinator):
    response = sign_in(client, coordinator).post(
        create_url(team), lesson_data(what_worked="", what_to_change="", action="Talk to the venue")
    )

    assert response.status_code == 200
    assert "Say what worked, what to change, or both." in response.content.decode()
    assert "Talk to the venue" in response.content.decode()
    assert not Lesson.objects.exists()


def test_the_lesson_form_asks_for_no_details_of_self_harm_and_cites_the_guidance(client, team, coordinator):
    page = sign_in(client, coordinator).get(create_url(team)).content.decode()

    assert "Never write details of anyone&#x27;s self-harm" in page
    assert GUIDANCE in page
