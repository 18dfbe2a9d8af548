"""The debrief pages and the supervisor's review queue.

Bob leads the group and wrote the debrief, Dana co-facilitated the same session, Alice
coordinates the group and Sam supervises it. Charlie runs another group. A debrief's content is
for Bob, Sam and superusers only: everyone else on the team gets a 403, and it never appears in
any page they can open.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.tests.factories import UserFactory
from concerns.tests.factories import ConcernFactory
from groups.models import GroupRole
from groups.tests.factories import GroupRoleFactory, SupportGroupFactory
from sessions_log.models import Debrief, DebriefNote, DebriefReview, GroupSession
from sessions_log.tests.factories import DebriefFactory, DebriefReviewFactory, GroupSessionFactory, LessonFactory
from sessions_log.tests.records import url
from tests.access_matrix import (
    Endpoint,
    allowed,
    assert_sent_to_sign_in,
    assert_turned_away,
    messages_of,
    refused,
    sign_in,
)
from tests.error_summary import assert_every_link_finds_its_field, read_summary, summary_links

pytestmark = pytest.mark.django_db

Role = GroupRole.Role

SECRET = "I felt shaken after the break and did not sleep."


# Helpers and fixtures --------------------------------------------------------------------------


def debrief_data(**changes) -> dict:
    data = {
        "how_it_went": "Warm and open.",
        "anything_difficult": "",
        "wellbeing": "4",
        "support_wanted": "",
    }
    data.update(changes)
    return data


def age(debrief, days):
    Debrief.objects.filter(pk=debrief.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    debrief.refresh_from_db()
    return debrief


def everything_about_debriefs() -> dict:
    """A snapshot of every debrief, review and note, to show a refused request changed nothing."""
    return {
        "debriefs": list(Debrief.objects.order_by("pk").values()),
        "reviews": list(DebriefReview.objects.order_by("pk").values()),
        "notes": list(DebriefNote.objects.order_by("pk").values()),
    }


@pytest.fixture
def co_facilitator(group):
    user = UserFactory(username="dana")
    GroupRoleFactory(group=group, user=user, role=Role.CO_FACILITATOR)
    return user


@pytest.fixture
def session(active_group, facilitator, co_facilitator):
    """Last week's session, run by Bob and Dana, in a group with its whole team."""
    return GroupSessionFactory(group=active_group, facilitators_present=[facilitator, co_facilitator])


@pytest.fixture
def debrief(session, facilitator):
    return DebriefFactory(session=session, author=facilitator, how_it_went=SECRET)


@pytest.fixture
def scene(active_group, session, debrief):
    return SimpleNamespace(group=active_group, session=session, debrief=debrief)


def debrief_url(name, scene, **kwargs):
    return url(name, scene.group, **kwargs)


# The access matrix -----------------------------------------------------------------------------


def _session(scene):
    return {"session_pk": scene.session.pk}


def _debrief(scene):
    return {"debrief_pk": scene.debrief.pk}


DEBRIEF_ENDPOINTS = [
    Endpoint("sessions_log:debrief_write", "GET", frozenset({"facilitator"}), _session),
    Endpoint(
        "sessions_log:debrief_write",
        "POST",
        frozenset({"facilitator"}),
        _session,
        lambda scene: debrief_data(how_it_went="Edited."),
    ),
    Endpoint("sessions_log:debrief", "GET", frozenset({"facilitator", "supervisor"}), _debrief),
    Endpoint(
        "sessions_log:debrief_review",
        "POST",
        frozenset({"supervisor"}),
        _debrief,
        lambda scene: {"comments": "Thank you."},
    ),
    Endpoint(
        "sessions_log:debrief_note",
        "POST",
        frozenset({"facilitator", "supervisor"}),
        _debrief,
        lambda scene: {"text": "A week on: fine."},
    ),
]
REFUSED = refused(DEBRIEF_ENDPOINTS)
ALLOWED = allowed(DEBRIEF_ENDPOINTS)


def _id(value):
    return str(value)


@pytest.mark.parametrize("endpoint", DEBRIEF_ENDPOINTS, ids=_id)
def test_anonymous_visitors_are_sent_to_sign_in(client, scene, endpoint):
    assert_sent_to_sign_in(client, scene, endpoint, everything_about_debriefs)


