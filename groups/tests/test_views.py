"""The group pages: who may open each one (the access matrix).

Alice coordinates the group, Bob facilitates it and Sam supervises it. Charlie facilitates
another group, so he must not even learn that this one exists. What each page does with good and
bad input is in the test_views_*.py files beside this one.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups import urls as group_urls
from groups.models import Aim, ExitStrategy, FacilitatorSupportPlan, GroupRole, Rule
from groups.suggestions import SUGGESTED_AIMS
from groups.tests.factories import (
    AimFactory,
    GroupRoleFactory,
    RiskAssessmentFactory,
    RiskFactory,
    RuleFactory,
    SupportGroupFactory,
    complete_plan,
    mark_launched,
)
from groups.tests.view_helpers import (
    MEMBERS,
    Role,
    checklist_data,
    everything_about,
    group_form_data,
    risk_formset_data,
)
from tests.access_matrix import (
    Endpoint,
    allowed,
    assert_can_use,
    assert_sent_to_sign_in,
    assert_turned_away,
    refused,
    sign_in,
    url_names,
)

pytestmark = pytest.mark.django_db
EVERY_MEMBER = frozenset(MEMBERS)
COORDINATORS = frozenset({"coordinator"})
RUNNERS = frozenset({"coordinator", "facilitator"})


def may_supervise_groups(user):
    """The organisation's administrator allows the person to supervise groups."""
    user.user_permissions.add(Permission.objects.get(codename="supervise_groups", content_type__app_label="groups"))
    return user


# The access matrix -----------------------------------------------------------------------------


def _aim(plan):
    return {"aim_pk": plan.aim.pk}


def _rule(plan):
    return {"rule_pk": plan.rule.pk}


def _ready_to_launch(plan):
    complete_plan(plan.group)


def _start_risk_assessment(plan):
    RiskFactory(assessment=RiskAssessmentFactory(group=plan.group), likelihood=None)


def _purpose_section(plan):
    return {"section": "purpose"}


