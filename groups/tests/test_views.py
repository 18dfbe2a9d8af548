"""The group pages: who may open each one, and what each does with good and bad input.

Alice coordinates the group, Bob facilitates it and Sam supervises it. Charlie facilitates
another group, so he must not even learn that this one exists.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.tests.factories import UserFactory
from groups import urls as group_urls
from groups.checklist import CHECKLIST, items_in_section
from groups.closing import close_group
from groups.models import (
    Aim,
    AimStanding,
    ChecklistAnswer,
    ExitStrategy,
    FacilitatorSupportPlan,
    GroupRole,
    Risk,
    RiskAssessment,
    Rule,
    SupportGroup,
)
from groups.services import start_risk_assessment
from groups.suggestions import RISK_SEEDS, SUGGESTED_AIMS
from groups.tests.factories import (
    AimFactory,
    ChecklistAnswerFactory,
    GroupRoleFactory,
    RiskAssessmentFactory,
    RiskFactory,
    RuleFactory,
    SupportGroupFactory,
    complete_plan,
    mark_launched,
)
from groups.wording import NOT_APPLICABLE_REASON_MESSAGE
from tests.access_matrix import (
    Endpoint,
    allowed,
    assert_can_use,
    assert_sent_to_sign_in,
    assert_turned_away,
    messages_of,
    refused,
    sign_in,
    url_names,
)
from tests.error_summary import summary_links

pytestmark = pytest.mark.django_db

Role = GroupRole.Role
Status = SupportGroup.Status

NO_HARM_CONTRACT = "Members must promise not to self-harm"
ORDINARY_RULE = "What is said in the group stays in the group."
MEMBERS = ("coordinator", "facilitator", "supervisor")
EVERY_MEMBER = frozenset(MEMBERS)
COORDINATORS = frozenset({"coordinator"})
RUNNERS = frozenset({"coordinator", "facilitator"})


# Helpers ---------------------------------------------------------------------------------------


def levels_of(response) -> list[int]:
    return [level for level, _ in messages_of(response)]


def field_html(html, field_id) -> str:
    """The markup crispy renders for one field: label, input, error and help text together."""
    start = html.index(f'id="div_id_{field_id}"')
    end = html.find('id="div_id_', start + 1)
    return html[start:end] if end != -1 else html[start:]


def assert_error_beside_field(html, field_id, error):
    field = field_html(html, field_id)
    assert error in field
    assert 'aria-invalid="true"' in field


def form_for(response, key):
    """The form of one question on a checklist section's page."""
    return next(row.form for row in response.context["rows"] if row.question.item.key == key)


def group_form_data(**changes) -> dict:
    """Everything the group details form asks for, filled in as a coordinator would."""
    data = {
        "name": "Riverside evening group",
        "purpose": "A safe place to talk about feelings and find better ways of coping.",
        "why_group_work": "Members told us they want to meet others who understand.",
        "audience": SupportGroup.Audience.SELF_HARM_ONLY,
        "minimum_age": "18",
        "maximum_age": "",
        "gender_eligibility": SupportGroup.Gender.ANY,
        "eligibility_notes": "",
        "maximum_size": "10",
        "when_full": SupportGroup.WhenFull.WAITING_LIST,
        "referral_route": SupportGroup.Referral.BOTH,
        "leadership": SupportGroup.Leadership.EXPERT_LED,
        "leadership_support": "",
        "format": SupportGroup.Format.FACE_TO_FACE,
        "online_opening_hours": "",
        "venue": "Riverside community centre, room 2",
        "room_notes": "",
        "meeting_frequency": SupportGroup.Frequency.WEEKLY,
        "meeting_weekday": str(SupportGroup.Weekday.TUESDAY.value),
        "meeting_start": "18:30",
        "meeting_end": "20:00",
        "member_names": SupportGroup.NameRecording.FIRST_NAME,
        "retention_months": "12",
        # The version the page showed, as the hidden field carries it (see save_group_details).
        "opened_version": "1",
    }
    data.update(changes)
    return data


def asked_in(section, minimum_age=18):
    """The questions a section's page asks an adult group (or one with this minimum age): not
    those the plan answers elsewhere."""
    return [item for item in items_in_section(section, minimum_age) if not item.is_answered_elsewhere]