@pytest.mark.parametrize("endpoint", DEBRIEF_ENDPOINTS, ids=_id)
def test_people_outside_the_group_are_told_it_does_not_exist(client, scene, outsider, endpoint):
    assert_turned_away(client, outsider, scene, endpoint, everything_about_debriefs, 404)


@pytest.mark.parametrize(("endpoint", "role"), REFUSED, ids=_id)
def test_team_members_without_the_right_are_refused_and_nothing_changes(client, request, scene, endpoint, role):
    response = assert_turned_away(
        client, request.getfixturevalue(role), scene, endpoint, everything_about_debriefs, 403
    )

    assert SECRET not in response.content.decode()


@pytest.mark.parametrize(("endpoint", "role"), ALLOWED, ids=_id)
def test_team_members_with_the_right_can_use_the_page(client, request, scene, endpoint, role):
    url, response = endpoint.request(sign_in(client, request.getfixturevalue(role)), scene)

    if endpoint.method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        # A saved debrief goes back to its session, where the steps after the meeting show it done;
        # a review or a note stays on the debrief.
        if endpoint.name == "sessions_log:debrief_write":
            assert response.url == scene.session.get_absolute_url()
        else:
            assert response.url == debrief_url("debrief", scene, debrief_pk=scene.debrief.pk)
        assert messages.SUCCESS in [level for level, _ in messages_of(response)]


@pytest.mark.parametrize(
    "endpoint", [endpoint for endpoint in DEBRIEF_ENDPOINTS if endpoint.name != "sessions_log:debrief_write"], ids=_id
)
def test_debrief_actions_and_pages_ignore_debriefs_of_other_groups(client, scene, supervisor, endpoint):
    other_group_debrief = DebriefFactory()
    url = reverse(endpoint.name, kwargs={"pk": scene.group.pk, "debrief_pk": other_group_debrief.pk})

    sign_in(client, supervisor)

    response = client.post(url, endpoint.data(scene)) if endpoint.method == "POST" else client.get(url)

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["debrief_review", "debrief_note"])
def test_debrief_actions_do_not_answer_a_plain_get(client, scene, supervisor, name):
    response = sign_in(client, supervisor).get(debrief_url(name, scene, debrief_pk=scene.debrief.pk))

    assert response.status_code == 405


def test_a_superuser_can_read_any_debrief(client, scene):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    response = sign_in(client, admin).get(debrief_url("debrief", scene, debrief_pk=scene.debrief.pk))

    assert response.status_code == 200
    assert SECRET in response.content.decode()


# Confidentiality -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "co_facilitator"])
def test_the_coordinator_and_other_facilitators_never_see_a_debriefs_content(client, request, scene, role):
    LessonFactory(group=scene.group, session=scene.session)
    sign_in(client, request.getfixturevalue(role))
    debrief_pages = [
        debrief_url("debrief", scene, debrief_pk=scene.debrief.pk),
        debrief_url("debrief_review", scene, debrief_pk=scene.debrief.pk),
        debrief_url("debrief_note", scene, debrief_pk=scene.debrief.pk),
    ]
    # Pages they may open, some of which mention the session or its debriefs.
    open_pages = [
        reverse("sessions_log:dashboard"),
        reverse("sessions_log:review_queue"),
        debrief_url("lessons", scene),
        debrief_url("session", scene, session_pk=scene.session.pk),
        reverse("groups:plan", kwargs={"pk": scene.group.pk}),
    ]

    refused = [client.get(url) for url in debrief_pages[:1]] + [client.post(url) for url in debrief_pages[1:]]
    opened = [client.get(url) for url in open_pages]

    assert [response.status_code for response in refused] == [403, 403, 403]
    assert [response.status_code for response in opened] == [200] * len(open_pages)
    for response in refused + opened:
        assert SECRET not in response.content.decode()


def test_a_co_facilitator_writing_their_own_debrief_does_not_see_their_colleagues(client, scene, co_facilitator):
    response = sign_in(client, co_facilitator).get(debrief_url("debrief_write", scene, session_pk=scene.session.pk))

    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert response.context["form"].instance.pk is None


