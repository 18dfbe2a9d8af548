"""The plan means what it says (issue 12, DOMAIN.md "Second reading"): no question asked twice,
the under-18 questions, the risk assessment, the plan after launch, and its warnings.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.answers import answer_elsewhere, questions
from groups.checklist import CHECKLIST, CHECKLIST_BY_KEY
from groups.forms import RiskFormSet, RuleForm
from groups.models import (
    ChecklistAnswer,
    ExitStrategy,
    FacilitatorSupportPlan,
    Risk,
    RiskAssessment,
    Rule,
    SupportGroup,
)
from groups.planning import LaunchBlocked, checklist_progress, launch_blockers, launch_group, launch_warnings, plan_gaps
from groups.services import pause_group, resume_group, save_checklist_section, start_risk_assessment
from groups.suggestions import RISK_SEEDS
from groups.tests.factories import AimFactory, RuleFactory, SupportGroupFactory, complete_plan, mark_launched
from groups.tests.second_reading_helpers import PROBE_NO_HARM_ANSWER, PROBE_RULES, REAL_ANSWER, Status, forged, reload
from groups.wording import NO_HARM_CONTRACT_ANSWER_WARNING, NO_HARM_CONTRACT_RULE_WARNING, STOPPING_AIM_WARNING

pytestmark = pytest.mark.django_db


# Never asked twice -----------------------------------------------------------------------------


def test_every_answered_by_source_names_a_real_part_of_the_plan():
    group = SupportGroup()
    for item in CHECKLIST:
        for source in item.answered_by:
            kind, _, detail = source.partition(":")
            if kind == "group":
                assert all(group._meta.get_field(name).editable for name in detail.split(",")), item.key
            elif kind == "document":
                name, _, parts = detail.partition(":")
                model = {
                    "risk_assessment": RiskAssessment,
                    "exit_strategy": ExitStrategy,
                    "support_plan": FacilitatorSupportPlan,
                }[name]
                assert set(filter(None, parts.split(","))) <= set(getattr(model, "PARTS", ())), item.key
            else:
                assert kind in {"aims", "rules"}, item.key


def test_twelve_or_more_questions_are_answered_elsewhere_and_none_is_a_safety_question():
    elsewhere = {item.key for item in CHECKLIST if item.answered_by}
    assert len(elsewhere) == 13
    assert not any(CHECKLIST_BY_KEY[key].safety_critical for key in elsewhere)


def test_a_question_the_details_answer_is_done_once_they_say_something(group):
    why = CHECKLIST_BY_KEY["why_group_work"]
    [part] = answer_elsewhere(why, reload(group))
    assert part.is_complete and part.place == "the group's details"
    assert ("Why a group", group.why_group_work) in [(shown.label, shown.value) for shown in part.shown]

    SupportGroup.objects.filter(pk=group.pk).update(leadership_support="", room_notes="x")
    plan = reload(group)
    [leadership] = answer_elsewhere(CHECKLIST_BY_KEY["leadership_model"], plan)
    assert leadership.missing == ("support that goes with this leadership",)
    assert leadership.fix_url.endswith("#id_leadership_support")
    [room] = answer_elsewhere(CHECKLIST_BY_KEY["venue"], plan)
    assert room.missing == ("a real answer for \u201cabout the room\u201d",)
    gaps = [blocker for blocker in launch_blockers(plan) if "leadership" in blocker]
    assert gaps and "answered by the group's details" in gaps[0]


def test_an_online_group_is_not_asked_for_a_room(group):
    SupportGroup.objects.filter(pk=group.pk).update(
        format=SupportGroup.Format.ONLINE, venue="", room_notes="", online_opening_hours="Tuesdays 7 to 9pm"
    )
    [part] = answer_elsewhere(CHECKLIST_BY_KEY["venue"], reload(group))
    assert part.is_complete
    assert [shown.label for shown in part.shown] == ["Format", "Moderated opening hours online"]


def test_documents_aims_and_rules_answer_their_questions_when_complete(group):
    ready = complete_plan(group)
    plan = reload(ready)
    for key in ("risk_assessment_done", "leaving", "cannot_run", "facilitator_care", "aims_progress", "rules_process"):
        assert all(part.is_complete for part in answer_elsewhere(CHECKLIST_BY_KEY[key], plan)), key
    Rule.objects.filter(group=ready).update(how_upheld="")
    [rules] = answer_elsewhere(CHECKLIST_BY_KEY["rules_process"], reload(ready))
    assert rules.missing == (f"how \u201c{ready.rules.get().text}\u201d is upheld",)


def test_the_service_refuses_an_answer_to_a_question_answered_elsewhere(group, coordinator):
    with pytest.raises(ValidationError) as refusal:
        save_checklist_section(
            group=group,
            forms=[forged(group, CHECKLIST_BY_KEY["venue"], status=Status.DONE, answer=REAL_ANSWER)],
            by=coordinator,
        )
    assert "not asked on the checklist" in refusal.value.messages[0]
    assert not ChecklistAnswer.objects.filter(group=group).exists()


# Under-18 groups -------------------------------------------------------------------------------

UNDER_18 = {"child_protection", "parents_and_consent", "school_and_camhs", "self_harm_reporting"}


def test_an_adult_group_is_not_asked_the_under_18_questions(group):
    complete_plan(group)
    plan = reload(group)
    assert launch_blockers(plan) == []
    assert not UNDER_18 & {question.item.key for question in questions(plan)}


def test_lowering_the_age_of_a_running_group_brings_in_the_under_18_questions_as_gaps(group):
    complete_plan(group)
    ChecklistAnswer.objects.filter(group=group, item_key__in=UNDER_18).delete()
    mark_launched(group)
    SupportGroup.objects.filter(pk=group.pk).update(minimum_age=16)
    plan = reload(group)
    gaps = {blocker.question for blocker in plan_gaps(plan)}
    assert gaps == {CHECKLIST_BY_KEY[key].prompt for key in UNDER_18}
    progress = {section.slug: section for section in checklist_progress(plan)}
    assert not progress["safety"].is_complete and not progress["access"].is_complete


# The risk assessment ---------------------------------------------------------------------------


def test_a_risk_rated_low_needs_a_reason_and_an_owner_that_names_someone(group):
    risk = Risk(assessment=RiskAssessment(group=group), source="GW-7", title="T", likelihood=1, impact=2)
    with pytest.raises(ValidationError) as refusal:
        risk.clean()
    assert refusal.value.message_dict == {"mitigation": [Risk.LOW_NEEDS_A_REASON]}
    risk.mitigation, risk.owner = "The venue has a lift and staff trained in first aid on every evening.", "x"
    with pytest.raises(ValidationError) as refusal:
        risk.clean()
    assert list(refusal.value.message_dict) == ["owner"]
    risk.owner = "Alice"
    risk.clean()
    assert risk.is_rated_low and risk.is_assessed


def test_starting_risks_deleted_before_the_rule_can_be_put_back(group, coordinator):
    assessment = start_risk_assessment(group=group, by=coordinator)
    assessment.risks.filter(source="GW-7").delete()
    assert len(assessment.missing_starting_risks()) == 5

    start_risk_assessment(group=group, by=coordinator)

    assert assessment.missing_starting_risks() == []
    assert assessment.risks.count() == len(RISK_SEEDS)
    assert Risk.history.filter(history_change_reason="Starting risk put back").count() == 5


def test_the_risk_form_offers_no_delete_box_nor_title_for_a_starting_risk(group, coordinator):
    assessment = start_risk_assessment(group=group, by=coordinator)
    added = Risk.objects.create(assessment=assessment, title="The lift at the venue breaks down")
    formset = RiskFormSet(instance=assessment, prefix="risks")
    by_pk = {form.instance.pk: form for form in formset.forms if form.instance.pk}
    starting = by_pk[assessment.risks.first().pk]
    assert "DELETE" not in starting.fields and "title" not in starting.fields
    assert "DELETE" in by_pk[added.pk].fields and "title" in by_pk[added.pk].fields


# After launch ------------------------------------------------------------------------------------


def test_a_risk_review_date_passing_shows_on_the_group_and_among_groups_needing_review(group):
    complete_plan(group)
    mark_launched(group)
    today = timezone.localdate()
    RiskAssessment.objects.filter(group=group).update(review_date=today - datetime.timedelta(days=1))
    planning = SupportGroupFactory()
    complete_plan(planning)
    RiskAssessment.objects.filter(group=planning).update(review_date=today - datetime.timedelta(days=1))

    assert reload(group).risk_review_is_overdue(today)
    assert not reload(planning).risk_review_is_overdue(today)  # not running: the launch gate says so instead
    assert [assessment.group for assessment in RiskAssessment.objects.review_overdue(today)] == [group]
    assert not reload(group).risk_review_is_overdue(today - datetime.timedelta(days=1))


def test_pausing_and_resuming_runs_the_launch_gate_again(group, coordinator):
    complete_plan(group)
    mark_launched(group)
    pause_group(group=group, by=coordinator)
    RiskAssessment.objects.filter(group=group).update(review_date=timezone.localdate() - datetime.timedelta(days=1))

    with pytest.raises(LaunchBlocked) as refusal:
        resume_group(group=group, by=coordinator)
    assert any("a new review date" in blocker for blocker in refusal.value.blockers)

    RiskAssessment.objects.filter(group=group).update(review_date=timezone.localdate() + datetime.timedelta(days=90))
    resumed = resume_group(group=group, by=coordinator)
    assert resumed.is_running
    assert resumed.history.latest("history_id").history_change_reason == "Resumed"


# Warnings --------------------------------------------------------------------------------------


def test_warnings_are_found_on_rules_the_no_harm_answer_and_aims(group):
    complete_plan(group)
    RuleFactory(group=group, text=PROBE_RULES[1])
    AimFactory(group=group, text="Members stop self-harming.")
    ChecklistAnswer.objects.filter(group=group, item_key="no_harm_contract").update(answer=PROBE_NO_HARM_ANSWER)
    plan = reload(group)

    found = {(warning.subject, warning.message) for warning in launch_warnings(plan)}

    assert found == {
        (f"Rule: \u201c{PROBE_RULES[1]}\u201d", NO_HARM_CONTRACT_RULE_WARNING),
        (
            "Checklist answer: \u201cWill members be asked to promise not to hurt themselves?\u201d",
            NO_HARM_CONTRACT_ANSWER_WARNING,
        ),
        ("Aim: \u201cMembers stop self-harming.\u201d", STOPPING_AIM_WARNING),
    }
    assert launch_blockers(plan) == []  # warnings never block on their own


def test_launch_needs_the_coordinator_to_have_read_the_warnings(group, coordinator):
    complete_plan(group)
    RuleFactory(group=group, text=PROBE_RULES[0])

    with pytest.raises(LaunchBlocked) as refusal:
        launch_group(group=group, by=coordinator)
    [blocker] = refusal.value.with_links
    assert "Read the warning" in blocker.message and "/rules/" in blocker.fix_url

    launched = launch_group(group=group, by=coordinator, acknowledged_warnings=True)
    assert launched.is_running
    reason = launched.history.latest("history_id").history_change_reason
    assert reason == "Launched, the coordinator having read 1 warning"


def test_a_rule_with_a_stock_non_answer_for_how_it_is_shared_is_refused(group):
    form = RuleForm({"text": "Phones on silent.", "how_shared": "x", "how_upheld": ""}, instance=Rule(group=group))
    assert list(form.errors) == ["how_shared"]