def checklist_data(section, minimum_age=18, **changes) -> dict:
    """Every question a section's page asks answered and completed, on a page opened before any
    was saved; `changes` overrides single fields, named like the form fields
    (`<item key>-<field>`), with `__` standing for the dash."""
    data = {}
    for item in asked_in(section, minimum_age):
        data[f"{item.key}-answer"] = f"Agreed at the planning meeting ({item.key})."
        data[f"{item.key}-status"] = ChecklistAnswer.Status.DONE
        data[f"{item.key}-not_applicable_reason"] = ""
        data[f"{item.key}-opened_version"] = "0"
    data.update({name.replace("__", "-"): value for name, value in changes.items()})
    return data


def risk_formset_data(assessment, review_date=None, **changes) -> dict:
    """The risk assessment page as posted back: every existing risk rated, mitigated and owned,
    and the blank form for a new risk left empty. `changes` are `<index>__<field>` overrides."""
    risks = list(assessment.risks.all())
    review_date = review_date or timezone.localdate() + datetime.timedelta(days=60)
    data = {
        "review_date": review_date.isoformat(),
        # The version the page showed, as the hidden field carries it (see save_plan_document).
        "opened_version": str(assessment.version),
        "risks-TOTAL_FORMS": str(len(risks) + 1),
        "risks-INITIAL_FORMS": str(len(risks)),
        "risks-MIN_NUM_FORMS": "0",
        "risks-MAX_NUM_FORMS": "1000",
    }
    for index, risk in enumerate(risks):
        data.update(
            {
                f"risks-{index}-id": str(risk.pk),
                f"risks-{index}-title": risk.title,
                f"risks-{index}-likelihood": "2",
                f"risks-{index}-impact": "4",
                f"risks-{index}-mitigation": "Facilitators steer talk back to feelings and check in afterwards.",
                f"risks-{index}-owner": "Lead facilitator",
            }
        )
    blank = len(risks)
    data.update(
        {f"risks-{blank}-{field}": "" for field in ("id", "title", "likelihood", "impact", "mitigation", "owner")}
    )
    for name, value in changes.items():
        index, field = name.split("__")
        data[f"risks-{index}-{field}"] = value
    return data


def everything_about(group) -> dict:
    """A snapshot of the group and its plan, to show a refused request changed nothing."""
    return {
        "group": SupportGroup.objects.filter(pk=group.pk).values().get(),
        "roles": list(group.roles.order_by("pk").values_list("user__username", "role")),
        "aims": list(group.aims.values_list("text", "progress_charting")),
        "rules": list(group.rules.values_list("text", "how_shared", "how_upheld")),
        "answers": list(group.checklist_answers.values_list("item_key", "status", "answer", "not_applicable_reason")),
        "assessment": list(RiskAssessment.objects.filter(group=group).values_list("review_date")),
        "risks": list(
            Risk.objects.filter(assessment__group=group)
            .order_by("pk")
            .values_list("title", "likelihood", "impact", "mitigation", "owner")
        ),
        "exit_strategy": list(ExitStrategy.objects.filter(group=group).values(*ExitStrategy.PARTS)),
        "aims_reviews": list(AimStanding.objects.filter(review__group=group).values_list("scale", "words")),
        "support_plan": list(FacilitatorSupportPlan.objects.filter(group=group).values(*FacilitatorSupportPlan.PARTS)),
    }


def may_supervise_groups(user):
    """The organisation's administrator allows the person to supervise groups."""
    user.user_permissions.add(Permission.objects.get(codename="supervise_groups", content_type__app_label="groups"))
    return user


def grant_group_creation(user):
    user.user_permissions.add(Permission.objects.get(codename="add_supportgroup", content_type__app_label="groups"))
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


# Home and creating a group ---------------------------------------------------------------------