def test_the_review_queue_shows_who_and_when_but_never_what_was_written(client, scene, supervisor):
    response = sign_in(client, supervisor).get(reverse("sessions_log:review_queue"))

    assert response.status_code == 200
    assert [debrief.pk for debrief in response.context["debriefs"]] == [scene.debrief.pk]
    assert SECRET not in response.content.decode()


# Writing a debrief -----------------------------------------------------------------------------


def test_a_facilitator_writes_their_debrief_for_a_session_they_ran(client, active_group, session, facilitator):
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    response = sign_in(client, facilitator).post(url, debrief_data(how_it_went="Calm, two new members."))

    debrief = Debrief.objects.get()
    assert (debrief.author, debrief.session, debrief.how_it_went) == (facilitator, session, "Calm, two new members.")
    assert response.url == session.get_absolute_url()


def test_the_debrief_form_asks_for_no_details_of_self_harm_and_offers_large_wellbeing_buttons(
    client, active_group, session, facilitator
):
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    page = sign_in(client, facilitator).get(url).content.decode()

    assert "Never write details of anyone&#x27;s self-harm" in page
    assert page.count('name="wellbeing"') == 5
    assert 'class="btn-check' in page


def test_editing_a_debrief_before_review_changes_it(client, scene, facilitator):
    url = debrief_url("debrief_write", scene, session_pk=scene.session.pk)
    sign_in(client, facilitator)

    form_page = client.get(url)
    response = client.post(url, debrief_data(how_it_went="On reflection, it went well."))

    assert form_page.context["form"].instance == scene.debrief
    assert response.status_code == 302
    assert Debrief.objects.get().how_it_went == "On reflection, it went well."


def test_a_debrief_with_mistakes_is_not_saved_and_keeps_what_was_typed(client, active_group, session, facilitator):
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    response = sign_in(client, facilitator).post(
        url, debrief_data(anything_difficult="A hard evening for everyone.", how_it_went="", wellbeing="9")
    )

    assert response.status_code == 200
    assert not Debrief.objects.exists()
    assert set(response.context["form"].errors) == {"how_it_went", "wellbeing"}
    assert "A hard evening for everyone." in response.content.decode()


def test_the_debrief_forms_errors_are_summed_up_at_the_top_each_linked_to_its_field(
    client, active_group, session, facilitator
):
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    response = sign_in(client, facilitator).post(url, debrief_data(how_it_went="", wellbeing=""))

    html = response.content.decode()
    heading, errors = read_summary(html)
    assert heading == "Nothing has been saved yet"
    # In the order of the form; a group of radio buttons is reached by its first button.
    assert errors == [
        ("#id_how_it_went", "How did the session go? This field is required."),
        ("#id_wellbeing_0", "How are you feeling after the session? This field is required."),
    ]
    assert_every_link_finds_its_field(html)
    # Beside each field, the same words.
    form = response.context["form"]
    for name in ("how_it_went", "wellbeing"):
        assert escape(form.errors[name][0]) in html
    # The summary says it all: no second message at the top of the page.
    assert messages_of(response) == []


def test_a_refusal_about_the_whole_debrief_is_in_the_summary_once(client, scene, facilitator):
    DebriefReviewFactory(debrief=scene.debrief)

    response = sign_in(client, facilitator).post(
        debrief_url("debrief_write", scene, session_pk=scene.session.pk), debrief_data()
    )

    html = response.content.decode()
    refusal = "This debrief has been reviewed and is locked. Add a note instead."
    assert summary_links(html) == [("", refusal)]
    assert html.count(refusal) == 1


def test_the_same_words_say_who_reads_a_debrief_before_writing_and_after_saving(
    client, active_group, session, facilitator, supervisor
):
    readers = (
        f"Only you, the group's supervisor ({supervisor}) and the organisation's administrators can read "
        "your debrief. The rest of the team sees only that you wrote one, and when."
    )
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})
    sign_in(client, facilitator)

    assert readers in client.get(url).content.decode()
    saved = client.post(url, debrief_data(), follow=True)
    assert saved.redirect_chain[-1][0] == session.get_absolute_url()
    assert readers in saved.content.decode()
    debrief_page = client.get(
        reverse("sessions_log:debrief", kwargs={"pk": active_group.pk, "debrief_pk": Debrief.objects.get().pk})
    )
    assert readers in debrief_page.content.decode()


