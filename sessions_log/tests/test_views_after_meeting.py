"""A facilitator's thread after a meeting: record the session, take the register, record a lesson
learnt (optional), write their debrief. Each save lands on the next step, or back on the session,
which offers the steps still open for the person looking ("Next: ...") and shows those done.
A lesson's form sent twice (Back, then Save again) records one lesson."""

import re

import pytest
from django.contrib import messages

from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory
from sessions_log.models import Attendance, GroupSession, Lesson
from sessions_log.services import LessonAlreadyRecorded, record_lesson
from sessions_log.tests.debriefs.helpers import debrief_data
from sessions_log.tests.factories import GroupSessionFactory, LessonFactory, MemberFactory
from sessions_log.tests.records import days_ago, url
from sessions_log.tests.sessions.helpers import session_data
from sessions_log.tests.test_views_lessons import lesson_data
from tests.access_matrix import messages_of, sign_in

pytestmark = pytest.mark.django_db

TAKE_REGISTER = "Next: take the register"
RECORD_LESSON = "Next: record a lesson learnt (optional)"
WRITE_DEBRIEF = "Next: write your debrief"


@pytest.fixture
def session(active_group, facilitator):
    """Today's meeting, held and recorded, run by bob, with two members expected."""
    MemberFactory.create_batch(2, group=active_group)
    return GroupSessionFactory(group=active_group, date=days_ago(0), facilitators_present=[facilitator])


def offers(html: str) -> list[str]:
    """The "Next:" links the session page offers, in order."""
    return re.findall(r'data-step="\w+">(Next: [^<]+)</a>', html)


def done(html: str) -> list[str]:
    return re.findall(r'data-step-done="(\w+)"', html)