def test_anonymous_visitors_to_the_home_page_are_sent_to_sign_in(client):
    response = client.get(reverse("groups:home"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('groups:home')}"


@pytest.mark.parametrize("role", [*MEMBERS, "outsider"])
def test_everyone_signed_in_sees_the_home_page(client, request, role):
    response = sign_in(client, request.getfixturevalue(role)).get(reverse("groups:home"))

    assert response.status_code == 200


def test_home_page_lists_only_the_groups_a_person_has_a_role_in(client, group, coordinator, outsider):
    response = sign_in(client, coordinator).get(reverse("groups:home"))

    assert [row["group"] for row in response.context["rows"]] == [group]
    assert "Another town&#x27;s group" not in response.content.decode()


def test_an_administrator_sees_every_group_fifty_a_page_by_name(client, db):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    SupportGroupFactory.create_batch(55)
    names = sorted(SupportGroup.objects.values_list("name", "pk"))
    sign_in(client, admin)

    first = client.get(reverse("groups:home"))
    second = client.get(reverse("groups:home"), {"page": 2})

    assert [row["group"].name for row in first.context["rows"]] == [name for name, _ in names[:50]]
    assert [row["group"].name for row in second.context["rows"]] == [name for name, _ in names[50:]]
    assert "55 groups; showing 1 to 50, by name." in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    assert all(row["roles"] == [] for row in second.context["rows"])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_anonymous_visitors_cannot_open_the_new_group_page(client, db, method):
    url = reverse("groups:create")

    response = client.get(url) if method == "GET" else client.post(url, group_form_data())

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", [*MEMBERS, "outsider"])
def test_people_without_the_create_permission_cannot_plan_a_group(client, request, role, method):
    sign_in(client, request.getfixturevalue(role))
    url = reverse("groups:create")
    groups_before = SupportGroup.objects.count()

    response = client.get(url) if method == "GET" else client.post(url, group_form_data(name="Not allowed"))

    assert response.status_code == 403
    assert SupportGroup.objects.count() == groups_before


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_someone_refused_the_new_group_page_is_told_who_gives_permission_to_plan_groups(client, db, method):
    # Before, the page answered about "your role in this group" to someone with no group at all.
    url = reverse("groups:create")
    sign_in(client, UserFactory(username="newcomer"))

    response = client.get(url) if method == "GET" else client.post(url, group_form_data())

    html = response.content.decode()
    assert response.status_code == 403
    assert escape("Planning a new group needs permission from your organisation's administrator") in html
    assert "Your role in this group" not in html


def test_people_with_the_create_permission_see_the_new_group_form(client, db):
    planner = grant_group_creation(UserFactory(username="petra"))

    response = sign_in(client, planner).get(reverse("groups:create"))

    assert response.status_code == 200
    assert 'name="name"' in response.content.decode()


def test_creating_a_group_makes_the_creator_its_coordinator_and_opens_its_plan(client, db):
    planner = grant_group_creation(UserFactory(username="petra"))

    response = sign_in(client, planner).post(reverse("groups:create"), group_form_data(name="Hillside group"))

    group = SupportGroup.objects.get(name="Hillside group")
    assert response.status_code == 302
    assert response.url == reverse("groups:plan", kwargs={"pk": group.pk})
    assert group.status == Status.PLANNING
    assert list(group.roles.values_list("user__username", "role")) == [("petra", Role.COORDINATOR)]
    assert messages_of(response) == [
        (messages.SUCCESS, "\u201cHillside group\u201d has been created. You are its coordinator.")
    ]


def test_a_group_whose_upper_age_is_below_its_lower_age_is_not_created_and_keeps_the_typing(client, db):
    planner = grant_group_creation(UserFactory(username="petra"))

    response = sign_in(client, planner).post(
        reverse("groups:create"), group_form_data(name="Hillside group", minimum_age="18", maximum_age="16")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert not SupportGroup.objects.filter(name="Hillside group").exists()
    assert response.context["form"].errors == {"maximum_age": ["The upper age limit must not be below the lower one."]}
    # The message sits with the field it is about, and what was typed is still there.
    assert_error_beside_field(html, "maximum_age", "The upper age limit must not be below the lower one.")
    assert 'name="maximum_age" value="16"' in field_html(html, "maximum_age")
    assert 'value="Hillside group"' in field_html(html, "name")


def test_editing_a_group_with_the_upper_age_below_the_lower_one_changes_nothing(client, group, coordinator):
    before = everything_about(group)

    response = sign_in(client, coordinator).post(
        reverse("groups:edit", kwargs={"pk": group.pk}), group_form_data(minimum_age="21", maximum_age="19")
    )

    assert response.status_code == 200
    assert "maximum_age" in response.context["form"].errors
    assert everything_about(group) == before


def test_editing_a_group_saves_its_details_and_returns_to_the_plan(client, group, coordinator):
    response = sign_in(client, coordinator).post(
        reverse("groups:edit", kwargs={"pk": group.pk}),
        group_form_data(name="Riverside Tuesday group", maximum_age="25"),
    )

    group.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("groups:plan", kwargs={"pk": group.pk})
    assert (group.name, group.maximum_age) == ("Riverside Tuesday group", 25)


# Checklist -------------------------------------------------------------------------------------


def test_saving_a_checklist_section_records_every_answer_and_who_wrote_it(client, group, coordinator):
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "leadership"})

    response = sign_in(client, coordinator).post(url, checklist_data("leadership"))

    assert response.status_code == 302
    answers = ChecklistAnswer.objects.filter(group=group)
    assert {answer.item_key for answer in answers} == {"facilitator_experience", "sustainability"}
    assert {answer.updated_by for answer in answers} == {coordinator}
    assert messages_of(response) == [(messages.SUCCESS, "Saved: 2 answers changed.")]