def test_the_supervisor_and_the_session_page_are_told_who_reads_a_debrief(
    client, scene, facilitator, supervisor, coordinator
):
    debrief_page = sign_in(client, supervisor).get(debrief_url("debrief", scene, debrief_pk=scene.debrief.pk))
    assert (
        f"Only {facilitator}, the group's supervisor ({supervisor}) and the organisation's administrators "
        f"can read this debrief. The rest of the team sees only that {facilitator} wrote one, and when."
    ) in debrief_page.content.decode()

    session_page = sign_in(client, coordinator).get(
        reverse("sessions_log:session", kwargs={"pk": scene.group.pk, "session_pk": scene.session.pk})
    )
    assert (
        f"Only its author, the group's supervisor ({supervisor}) and the organisation's administrators "
        "can read a debrief. The rest of the team sees only that the author wrote one, and when."
    ) in session_page.content.decode()


def test_a_facilitator_who_was_not_at_the_session_cannot_debrief_it(client, active_group, co_facilitator):
    session = GroupSessionFactory(group=active_group, facilitators_present=[])
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    sign_in(client, co_facilitator)

    assert client.get(url).status_code == 403
    assert client.post(url, debrief_data()).status_code == 403
    assert not Debrief.objects.exists()


def test_a_session_that_did_not_run_cannot_be_debriefed(client, active_group, facilitator):
    session = GroupSessionFactory(
        group=active_group,
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
        facilitators_present=[facilitator],
    )
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": session.pk})

    assert sign_in(client, facilitator).get(url).status_code == 403


def test_a_session_of_another_group_is_not_found(client, active_group, facilitator):
    foreign = GroupSessionFactory(facilitators_present=[facilitator])
    url = reverse("sessions_log:debrief_write", kwargs={"pk": active_group.pk, "session_pk": foreign.pk})

    assert sign_in(client, facilitator).get(url).status_code == 404


# Locking after review --------------------------------------------------------------------------


