"""How many queries the group pages read, and what the plan and team pages offer whom."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from groups.checklist import CHECKLIST, items_in_section
from groups.models import ChecklistAnswer
from groups.suggestions import RISK_SEEDS
from groups.tests.factories import (
    AimFactory,
    ChecklistAnswerFactory,
    GroupRoleFactory,
    RiskFactory,
    RuleFactory,
    SupportGroupFactory,
)
from groups.tests.view_helpers import Role
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db


# Query counts ----------------------------------------------------------------------------------

# Session, user, the group with its three documents, then roles, checklist answers, aims,
# rules and risks, one query each.
PLAN_PAGE_MAX_QUERIES = 9  # + the roles the main menu reads
# Session, user, how many groups (for the pages), this page of groups with their documents, their
# checklist answers, aims, rules and risks (one query: groups.answers.load_plans), the person's
# roles in them, and the two permission lookups behind "Plan a new group".
HOME_PAGE_MAX_QUERIES = 9  # + the roles the main menu reads


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_plan_page_of_a_ready_group_reads_a_fixed_number_of_queries(
    client, ready_group, coordinator, django_assert_max_num_queries
):
    url = reverse("groups:plan", kwargs={"pk": ready_group.pk})
    sign_in(client, coordinator)

    with django_assert_max_num_queries(PLAN_PAGE_MAX_QUERIES):
        response = client.get(url)

    assert response.context["can_launch"]


def test_a_bigger_plan_does_not_add_queries_to_the_plan_page(client, ready_group, coordinator):
    # Start with part of the checklist answered, so the page also lists blockers.
    asked = [item.key for item in CHECKLIST if not item.is_answered_elsewhere]
    answered_later = asked[len(asked) // 2 :]
    later = list(
        ready_group.checklist_answers.filter(item_key__in=answered_later).values("item_key", "answer", "status")
    )
    ready_group.checklist_answers.filter(item_key__in=answered_later).delete()
    url = reverse("groups:plan", kwargs={"pk": ready_group.pk})
    sign_in(client, coordinator)
    client.get(url)  # warm up anything cached per process

    small = count_queries(client, url)
    RiskFactory.create_batch(20, assessment=ready_group.risk_assessment)
    ChecklistAnswer.objects.bulk_create(ChecklistAnswer(group=ready_group, **answer) for answer in later)
    AimFactory.create_batch(5, group=ready_group)
    RuleFactory.create_batch(5, group=ready_group)
    GroupRoleFactory.create_batch(3, group=ready_group, role=Role.CO_FACILITATOR)
    big = count_queries(client, url)

    assert ready_group.risk_assessment.risks.count() == len(RISK_SEEDS) + 20
    assert big == small


def test_the_home_page_reads_as_many_queries_for_ten_groups_as_for_one(
    client, group, coordinator, django_assert_max_num_queries
):
    url = reverse("groups:home")
    sign_in(client, coordinator)
    client.get(url)

    one = count_queries(client, url)
    for _ in range(9):
        more = SupportGroupFactory()
        GroupRoleFactory(group=more, user=coordinator, role=Role.COORDINATOR)
        GroupRoleFactory(group=more, role=Role.LEAD_FACILITATOR)
        ChecklistAnswerFactory(group=more)
    with django_assert_max_num_queries(HOME_PAGE_MAX_QUERIES):
        response = client.get(url)
    ten = count_queries(client, url)

    assert len(response.context["rows"]) == 10
    assert ten == one


def test_answering_more_questions_does_not_add_queries_to_the_checklist_section_page(client, group, coordinator):
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "purpose"})
    sign_in(client, coordinator)
    ChecklistAnswerFactory(group=group, item_key="why_group_work", updated_by=coordinator)
    client.get(url)

    one = count_queries(client, url)
    for item in items_in_section("purpose")[1:]:
        ChecklistAnswerFactory(group=group, item_key=item.key, updated_by=coordinator)
    seven = count_queries(client, url)

    assert seven == one


def test_only_the_supervisor_is_offered_the_change_history_from_the_plan_page(client, group, coordinator, supervisor):
    history_url = reverse("audit:group_history", kwargs={"pk": group.pk})
    plan_url = reverse("groups:plan", kwargs={"pk": group.pk})

    as_supervisor = sign_in(client, supervisor).get(plan_url).content.decode()
    as_coordinator = sign_in(client, coordinator).get(plan_url).content.decode()

    assert f'href="{history_url}"' in as_supervisor
    assert f'href="{history_url}"' not in as_coordinator


def test_the_team_page_warns_when_the_supervisor_also_facilitates(client, group, coordinator, supervisor):
    url = reverse("groups:team", kwargs={"pk": group.pk})
    sign_in(client, coordinator)
    warning = f"{escape(supervisor)} both supervises and facilitates this group."
    assert warning not in client.get(url).content.decode()

    GroupRoleFactory(group=group, user=supervisor, role=Role.CO_FACILITATOR)

    assert warning in client.get(url).content.decode()