def test_a_not_applicable_answer_without_a_reason_saves_nothing_in_the_section(client, group, coordinator):
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "purpose"})
    data = checklist_data(
        "purpose",
        sounded_out__answer="We asked people at the drop-in, and most wanted a group.",
        not_joining__status=ChecklistAnswer.Status.NOT_APPLICABLE,
        not_joining__answer="",
        not_joining__not_applicable_reason="",
    )

    response = sign_in(client, coordinator).post(url, data)

    html = response.content.decode()
    assert response.status_code == 200
    # The other four answers in the same post were valid, but none of them was written.
    assert not ChecklistAnswer.objects.filter(group=group).exists()
    refused = form_for(response, "not_joining")
    assert refused.errors == {"not_applicable_reason": [NOT_APPLICABLE_REASON_MESSAGE]}
    assert_error_beside_field(html, "not_joining-not_applicable_reason", escape(NOT_APPLICABLE_REASON_MESSAGE))
    assert "We asked people at the drop-in, and most wanted a group." in field_html(html, "sounded_out-answer")
    # Said once, at the top of the form, with a link to the answer to put right.
    assert messages_of(response) == []
    prompt = next(item.prompt for item in CHECKLIST if item.key == "not_joining")
    assert summary_links(html) == [
        (
            "#id_not_joining-not_applicable_reason",
            f"{prompt} \N{EN DASH} If not applicable, why not? {NOT_APPLICABLE_REASON_MESSAGE}",
        )
    ]


def test_a_completed_checklist_answer_needs_an_answer(client, group, coordinator):
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "access"})

    response = sign_in(client, coordinator).post(url, checklist_data("access", new_members__answer="  "))

    assert response.status_code == 200
    refused = form_for(response, "new_members")
    assert "answer" in refused.errors
    assert not ChecklistAnswer.objects.filter(group=group).exists()


def test_facilitators_can_read_the_checklist_but_not_change_it(client, group, coordinator, facilitator):
    ChecklistAnswerFactory(group=group, item_key="sounded_out", answer="Members asked for a group.")
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "purpose"})

    html = sign_in(client, facilitator).get(url).content.decode()

    assert "Members asked for a group." in html
    assert "Save this section" not in html


# Risk assessment, exit strategy and support plan -----------------------------------------------


def test_starting_the_risk_assessment_seeds_the_risks_the_guidance_names(client, group, coordinator):
    response = sign_in(client, coordinator).post(reverse("groups:risk_assessment", kwargs={"pk": group.pk}))

    assert response.status_code == 302
    assert list(group.risk_assessment.risks.values_list("source", flat=True)) == [seed.source for seed in RISK_SEEDS]


def test_saving_the_risk_assessment_rates_every_risk(client, group, coordinator):
    assessment = start_risk_assessment(group=group, by=coordinator)
    url = reverse("groups:risk_assessment", kwargs={"pk": group.pk})

    response = sign_in(client, coordinator).post(url, risk_formset_data(assessment))

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.is_complete
    assert assessment.updated_by == coordinator