GROUP_ENDPOINTS = [
    Endpoint("groups:plan", "GET", EVERY_MEMBER),
    Endpoint("groups:edit", "GET", COORDINATORS),
    Endpoint("groups:edit", "POST", COORDINATORS, data=lambda plan: group_form_data(name="Riverside Tuesday group")),
    Endpoint("groups:launch", "POST", COORDINATORS, arrange=_ready_to_launch),
    Endpoint(
        "groups:change_status",
        "POST",
        COORDINATORS,
        url_kwargs=lambda plan: {"action": "pause"},
        arrange=lambda plan: mark_launched(plan.group),
    ),
    Endpoint("groups:close", "GET", COORDINATORS),
    Endpoint("groups:close", "POST", COORDINATORS, data=lambda plan: {"typed_name": plan.group.name}),
    Endpoint("groups:aims", "GET", EVERY_MEMBER),
    Endpoint(
        "groups:aims",
        "POST",
        COORDINATORS,
        data=lambda plan: {"text": "Members feel less alone.", "progress_charting": "both"},
    ),
    Endpoint("groups:aim_add_suggestion", "POST", COORDINATORS, data=lambda plan: {"text": SUGGESTED_AIMS[1]}),
    Endpoint("groups:aim_edit", "GET", COORDINATORS, url_kwargs=_aim),
    Endpoint(
        "groups:aim_edit",
        "POST",
        COORDINATORS,
        url_kwargs=_aim,
        data=lambda plan: {"text": "Members ask for help sooner.", "progress_charting": "group"},
    ),
    Endpoint("groups:aim_delete", "GET", COORDINATORS, url_kwargs=_aim),
    Endpoint("groups:aim_delete", "POST", COORDINATORS, url_kwargs=_aim),
    Endpoint("groups:rules", "GET", EVERY_MEMBER),
    Endpoint(
        "groups:rules",
        "POST",
        COORDINATORS,
        data=lambda plan: {"text": "Phones on silent.", "how_shared": "", "how_upheld": ""},
    ),
    Endpoint("groups:rule_edit", "GET", COORDINATORS, url_kwargs=_rule),
    Endpoint(
        "groups:rule_edit",
        "POST",
        COORDINATORS,
        url_kwargs=_rule,
        data=lambda plan: {"text": "Arrive on time.", "how_shared": "", "how_upheld": ""},
    ),
    Endpoint("groups:rule_delete", "GET", COORDINATORS, url_kwargs=_rule),
    Endpoint("groups:rule_delete", "POST", COORDINATORS, url_kwargs=_rule),
    Endpoint("groups:checklist_section", "GET", EVERY_MEMBER, url_kwargs=_purpose_section),
    Endpoint(
        "groups:checklist_section",
        "POST",
        COORDINATORS,
        url_kwargs=_purpose_section,
        data=lambda plan: checklist_data("purpose"),
    ),
    Endpoint("groups:risk_assessment", "GET", EVERY_MEMBER, variant="not-started"),
    Endpoint("groups:risk_assessment", "POST", COORDINATORS, variant="start"),
    Endpoint("groups:risk_assessment", "GET", EVERY_MEMBER, arrange=_start_risk_assessment, variant="started"),
    Endpoint(
        "groups:risk_assessment",
        "POST",
        COORDINATORS,
        arrange=_start_risk_assessment,
        data=lambda plan: risk_formset_data(plan.group.risk_assessment),
        variant="save",
    ),
    Endpoint("groups:exit_strategy", "GET", EVERY_MEMBER),
    Endpoint(
        "groups:exit_strategy",
        "POST",
        COORDINATORS,
        data=lambda plan: {**{part: "Agreed with the team." for part in ExitStrategy.PARTS}, "opened_version": "0"},
    ),
    Endpoint("groups:support_plan", "GET", EVERY_MEMBER),
    Endpoint(
        "groups:support_plan",
        "POST",
        COORDINATORS,
        data=lambda plan: {
            "supervision_frequency": FacilitatorSupportPlan.Frequency.MONTHLY,
            "debrief_arrangements": "Straight after each session.",
            "cofacilitation_and_cover": "Two facilitators every time.",
            "facilitator_wellbeing": "Reflective practice each month.",
            "opened_version": "0",
        },
    ),
    Endpoint(
        "groups:choose_supervisor",
        "POST",
        COORDINATORS,
        data=lambda plan: {"supervisor": may_supervise_groups(UserFactory(username="vera")).pk},
    ),
    Endpoint("groups:team", "GET", EVERY_MEMBER),
    Endpoint(
        "groups:team",
        "POST",
        COORDINATORS,
        data=lambda plan: {"person": UserFactory(username="erin").username, "role": Role.CO_FACILITATOR},
    ),
    Endpoint("groups:team_remove", "POST", COORDINATORS, url_kwargs=lambda plan: {"role_pk": plan.removable_role.pk}),
    # After launch, the people who run the group review where it stands against its aims.
    Endpoint("groups:aims_review", "GET", RUNNERS, arrange=lambda plan: mark_launched(plan.group)),
    Endpoint(
        "groups:aims_review",
        "POST",
        RUNNERS,
        arrange=lambda plan: mark_launched(plan.group),
        data=lambda plan: {
            "reviewed_on": timezone.localdate().isoformat(),
            f"aim-{plan.aim.pk}-scale": "3",
            f"aim-{plan.aim.pk}-words": "Members ask for help sooner than they did.",
        },
    ),
]
POST_ONLY = {
    f"groups:{name}" for name in ("launch", "change_status", "aim_add_suggestion", "team_remove", "choose_supervisor")
}
ANYONE_SIGNED_IN_PAGES = {"groups:home", "groups:create"}  # not about one group; tested on their own below

REFUSED = refused(GROUP_ENDPOINTS, MEMBERS)
ALLOWED = allowed(GROUP_ENDPOINTS, MEMBERS)