def test_a_reviewed_debrief_is_shown_read_only_with_a_way_to_add_a_note(client, scene, facilitator):
    DebriefReviewFactory(debrief=scene.debrief, comments="Thank you for staying with her.")

    response = sign_in(client, facilitator).get(debrief_url("debrief_write", scene, session_pk=scene.session.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "This debrief is locked" in page
    assert SECRET in page
    assert 'name="how_it_went"' not in page
    assert debrief_url("debrief", scene, debrief_pk=scene.debrief.pk) + "#add-note" in page


def test_a_reviewed_debrief_cannot_be_edited_but_keeps_what_was_typed(client, scene, facilitator):
    DebriefReviewFactory(debrief=scene.debrief)

    response = sign_in(client, facilitator).post(
        debrief_url("debrief_write", scene, session_pk=scene.session.pk),
        debrief_data(how_it_went="Trying to change it afterwards."),
    )

    assert response.status_code == 200
    assert "locked" in " ".join(response.context["form"].non_field_errors())
    assert "Trying to change it afterwards." in response.content.decode()
    assert Debrief.objects.get().how_it_went == SECRET


def test_after_review_a_note_is_appended_and_the_debrief_is_unchanged(client, scene, facilitator):
    DebriefReviewFactory(debrief=scene.debrief)

    response = sign_in(client, facilitator).post(
        debrief_url("debrief_note", scene, debrief_pk=scene.debrief.pk), {"text": "Spoke to Sam; I am fine now."}
    )

    assert response.status_code == 302
    assert list(DebriefNote.objects.values_list("author", "text")) == [(facilitator.pk, "Spoke to Sam; I am fine now.")]
    assert Debrief.objects.get().how_it_went == SECRET
    assert "Spoke to Sam; I am fine now." in client.get(response.url).content.decode()


def test_an_empty_note_is_refused_on_the_debrief_page(client, scene, facilitator):
    response = sign_in(client, facilitator).post(
        debrief_url("debrief_note", scene, debrief_pk=scene.debrief.pk), {"text": ""}
    )

    assert response.status_code == 200
    assert "text" in response.context["note_form"].errors
    assert not DebriefNote.objects.exists()


# Reviewing -------------------------------------------------------------------------------------


def test_the_supervisor_sees_the_review_form_and_flags_in_words(client, scene, supervisor):
    Debrief.objects.filter(pk=scene.debrief.pk).update(wellbeing=2)
    ConcernFactory(session=scene.session)

    response = sign_in(client, supervisor).get(debrief_url("debrief", scene, debrief_pk=scene.debrief.pk))

    page = response.content.decode()
    assert response.context["review_form"] is not None
    assert "Concern raised in the session" in page
    assert "Low wellbeing (2)" in page


def test_the_author_sees_no_review_form(client, scene, facilitator):
    response = sign_in(client, facilitator).get(debrief_url("debrief", scene, debrief_pk=scene.debrief.pk))

    assert response.context["review_form"] is None
    assert response.context["can_edit"] is True


def test_the_supervisor_reviews_a_debrief_and_it_leaves_the_queue(client, scene, supervisor):
    sign_in(client, supervisor)

    response = client.post(
        debrief_url("debrief_review", scene, debrief_pk=scene.debrief.pk),
        {"comments": "Thank you. Let's talk on Friday.", "agreed_actions": "Meet on Friday."},
    )

    review = DebriefReview.objects.get()
    assert (review.reviewer, review.comments) == (supervisor, "Thank you. Let's talk on Friday.")
    assert response.status_code == 302
    assert client.get(reverse("sessions_log:review_queue")).context["debriefs"] == []


def test_a_review_without_comments_is_refused_and_keeps_what_was_typed(client, scene, supervisor):
    response = sign_in(client, supervisor).post(
        debrief_url("debrief_review", scene, debrief_pk=scene.debrief.pk),
        {"comments": "", "agreed_actions": "Meet on Friday."},
    )

    assert response.status_code == 200
    assert "comments" in response.context["review_form"].errors
    assert "Meet on Friday." in response.content.decode()
    assert not DebriefReview.objects.exists()


def test_a_second_review_is_refused_with_the_reason(client, scene, supervisor):
    DebriefReviewFactory(debrief=scene.debrief, reviewer=supervisor)

    response = sign_in(client, supervisor).post(
        debrief_url("debrief_review", scene, debrief_pk=scene.debrief.pk), {"comments": "Again."}
    )

    assert response.status_code == 200
    assert messages_of(response) == [
        (messages.ERROR, "The review has not been saved. This debrief has already been reviewed.")
    ]
    assert DebriefReview.objects.count() == 1


def test_a_supervisor_cannot_review_their_own_debrief(client, active_group, supervisor):
    GroupRoleFactory(group=active_group, user=supervisor, role=Role.CO_FACILITATOR)
    session = GroupSessionFactory(group=active_group, facilitators_present=[supervisor])
    own = DebriefFactory(session=session, author=supervisor)
    sign_in(client, supervisor)

    page = client.get(reverse("sessions_log:debrief", kwargs={"pk": active_group.pk, "debrief_pk": own.pk}))
    response = client.post(
        reverse("sessions_log:debrief_review", kwargs={"pk": active_group.pk, "debrief_pk": own.pk}),
        {"comments": "Fine by me."},
    )

    assert page.context["review_form"] is None
    assert response.status_code == 403
    assert not DebriefReview.objects.exists()
    assert client.get(reverse("sessions_log:review_queue")).context["debriefs"] == []


# The review queue ------------------------------------------------------------------------------


def test_anonymous_visitors_to_the_review_queue_are_sent_to_sign_in(client, db):
    url = reverse("sessions_log:review_queue")

    response = client.get(url)

    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("role", ["coordinator", "facilitator", "outsider"])
def test_people_who_supervise_nothing_see_an_empty_queue(client, request, scene, role):
    response = sign_in(client, request.getfixturevalue(role)).get(reverse("sessions_log:review_queue"))

    assert response.status_code == 200
    assert response.context["debriefs"] == []
    assert "You do not supervise any group" in response.content.decode()


def test_the_queue_puts_flagged_debriefs_first_then_the_oldest(client, scene, supervisor, co_facilitator):
    earlier = GroupSessionFactory(
        group=scene.group,
        date=timezone.localdate() - datetime.timedelta(days=14),
        facilitators_present=[scene.debrief.author, co_facilitator],
    )
    newest_calm = age(scene.debrief, days=1)
    oldest_calm = age(DebriefFactory(session=earlier, author=scene.debrief.author), days=9)
    low = age(DebriefFactory(session=scene.session, author=co_facilitator, wellbeing=1), days=2)
    concern_session = GroupSessionFactory(
        group=scene.group,
        date=timezone.localdate() - datetime.timedelta(days=21),
        facilitators_present=[co_facilitator],
    )
    concern = age(DebriefFactory(session=concern_session, author=co_facilitator, after_concern=True), days=3)

    response = sign_in(client, supervisor).get(reverse("sessions_log:review_queue"))

    assert response.context["debriefs"] == [concern, low, oldest_calm, newest_calm]
    page = response.content.decode()
    assert "Concern raised in the session" in page
    assert "Low wellbeing (1)" in page


@pytest.mark.parametrize(("days", "overdue"), [(7, False), (8, True)])
def test_the_queue_says_overdue_after_seven_days_waiting(client, scene, supervisor, days, overdue):
    age(scene.debrief, days)

    response = sign_in(client, supervisor).get(reverse("sessions_log:review_queue"))

    page = response.content.decode()
    assert f"waiting {days} days" in page
    assert ("Overdue" in page) is overdue


def test_the_queue_shows_only_groups_the_person_supervises(client, scene, supervisor):
    DebriefFactory()  # a debrief in another group, with another supervisor

    response = sign_in(client, supervisor).get(reverse("sessions_log:review_queue"))

    assert response.context["debriefs"] == [scene.debrief]


def test_a_superuser_sees_every_group_in_the_queue(client, scene):
    elsewhere = DebriefFactory()
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    response = sign_in(client, admin).get(reverse("sessions_log:review_queue"))

    assert set(response.context["debriefs"]) == {scene.debrief, elsewhere}


# session, user, how many wait, this page of them, (and when none wait) whether they supervise
QUEUE_MAX_QUERIES = 5


def _fill_queue(supervisor, groups: int, per_group: int):
    for _ in range(groups):
        session = GroupSessionFactory(group=SupportGroupFactory())
        GroupRoleFactory(group=session.group, user=supervisor, role=Role.SUPERVISOR)
        for _ in range(per_group):
            DebriefFactory(session=session)


def test_the_queue_costs_the_same_few_queries_however_many_debriefs_wait(
    client, scene, supervisor, django_assert_max_num_queries
):
    sign_in(client, supervisor)
    url = reverse("sessions_log:review_queue")
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    _fill_queue(supervisor, groups=3, per_group=4)
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES), CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["debriefs"]) == 13
    assert len(many) == len(few)