def test_a_risk_with_an_impossible_likelihood_saves_nothing_and_keeps_the_typing(client, group, coordinator):
    assessment = start_risk_assessment(group=group, by=coordinator)
    url = reverse("groups:risk_assessment", kwargs={"pk": group.pk})
    before = everything_about(group)
    data = risk_formset_data(assessment, **{"0__mitigation": "A quiet room next door.", "1__likelihood": "9"})

    response = sign_in(client, coordinator).post(url, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert everything_about(group) == before
    formset = response.context["formset"]
    assert list(formset.forms[1].errors) == ["likelihood"]
    assert_error_beside_field(html, "risks-1-likelihood", "Select a valid choice.")
    assert "A quiet room next door." in field_html(html, "risks-0-mitigation")
    assert messages_of(response) == []
    assert summary_links(html) == [
        (
            "#id_risks-1-likelihood",
            "Risk 2 \N{EN DASH} Likelihood: Select a valid choice. 9 is not one of the available choices.",
        )
    ]


def test_saving_the_exit_strategy_records_who_wrote_it(client, group, coordinator):
    data = {**{part: f"Our plan for {part}." for part in ExitStrategy.PARTS}, "opened_version": "0"}

    response = sign_in(client, coordinator).post(reverse("groups:exit_strategy", kwargs={"pk": group.pk}), data)

    assert response.status_code == 302
    strategy = ExitStrategy.objects.get(group=group)
    assert strategy.is_complete
    assert strategy.updated_by == coordinator
    assert messages_of(response) == [(messages.SUCCESS, "The exit strategy has been saved.")]


# Aims and rules --------------------------------------------------------------------------------


def test_a_rule_that_reads_like_a_no_harm_contract_is_saved_with_a_warning(client, group, coordinator):
    url = reverse("groups:rules", kwargs={"pk": group.pk})

    response = sign_in(client, coordinator).post(url, {"text": NO_HARM_CONTRACT, "how_shared": "", "how_upheld": ""})

    assert response.status_code == 302
    assert list(group.rules.values_list("text", flat=True)) == [NO_HARM_CONTRACT]
    assert levels_of(response) == [messages.SUCCESS, messages.WARNING]
    assert "reads like a no-harm contract" in messages_of(response)[1][1]


def test_an_ordinary_rule_is_saved_without_a_warning(client, group, coordinator):
    url = reverse("groups:rules", kwargs={"pk": group.pk})

    response = sign_in(client, coordinator).post(url, {"text": ORDINARY_RULE, "how_shared": "", "how_upheld": ""})

    assert response.status_code == 302
    assert list(group.rules.values_list("text", flat=True)) == [ORDINARY_RULE]
    assert levels_of(response) == [messages.SUCCESS]


def test_editing_a_rule_into_a_no_harm_contract_warns(client, group, coordinator):
    rule = RuleFactory(group=group, text=ORDINARY_RULE)
    url = reverse("groups:rule_edit", kwargs={"pk": group.pk, "rule_pk": rule.pk})

    response = sign_in(client, coordinator).post(url, {"text": NO_HARM_CONTRACT, "how_shared": "", "how_upheld": ""})

    rule.refresh_from_db()
    assert rule.text == NO_HARM_CONTRACT
    assert levels_of(response) == [messages.SUCCESS, messages.WARNING]


def test_a_rule_without_text_is_not_saved_and_the_error_sits_by_the_field(client, group, coordinator):
    url = reverse("groups:rules", kwargs={"pk": group.pk})

    response = sign_in(client, coordinator).post(
        url, {"text": "", "how_shared": "Read out each week", "how_upheld": ""}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert not group.rules.exists()
    assert_error_beside_field(html, "text", "This field is required.")
    assert 'value="Read out each week"' in field_html(html, "how_shared")


def test_a_suggested_aim_is_added_with_one_click(client, group, coordinator):
    url = reverse("groups:aim_add_suggestion", kwargs={"pk": group.pk})

    response = sign_in(client, coordinator).post(url, {"text": SUGGESTED_AIMS[2]})

    assert response.status_code == 302
    assert response.url == reverse("groups:aims", kwargs={"pk": group.pk})
    assert list(group.aims.values_list("text", flat=True)) == [SUGGESTED_AIMS[2]]
    # Once taken, the suggestion is no longer offered.
    page = client.get(response.url)
    assert SUGGESTED_AIMS[2] not in page.context["suggestions"]


def test_each_suggested_aims_button_says_which_aim_it_adds(client, group, coordinator):
    html = sign_in(client, coordinator).get(reverse("groups:aims", kwargs={"pk": group.pk})).content.decode()

    for text in SUGGESTED_AIMS:
        assert f'Add<span class="visually-hidden"> suggested aim: {escape(text)}</span></button>' in html


def test_a_made_up_suggested_aim_is_not_found(client, group, coordinator):
    url = reverse("groups:aim_add_suggestion", kwargs={"pk": group.pk})

    response = sign_in(client, coordinator).post(url, {"text": "Members stop self-harming."})

    assert response.status_code == 404
    assert not group.aims.exists()


def test_adding_and_removing_an_aim(client, group, coordinator):
    sign_in(client, coordinator)

    client.post(
        reverse("groups:aims", kwargs={"pk": group.pk}),
        {"text": "Members feel less alone.", "progress_charting": "group"},
    )
    aim = group.aims.get()
    client.post(reverse("groups:aim_delete", kwargs={"pk": group.pk, "aim_pk": aim.pk}))

    assert (aim.text, aim.progress_charting) == ("Members feel less alone.", Aim.Charting.GROUP)
    assert not group.aims.exists()


# Launching -------------------------------------------------------------------------------------


@pytest.fixture
def ready_group(coordinator):
    group = SupportGroupFactory(ready_to_launch=True, name="Hillside group")
    GroupRoleFactory(group=group, user=coordinator, role=Role.COORDINATOR)
    return group


def test_launching_a_group_that_is_not_ready_keeps_it_in_planning_and_lists_what_blocks_it(client, group, coordinator):
    response = sign_in(client, coordinator).post(reverse("groups:launch", kwargs={"pk": group.pk}), follow=True)

    group.refresh_from_db()
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("groups:plan", kwargs={"pk": group.pk}), 302)]
    assert group.status == Status.PLANNING
    assert group.launched_at is None
    [message] = response.context["messages"]
    assert message.level == messages.ERROR
    assert message.message.startswith("The group cannot launch yet:")
    # Each blocker links to the page where it is put right.
    assert 'id="launch-blockers"' in html
    for url_name in ("risk_assessment", "exit_strategy", "support_plan", "aims", "rules", "team"):
        assert f'href="{reverse(f"groups:{url_name}", kwargs={"pk": group.pk})}"' in html
    first_item = next(item for item in CHECKLIST if not item.is_answered_elsewhere)
    checklist_url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": first_item.section})
    assert f'href="{checklist_url}#item-{first_item.key}"' in html
    assert "Launch the group" not in html


