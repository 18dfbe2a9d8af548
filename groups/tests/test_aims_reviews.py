"""Aims are revisited (SR-10, GW-8): after launch, at the interval the coordinator picks (every
three months unless they say), the team records where the group stands against each aim, in a
few words and on a 1 to 5 scale, never naming a member; the group's page charts it over time,
with the same words and numbers in a table; and the coordinators' dashboard says when a review
is due.

Alice coordinates, Bob leads, Sam supervises. Two aims: one the group charts together, one each
member charts for themselves. Robin is a member, once recorded as "Robbie".
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import Aim, AimReview, AimStanding, SupportGroup, aims_review_due_on
from groups.models.reviews import months_after
from groups.services import record_aims_review
from groups.tests.factories import AimFactory, mark_launched
from sessions_log.tests.factories import MemberFactory
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
PLAN_PAGE_MAX_QUERIES = 14


def days_ago(days):
    return TODAY() - datetime.timedelta(days=days)


def launched(group, *, days_ago_=0):
    mark_launched(group)
    SupportGroup.objects.filter(pk=group.pk).update(launched_at=timezone.now() - datetime.timedelta(days=days_ago_))
    group.refresh_from_db()
    return group


@pytest.fixture
def scene(group, coordinator, facilitator, supervisor):
    launched(group, days_ago_=200)
    together = AimFactory(group=group, text="Members ask for help sooner.", progress_charting=Aim.Charting.GROUP)
    alone = AimFactory(group=group, text="Members know their own triggers.", progress_charting=Aim.Charting.INDIVIDUAL)
    robin = MemberFactory(group=group, display_name="Robbie")
    robin.display_name = "Robin"
    robin.save()
    return SimpleNamespace(group=group, together=together, alone=alone, robin=robin)


def review(scene, by, *, on=None, together=(3, "More people ask for help in the room."), alone=(None, "Some say so.")):
    return record_aims_review(
        review=AimReview(group=scene.group, reviewed_on=on or TODAY()),
        standings=[
            AimStanding(aim=scene.together, scale=together[0], words=together[1]),
            AimStanding(aim=scene.alone, scale=alone[0], words=alone[1]),
        ],
        by=by,
    )


def form_data(scene, *, on=None, together=("3", "More people ask for help."), alone=("", "Some say so.")) -> dict:
    return {
        "reviewed_on": (on or TODAY()).isoformat(),
        f"aim-{scene.together.pk}-scale": together[0],
        f"aim-{scene.together.pk}-words": together[1],
        f"aim-{scene.alone.pk}-scale": alone[0],
        f"aim-{scene.alone.pk}-words": alone[1],
    }


# When a review is due ----------------------------------------------------------------------------


def test_the_first_review_is_due_three_months_after_launch_and_then_after_each_review(group):
    launched(group)
    launch_day = timezone.localdate(group.launched_at)

    assert aims_review_due_on(group, None) == months_after(launch_day, 3)
    assert aims_review_due_on(group, days_ago(10)) == months_after(days_ago(10), 3)

    group.aims_review_months = 6
    assert aims_review_due_on(group, None) == months_after(launch_day, 6)


def test_groups_not_launched_or_closed_are_not_due_a_review(group):
    assert aims_review_due_on(group, None) is None
    launched(group)
    group.status = SupportGroup.Status.CLOSED
    assert aims_review_due_on(group, None) is None


def test_months_after_keeps_to_the_end_of_a_shorter_month():
    assert months_after(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
    assert months_after(datetime.date(2026, 10, 31), 1) == datetime.date(2026, 11, 30)
    assert months_after(datetime.date(2026, 12, 15), 1) == datetime.date(2027, 1, 15)


# Recording a review ------------------------------------------------------------------------------


def test_the_team_records_where_the_group_stands_against_each_aim(scene, facilitator):
    recorded = review(scene, facilitator)

    standings = {standing.aim: (standing.scale, standing.words) for standing in recorded.standings.all()}
    assert standings == {
        scene.together: (3, "More people ask for help in the room."),
        scene.alone: (None, "Some say so."),
    }
    assert recorded.recorded_by == facilitator
    assert recorded.history.get().history_change_reason == "Aims reviewed"


def test_an_aim_the_group_charts_together_needs_a_point_on_the_scale(scene, facilitator):
    with pytest.raises(ValidationError) as refusal:
        review(scene, facilitator, together=(None, "Hard to say."))

    assert "scale" in refusal.value.message_dict
    assert not AimReview.objects.exists()


@pytest.mark.parametrize("words", ["Robin asks for help now.", "robin asks for help", "ROBBIE asks for help"])
def test_no_standing_names_a_member_under_any_name_they_were_recorded_by(scene, facilitator, words):
    with pytest.raises(ValidationError) as refusal:
        review(scene, facilitator, alone=(None, words))

    assert "names a member of the group" in refusal.value.message_dict["words"][0]
    assert not AimReview.objects.exists()


def test_a_word_that_only_contains_a_name_is_not_a_name(scene, facilitator):
    review(scene, facilitator, together=(4, "Robinson's theory came up; members feel heard."))

    assert AimReview.objects.count() == 1


def test_only_the_people_who_run_the_group_record_a_review(scene, supervisor, outsider):
    for person in (supervisor, outsider):
        with pytest.raises(PermissionDenied):
            review(scene, person)


def test_a_review_is_refused_before_launch_and_after_closing(group, coordinator):
    AimFactory(group=group)
    scene = SimpleNamespace(group=group)
    for status, refusal in [("planning", "once the group has launched"), ("closed", "has closed")]:
        SupportGroup.objects.filter(pk=group.pk).update(status=status)
        with pytest.raises(ValidationError, match=refusal):
            record_aims_review(
                review=AimReview(group=scene.group, reviewed_on=TODAY()),
                standings=[AimStanding(aim=group.aims.get(), scale=3, words="Fine.")],
                by=coordinator,
            )
        SupportGroup.objects.filter(pk=group.pk).update(launched_at=timezone.now())


def test_every_aim_is_reviewed_together(scene, coordinator):
    with pytest.raises(ValidationError, match="aims changed since this page was opened"):
        record_aims_review(
            review=AimReview(group=scene.group, reviewed_on=TODAY()),
            standings=[AimStanding(aim=scene.together, scale=3, words="Better.")],
            by=coordinator,
        )


def test_one_review_per_day(scene, coordinator):
    review(scene, coordinator)

    with pytest.raises(ValidationError) as refusal:
        review(scene, coordinator)

    assert "already recorded for this date" in refusal.value.message_dict["reviewed_on"][0]


# The pages ---------------------------------------------------------------------------------------


def review_url(group):
    return reverse("groups:aims_review", kwargs={"pk": group.pk})


def plan_url(group):
    return reverse("groups:plan", kwargs={"pk": group.pk})


def test_a_review_from_the_page_returns_to_the_groups_chart(client, scene, facilitator):
    response = sign_in(client, facilitator).post(review_url(scene.group), form_data(scene))

    assert response.status_code == 302
    assert response.url == plan_url(scene.group)
    assert AimStanding.objects.count() == 2


def test_a_name_in_a_standing_is_refused_beside_it_with_the_typing_kept(client, scene, coordinator):
    response = sign_in(client, coordinator).post(
        review_url(scene.group), form_data(scene, together=("4", "Robin speaks up more."))
    )

    assert response.status_code == 200
    words = f"aim-{scene.together.pk}-words"
    [form] = [form for form in response.context["aim_forms"] if form.aim == scene.together]
    assert "names a member of the group" in form.errors["words"][0]
    assert 'value="Robin speaks up more."' in response.content.decode()
    assert f'id="id_{words}"' in response.content.decode()
    assert not AimReview.objects.exists()


def test_the_group_page_charts_each_aim_over_time_with_a_table_of_the_same(client, scene, coordinator, facilitator):
    review(scene, facilitator, on=days_ago(100), together=(2, "Few ask yet."))
    review(scene, facilitator, on=days_ago(10), together=(4, "Most ask now."), alone=(3, "Members say so."))

    response = sign_in(client, coordinator).get(plan_url(scene.group))

    page = response.content.decode()
    [together, alone] = response.context["aims_progress"].charts
    # Oldest first, each bar as long as its point out of five.
    assert [row.bar_width for row in together.rows] == [60, 120]
    assert [row.bar_width for row in alone.rows] == [0, 90]
    assert 'role="img"' in page
    assert f'aria-labelledby="aim-{scene.together.pk}-title aim-{scene.together.pk}-desc"' in page
    assert f"{days_ago(100):%-d %B %Y}: 2 of 5. {days_ago(10):%-d %B %Y}: 4 of 5." in page
    assert f"{days_ago(100):%-d %B %Y}: no point given." in page
    caption = "The words and points behind the chart for \u201cMembers ask for help sooner.\u201d"
    assert f'<caption class="visually-hidden">{caption}</caption>' in page
    assert "Most ask now." in page
    assert response.context["can_record_aims_review"]


def test_the_supervisor_sees_the_chart_but_records_no_review(client, scene, supervisor, facilitator):
    review(scene, facilitator)

    response = sign_in(client, supervisor).get(plan_url(scene.group))

    assert response.context["aims_progress"].charts
    assert not response.context["can_record_aims_review"]
    assert sign_in(client, supervisor).get(review_url(scene.group)).status_code == 403


def test_the_group_page_says_when_the_next_review_is_due(client, scene, coordinator, facilitator):
    sign_in(client, coordinator)
    assert "Review due" in client.get(plan_url(scene.group)).content.decode()

    review(scene, facilitator)

    page = client.get(plan_url(scene.group)).content.decode()
    assert f"The next review is due on {months_after(TODAY(), 3):%-d %B %Y}." in page


def test_the_group_page_costs_the_same_queries_however_many_reviews(
    client, scene, coordinator, facilitator, django_assert_max_num_queries
):
    sign_in(client, coordinator)
    review(scene, facilitator, on=days_ago(100))
    with CaptureQueriesContext(connection) as one:
        client.get(plan_url(scene.group))
    for days in range(90, 10, -10):
        review(scene, facilitator, on=days_ago(days))

    with django_assert_max_num_queries(PLAN_PAGE_MAX_QUERIES), CaptureQueriesContext(connection) as many:
        response = client.get(plan_url(scene.group))

    assert len(response.context["aims_progress"].charts[0].rows) == 8  # the most recent
    assert len(many) == len(one)


# The dashboard -----------------------------------------------------------------------------------


def test_the_coordinators_dashboard_says_when_an_aims_review_is_due(client, scene, coordinator, facilitator):
    dashboard = reverse("sessions_log:dashboard")

    due = sign_in(client, coordinator).get(dashboard)
    assert [group for group, _ in due.context["aims_reviews_due"]] == [scene.group]
    assert "Aims reviews due" in due.content.decode()
    # Facilitators are not the ones reminded.
    assert "Aims reviews due" not in sign_in(client, facilitator).get(dashboard).content.decode()

    review(scene, facilitator)

    assert sign_in(client, coordinator).get(dashboard).context["aims_reviews_due"] == []


def test_a_recently_launched_group_is_not_yet_due(client, group, coordinator):
    launched(group, days_ago_=30)

    assert sign_in(client, coordinator).get(reverse("sessions_log:dashboard")).context["aims_reviews_due"] == []