def session_page(client, session) -> str:
    response = client.get(session.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def take_register(client, session):
    marks = {f"member_{member.pk}": Attendance.Status.PRESENT for member in session.group.members.all()}
    return client.post(url("register", session.group, session_pk=session.pk), marks)


# What the session page offers --------------------------------------------------------------------


def test_before_the_register_the_session_page_offers_every_step_the_register_first(client, session, facilitator):
    html = session_page(sign_in(client, facilitator), session)

    assert offers(html) == [TAKE_REGISTER, RECORD_LESSON, WRITE_DEBRIEF]
    assert f'href="{url("register", session.group, session_pk=session.pk)}" data-step="register"' in html
    assert done(html) == []


def test_after_the_register_it_lands_on_the_session_offering_a_lesson_and_the_debrief(client, session, facilitator):
    sign_in(client, facilitator)

    saved = take_register(client, session)

    assert saved.url == session.get_absolute_url()
    html = session_page(client, session)
    assert offers(html) == [RECORD_LESSON, WRITE_DEBRIEF]
    assert done(html) == ["register"]
    # The debrief is needed, the lesson optional: the debrief is the main button.
    write = url("debrief_write", session.group, session_pk=session.pk)
    assert f'class="btn btn-primary" href="{write}" data-step="debrief"' in html
    assert "Change the register" in html


def test_a_lesson_from_the_session_goes_back_to_it_with_the_debrief_still_offered(client, session, facilitator):
    sign_in(client, facilitator)
    take_register(client, session)
    lesson_link = f"{url('lesson_create', session.group)}?session={session.pk}"
    assert f'href="{lesson_link}" data-step="lesson"' in session_page(client, session)

    form = client.get(lesson_link)
    assert form.context["form"]["session"].value() == session.pk
    saved = client.post(lesson_link, lesson_data(session=session.pk))

    assert saved.url == session.get_absolute_url()
    assert messages_of(saved) == [(messages.SUCCESS, "The lesson has been recorded.")]
    html = session_page(client, session)
    assert offers(html) == [WRITE_DEBRIEF]
    assert done(html) == ["register", "lesson"]


def test_after_the_debrief_the_session_page_shows_everything_done(client, session, facilitator, supervisor):
    sign_in(client, facilitator)
    take_register(client, session)

    saved = client.post(url("debrief_write", session.group, session_pk=session.pk), debrief_data())

    assert saved.url == session.get_absolute_url()
    html = session_page(client, session)
    debrief = session.debriefs.get()
    # The lesson stays on offer, being optional; nothing else is left.
    assert offers(html) == [RECORD_LESSON]
    assert done(html) == ["register", "debrief"]
    assert "Done after this session" in html
    assert f'<a href="{url("debrief", session.group, debrief_pk=debrief.pk)}">Your debrief is written</a>' in html
    # Who reads it, in the same words as before it was written.
    assert (
        f"Only you, the group's supervisor ({supervisor}) and the organisation's administrators can read your "
        "debrief." in html
    )


def test_only_the_steps_that_fall_to_this_person_are_offered(client, session, facilitator):
    # Cora co-facilitates but was not at this session: the register and a lesson, but no debrief of hers.
    cora = GroupRoleFactory(group=session.group, role=GroupRole.Role.CO_FACILITATOR).user

    assert offers(session_page(sign_in(client, cora), session)) == [TAKE_REGISTER, RECORD_LESSON]


def test_a_lesson_someone_else_recorded_leaves_the_step_open_for_this_person(client, session, facilitator, coordinator):
    LessonFactory(group=session.group, session=session, created_by=coordinator)

    assert RECORD_LESSON in offers(session_page(sign_in(client, facilitator), session))


@pytest.mark.parametrize("role", ["coordinator", "supervisor"])
def test_people_with_no_step_after_the_meeting_are_offered_none(client, request, session, role):
    html = session_page(sign_in(client, request.getfixturevalue(role)), session)

    assert offers(html) == []
    assert "After this session" not in html


def test_a_session_that_did_not_run_offers_no_steps(client, active_group, facilitator):
    not_run = GroupSessionFactory(
        group=active_group,
        date=days_ago(0),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
        facilitators_present=[facilitator],
    )

    assert offers(session_page(sign_in(client, facilitator), not_run)) == []


def test_a_paused_group_no_longer_offers_the_register_but_still_the_debrief(client, session, facilitator):
    session.group.status = session.group.Status.PAUSED
    session.group.save(update_fields=["status"])

    assert offers(session_page(sign_in(client, facilitator), session)) == [RECORD_LESSON, WRITE_DEBRIEF]


def test_recording_a_held_session_goes_to_its_register_and_one_not_run_to_the_session(
    client, active_group, facilitator
):
    sign_in(client, facilitator)
    held = client.post(url("session_create", active_group), session_data(facilitators_present=[facilitator.pk]))
    not_run = client.post(
        url("session_create", active_group),
        session_data(starts_at="10:00", ends_at="11:00", outcome="did_not_run", not_run_reason="holiday"),
    )

    first, second = GroupSession.objects.order_by("pk")
    assert held.url == url("register", active_group, session_pk=first.pk)
    assert not_run.url == second.get_absolute_url()


# Lessons: where the thread goes on ---------------------------------------------------------------


def test_a_lesson_not_from_a_session_goes_to_the_lessons_learnt(client, active_group, facilitator):
    saved = sign_in(client, facilitator).post(url("lesson_create", active_group), lesson_data())

    assert saved.url == url("lessons", active_group)


def test_the_lesson_form_opened_from_a_session_leads_back_to_it(client, session, facilitator):
    response = sign_in(client, facilitator).get(f"{url('lesson_create', session.group)}?session={session.pk}")

    html = response.content.decode()
    assert f'class="btn btn-link" href="{session.get_absolute_url()}">Cancel</a>' in html
    assert f'<a href="{session.get_absolute_url()}">{session.date:%-d %B %Y}</a>' in html  # the breadcrumb


@pytest.mark.parametrize("asked", ["", "x", "99999999999999999999", "-1"])
def test_a_session_asked_for_that_is_not_the_groups_is_ignored(client, active_group, facilitator, asked):
    other_groups = GroupSessionFactory()
    sign_in(client, facilitator)

    for value in (asked, other_groups.pk):
        response = client.get(f"{url('lesson_create', active_group)}?session={value}")
        assert response.status_code == 200
        assert response.context["from_session"] is None


# Back, then Save again ---------------------------------------------------------------------------


def test_the_same_lesson_sent_twice_records_one_lesson(client, session, facilitator):
    sign_in(client, facilitator)
    lesson_link = f"{url('lesson_create', session.group)}?session={session.pk}"
    data = lesson_data(session=session.pk)

    first = client.post(lesson_link, data)
    client.get(first.url)
    # The browser's Back shows a new form with what was typed kept; Save sends it again.
    again = client.post(lesson_link, data)

    assert Lesson.objects.count() == 1
    assert again.url == first.url == session.get_absolute_url()
    assert messages_of(again) == [(messages.INFO, "This lesson was saved already, so it has not been saved twice.")]


@pytest.mark.parametrize(
    "changed",
    [
        {"what_to_change": "Added after going back."},
        {"what_worked": "Something else worked."},
        {"theme": "records"},
        {"session": ""},
    ],
)
def test_a_lesson_that_differs_in_anything_written_or_chosen_is_a_second_lesson(client, session, facilitator, changed):
    sign_in(client, facilitator)
    data = lesson_data(session=session.pk)
    client.post(url("lesson_create", session.group), data)

    second = client.post(url("lesson_create", session.group), {**data, **changed})

    assert second.status_code == 302
    assert Lesson.objects.count() == 2


def test_the_same_words_from_someone_else_are_their_own_lesson(client, session, facilitator, coordinator):
    record_lesson(
        lesson=Lesson(group=session.group, session=session, theme="sessions", what_worked="Tea."), by=coordinator
    )

    saved = sign_in(client, facilitator).post(
        url("lesson_create", session.group), lesson_data(session=session.pk, theme="sessions", what_worked="Tea.")
    )

    assert messages_of(saved) == [(messages.SUCCESS, "The lesson has been recorded.")]
    assert sorted(Lesson.objects.values_list("created_by", flat=True)) == sorted([coordinator.pk, facilitator.pk])


def test_the_service_names_the_lesson_already_recorded(session, facilitator):
    def same_lesson():
        return Lesson(group=session.group, session=session, theme="sessions", what_worked="Tea.")

    first = record_lesson(lesson=same_lesson(), by=facilitator)

    with pytest.raises(LessonAlreadyRecorded) as sent_again:
        record_lesson(lesson=same_lesson(), by=facilitator)
    assert sent_again.value.lesson == first