def test_launching_a_ready_group_makes_it_active(client, ready_group, coordinator):
    response = sign_in(client, coordinator).post(reverse("groups:launch", kwargs={"pk": ready_group.pk}))

    ready_group.refresh_from_db()
    assert response.status_code == 302
    assert ready_group.status == Status.ACTIVE
    assert ready_group.launched_at is not None
    assert messages_of(response) == [(messages.SUCCESS, "\u201cHillside group\u201d is now active.")]


def test_launching_an_active_group_again_says_it_is_already_active(client, ready_group, coordinator):
    sign_in(client, coordinator)
    url = reverse("groups:launch", kwargs={"pk": ready_group.pk})
    client.post(url)

    response = client.post(url)

    assert messages_of(response)[-1] == (
        messages.ERROR,
        "The group cannot launch: The group is already active; only a group in planning can launch, "
        "and only a paused one can resume.",
    )


def test_the_launch_button_is_shown_only_when_nothing_blocks(client, group, ready_group, coordinator):
    sign_in(client, coordinator)
    launch_form = 'action="{}"'

    blocked = client.get(reverse("groups:plan", kwargs={"pk": group.pk})).content.decode()
    ready = client.get(reverse("groups:plan", kwargs={"pk": ready_group.pk})).content.decode()

    assert launch_form.format(reverse("groups:launch", kwargs={"pk": group.pk})) not in blocked
    assert "Launch the group" not in blocked
    assert launch_form.format(reverse("groups:launch", kwargs={"pk": ready_group.pk})) in ready
    assert "Launch the group" in ready
    assert 'id="launch-blockers"' not in ready


