"""Reviewing debriefs, and the supervisor's review queue."""

import datetime

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from concerns.tests.factories import ConcernFactory
from groups.tests.factories import GroupRoleFactory, SupportGroupFactory
from sessions_log.models import Debrief, DebriefReview
from sessions_log.tests.debriefs.helpers import Role, debrief_url
from sessions_log.tests.factories import DebriefFactory, DebriefReviewFactory, GroupSessionFactory
from tests.access_matrix import messages_of, sign_in

pytestmark = pytest.mark.django_db


def age(debrief, days):
    Debrief.objects.filter(pk=debrief.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    debrief.refresh_from_db()
    return debrief


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