def test_a_long_queue_comes_twenty_five_a_page_flagged_first_with_its_counts(client, scene, supervisor):
    _fill_queue(supervisor, groups=3, per_group=10)
    flagged = DebriefFactory(
        session=GroupSessionFactory(group=scene.group, date=timezone.localdate() - datetime.timedelta(days=21)),
        after_concern=True,
    )
    sign_in(client, supervisor)
    url = reverse("sessions_log:review_queue")

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert first.context["debriefs"][0] == flagged
    assert len(first.context["debriefs"]) == 25
    assert len(second.context["debriefs"]) == 7
    assert set(first.context["debriefs"]).isdisjoint(second.context["debriefs"])
    assert "32 debriefs waiting, 1 flagged as needing attention; showing 1 to 25." in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_debriefs_written_at_the_same_moment_each_come_on_exactly_one_page(client, scene, supervisor):
    # Enough rows that PostgreSQL's sort shuffles equal ones differently from one page to the next.
    _fill_queue(supervisor, groups=6, per_group=25)
    Debrief.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    sign_in(client, supervisor)
    url = reverse("sessions_log:review_queue")

    pages = range(1, client.get(url).context["page"].paginator.num_pages + 1)
    shown = [debrief.pk for number in pages for debrief in client.get(url, {"page": number}).context["debriefs"]]

    assert sorted(shown) == sorted(Debrief.objects.values_list("pk", flat=True))