def test_facilitators_of_a_ready_group_are_not_offered_the_launch_button(client, ready_group):
    facilitator = ready_group.facilitators[0]

    html = sign_in(client, facilitator).get(reverse("groups:plan", kwargs={"pk": ready_group.pk})).content.decode()

    assert "Launch the group" not in html
    assert "A coordinator can now launch the group." in html


def test_an_active_group_shows_no_launch_section(client, ready_group, coordinator):
    sign_in(client, coordinator).post(reverse("groups:launch", kwargs={"pk": ready_group.pk}))

    html = client.get(reverse("groups:plan", kwargs={"pk": ready_group.pk})).content.decode()

    assert 'id="launch-heading"' not in html
    assert "Pause the group" in html


# Status ----------------------------------------------------------------------------------------


def change_status(client, group, action):
    return client.post(reverse("groups:change_status", kwargs={"pk": group.pk, "action": action}))


def test_a_coordinator_can_pause_and_resume_an_active_group(client, active_group, coordinator):
    # Resuming goes through the launch gate again, so the plan is complete.
    complete_plan(active_group)
    sign_in(client, coordinator)

    paused = change_status(client, active_group, "pause")
    active_group.refresh_from_db()
    assert active_group.status == Status.PAUSED
    assert messages_of(paused) == [(messages.SUCCESS, "\u201cRiverside evening group\u201d is now paused.")]

    resumed = client.post(reverse("groups:launch", kwargs={"pk": active_group.pk}))
    active_group.refresh_from_db()
    assert active_group.status == Status.ACTIVE
    assert resumed.url == reverse("groups:plan", kwargs={"pk": active_group.pk})


def test_closing_and_resuming_are_not_plain_status_buttons(client, active_group, coordinator):
    sign_in(client, coordinator)

    for action in ("close", "resume", "launch"):
        assert change_status(client, active_group, action).status_code == 404

    active_group.refresh_from_db()
    assert active_group.status == Status.ACTIVE


def test_a_closed_group_cannot_be_paused(client, active_group, coordinator):
    close_group(group=active_group, typed_name=active_group.name, aftercare="", by=coordinator)

    response = change_status(sign_in(client, coordinator), active_group, "pause")

    active_group.refresh_from_db()
    assert active_group.status == Status.CLOSED
    assert levels_of(response) == [messages.ERROR]


def test_an_unknown_status_action_is_not_found(client, active_group, coordinator):
    response = change_status(sign_in(client, coordinator), active_group, "reopen")

    active_group.refresh_from_db()
    assert response.status_code == 404
    assert active_group.status == Status.ACTIVE


# Team ------------------------------------------------------------------------------------------


def add_to_team(client, group, person, role):
    return client.post(reverse("groups:team", kwargs={"pk": group.pk}), {"person": person, "role": role})


@pytest.mark.parametrize("typed", ["erin", "ERIN@example.org", "Erin Example (erin)", "erin example"])
def test_a_coordinator_adds_someone_with_an_account_by_name_username_or_address(client, group, coordinator, typed):
    erin = UserFactory(username="erin", first_name="Erin", last_name="Example")

    response = add_to_team(sign_in(client, coordinator), group, typed, Role.CO_FACILITATOR)

    assert response.status_code == 302
    assert response.url == reverse("groups:team", kwargs={"pk": group.pk})
    assert group.roles.filter(user=erin, role=Role.CO_FACILITATOR).exists()
    assert messages_of(response) == [(messages.SUCCESS, "Erin Example is now co-facilitator of the group.")]


def test_the_team_page_suggests_the_organisations_active_accounts_as_a_name_is_typed(client, group, coordinator):
    UserFactory(username="erin", first_name="Erin", last_name="Example")
    UserFactory(username="former", first_name="Fay", last_name="Former", is_active=False)

    html = sign_in(client, coordinator).get(reverse("groups:team", kwargs={"pk": group.pk})).content.decode()

    # A <datalist>: the browser offers the names as the coordinator types, with or without JavaScript.
    assert 'list="people-with-accounts"' in field_html(html, "person")
    suggestions = re.findall(r'<option value="([^"]*)">', html[html.index('<datalist id="people-with-accounts">') :])
    assert "Erin Example (erin)" in suggestions
    assert not [suggestion for suggestion in suggestions if "former" in suggestion]