def _matrix_id(value):
    return str(value)


@pytest.fixture
def plan(group):
    """Things inside the group that pages point at: an aim, a rule, and a role that can be removed."""
    return SimpleNamespace(
        group=group,
        aim=AimFactory(group=group),
        rule=RuleFactory(group=group),
        removable_role=GroupRoleFactory(group=group, user=UserFactory(username="dana"), role=Role.CO_FACILITATOR),
    )


def test_the_access_matrix_covers_every_url_of_the_app():
    assert url_names(group_urls) == {endpoint.name for endpoint in GROUP_ENDPOINTS} | ANYONE_SIGNED_IN_PAGES


def _snapshot(plan):
    return lambda: everything_about(plan.group)


@pytest.mark.parametrize("endpoint", GROUP_ENDPOINTS, ids=_matrix_id)
def test_anonymous_visitors_are_sent_to_sign_in(client, plan, endpoint):
    assert_sent_to_sign_in(client, plan, endpoint, _snapshot(plan))


@pytest.mark.parametrize("endpoint", GROUP_ENDPOINTS, ids=_matrix_id)
def test_people_outside_the_group_are_told_it_does_not_exist(client, plan, outsider, endpoint):
    assert_turned_away(client, outsider, plan, endpoint, _snapshot(plan), 404)


@pytest.mark.parametrize(("endpoint", "role"), REFUSED, ids=_matrix_id)
def test_members_without_the_right_are_refused_and_nothing_changes(client, request, plan, endpoint, role):
    assert_turned_away(client, request.getfixturevalue(role), plan, endpoint, _snapshot(plan), 403)


@pytest.mark.parametrize(("endpoint", "role"), ALLOWED, ids=_matrix_id)
def test_members_with_the_right_can_use_the_page(client, request, plan, endpoint, role):
    assert_can_use(client, request.getfixturevalue(role), plan, endpoint)


@pytest.mark.parametrize(
    "endpoint", [endpoint for endpoint in GROUP_ENDPOINTS if endpoint.name in POST_ONLY], ids=_matrix_id
)
def test_actions_do_not_answer_a_plain_get(client, plan, coordinator, endpoint):
    before = everything_about(plan.group)

    response = sign_in(client, coordinator).get(endpoint.url(plan))

    assert response.status_code == 405
    assert everything_about(plan.group) == before


def test_a_superuser_can_open_any_group(client, group):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    response = sign_in(client, admin).get(reverse("groups:plan", kwargs={"pk": group.pk}))

    assert response.status_code == 200


def test_an_aim_or_rule_of_another_group_cannot_be_reached_through_this_one(client, group, coordinator):
    other = SupportGroupFactory()
    foreign_aim, foreign_rule = AimFactory(group=other), RuleFactory(group=other)
    foreign_role = GroupRoleFactory(group=other, role=Role.CO_FACILITATOR)
    sign_in(client, coordinator)

    urls = [
        reverse("groups:aim_edit", kwargs={"pk": group.pk, "aim_pk": foreign_aim.pk}),
        reverse("groups:aim_delete", kwargs={"pk": group.pk, "aim_pk": foreign_aim.pk}),
        reverse("groups:rule_edit", kwargs={"pk": group.pk, "rule_pk": foreign_rule.pk}),
        reverse("groups:rule_delete", kwargs={"pk": group.pk, "rule_pk": foreign_rule.pk}),
        reverse("groups:team_remove", kwargs={"pk": group.pk, "role_pk": foreign_role.pk}),
    ]

    assert [client.post(url).status_code for url in urls] == [404] * len(urls)
    assert Aim.objects.filter(pk=foreign_aim.pk).exists()
    assert Rule.objects.filter(pk=foreign_rule.pk).exists()
    assert GroupRole.objects.filter(pk=foreign_role.pk).exists()


def test_an_unknown_checklist_section_is_not_found(client, group, coordinator):
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "no-such-section"})

    assert sign_in(client, coordinator).get(url).status_code == 404