def test_two_accounts_of_the_same_name_are_told_apart_by_username(client, group, coordinator):
    UserFactory(username="dsmith", first_name="Dana", last_name="Smith")
    other = UserFactory(username="dana.s", first_name="Dana", last_name="Smith")

    refused = add_to_team(sign_in(client, coordinator), group, "Dana Smith", Role.CO_FACILITATOR)
    added = add_to_team(client, group, "Dana Smith (dana.s)", Role.CO_FACILITATOR)

    assert "More than one account has that name" in refused.context["form"].errors["person"][0]
    assert added.status_code == 302
    assert list(group.roles.filter(role=Role.CO_FACILITATOR).values_list("user", flat=True)) == [other.pk]


def test_a_name_nobody_has_asks_for_an_address_to_invite_them(client, group, coordinator):
    roles_before = list(group.roles.values_list("pk", flat=True))

    response = add_to_team(sign_in(client, coordinator), group, "Nobody Here", Role.CO_FACILITATOR)

    html = response.content.decode()
    assert response.status_code == 200
    message = "Nobody with an account has that name. To invite someone new, give their email address"
    assert message in response.context["form"].errors["email"][0]
    assert_error_beside_field(html, "email", message)
    assert 'value="Nobody Here"' in field_html(html, "person")
    assert list(group.roles.values_list("pk", flat=True)) == roles_before


def test_an_inactive_account_cannot_be_added_to_the_team(client, group, coordinator):
    UserFactory(username="former", is_active=False)

    response = add_to_team(sign_in(client, coordinator), group, "former", Role.CO_FACILITATOR)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not group.roles.filter(user__username="former").exists()


def test_an_email_shared_by_two_accounts_is_refused_rather_than_guessed(client, group, coordinator):
    UserFactory(username="erin", email="shared@example.org")
    UserFactory(username="erin2", email="shared@example.org")

    response = add_to_team(sign_in(client, coordinator), group, "shared@example.org", Role.CO_FACILITATOR)

    assert response.status_code == 200
    assert "More than one account" in response.context["form"].errors["person"][0]
    assert not group.roles.filter(role=Role.CO_FACILITATOR).exists()


def test_a_second_supervisor_is_refused(client, group, coordinator, supervisor):
    UserFactory(username="erin")

    response = add_to_team(sign_in(client, coordinator), group, "erin", Role.SUPERVISOR)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "role": [f"{supervisor} is already the supervisor. Change the supervisor on the facilitator-support plan."]
    }
    assert list(group.roles.filter(role=Role.SUPERVISOR).values_list("user__username", flat=True)) == ["sam"]


def test_the_same_role_cannot_be_given_twice(client, group, coordinator, facilitator):
    response = add_to_team(sign_in(client, coordinator), group, "bob", Role.LEAD_FACILITATOR)

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert group.roles.filter(user=facilitator).count() == 1


def test_removing_the_last_coordinator_is_refused(client, group, coordinator):
    role = group.roles.get(user=coordinator)

    response = sign_in(client, coordinator).post(
        reverse("groups:team_remove", kwargs={"pk": group.pk, "role_pk": role.pk})
    )

    assert response.status_code == 302
    assert GroupRole.objects.filter(pk=role.pk).exists()
    assert messages_of(response) == [
        (messages.ERROR, "A group needs at least one coordinator. Add another before removing this one.")
    ]


def test_a_coordinator_can_be_removed_while_another_remains(client, group, coordinator):
    second = GroupRoleFactory(group=group, user=UserFactory(username="erin"), role=Role.COORDINATOR)

    response = sign_in(client, coordinator).post(
        reverse("groups:team_remove", kwargs={"pk": group.pk, "role_pk": second.pk})
    )

    assert levels_of(response) == [messages.SUCCESS]
    assert not GroupRole.objects.filter(pk=second.pk).exists()


def test_removing_a_facilitator_takes_away_their_access(client, group, coordinator, facilitator):
    role = group.roles.get(user=facilitator)
    sign_in(client, coordinator).post(reverse("groups:team_remove", kwargs={"pk": group.pk, "role_pk": role.pk}))

    response = sign_in(client, facilitator).get(reverse("groups:plan", kwargs={"pk": group.pk}))

    assert response.status_code == 404


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
