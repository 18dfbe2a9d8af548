"""The plan means what it says (issue 12, DOMAIN.md "Second reading"): the launch gate checks
substance, safety questions are never waved through, starting risks stay, warnings are read, and
the plan stays alive after launch. Services and rules; the pages are in test_views_plan_substance.py.
"""

import datetime
from types import SimpleNamespace

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from groups.answers import answer_elsewhere, questions
from groups.checklist import CHECKLIST, CHECKLIST_BY_KEY, items_for
from groups.forms import ChecklistAnswerForm, ExitStrategyForm, RiskAssessmentForm, RiskForm, RiskFormSet, RuleForm
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
from groups.services import (
    STARTING_RISK_KEPT,
    add_suggested_aim,
    pause_group,
    resume_group,
    save_checklist_section,
    save_plan_document,
    save_rule,
    start_risk_assessment,
)
from groups.suggestions import RISK_SEEDS, SUGGESTED_AIMS
from groups.tests.factories import (
    AimFactory,
    ChecklistAnswerFactory,
    RuleFactory,
    SupportGroupFactory,
    complete_plan,
    mark_launched,
)
from groups.wording import (
    NO_HARM_CONTRACT_ANSWER_WARNING,
    NO_HARM_CONTRACT_RULE_WARNING,
    NOT_APPLICABLE_REASON_MESSAGE,
    PLACEHOLDER_MESSAGE,
    STOPPING_AIM_WARNING,
)

pytestmark = pytest.mark.django_db

Status = ChecklistAnswer.Status
PROBE_RULES = (
    "No self-harm while you are a member of the group",
    "Anyone who self-harms will be asked to leave the group",
)
PROBE_NO_HARM_ANSWER = "Yes: every member signs a no-harm contract on joining"
REAL_ANSWER = "Two facilitators agree it at the planning meeting and read it out at the first session."


def reload(group):
    return SupportGroup.objects.with_plan().get(pk=group.pk)


def answer_form(group, item, *, answer="", status=Status.DONE, reason="", opened_version=0):
    stored = ChecklistAnswer.objects.filter(group=group, item_key=item.key).first()
    data = {
        f"{item.key}-answer": answer,
        f"{item.key}-status": status,
        f"{item.key}-not_applicable_reason": reason,
        f"{item.key}-opened_version": opened_version,
    }
    form = ChecklistAnswerForm(data, item=item, instance=stored or ChecklistAnswer(group=group, item_key=item.key))
    form.is_valid()  # as the page does before it calls the service
    return form


def forged(group, item, **fields):
    """What a caller other than the page could hand save_checklist_section: a form that says it is
    valid, whatever it holds. The service must check the rules itself."""
    return SimpleNamespace(
        item=item,
        has_changed=lambda: True,
        cleaned_data={"opened_version": 0},
        save=lambda commit: ChecklistAnswer(group=group, item_key=item.key, **fields),
    )


def asked(group):
    """The questions the group answers on the checklist itself, required ones only."""
    return [item for item in items_for(group) if item.required and not item.is_answered_elsewhere]


# The probe ---------------------------------------------------------------------------------------


def test_the_probe_plan_is_refused_launch_with_a_blocker_per_problem_each_linking_to_its_fix(
    group, coordinator, facilitator, supervisor
):
    """The plan a practitioner launched with zero blockers (issue 12): built through the services,
    which refuse what they can, then as it stands in a database from before these rules."""
    by = coordinator
    safety = [item for item in items_for(group) if item.safety_critical]
    others = [item for item in asked(group) if not item.safety_critical]
    # What the services accept: the punitive rules, the no-harm-contract answer, an aim, documents.
    for text in PROBE_RULES:
        save_rule(rule=Rule(group=group, text=text), by=by)
    add_suggested_aim(group=group, text=SUGGESTED_AIMS[0], by=by)
    no_harm = CHECKLIST_BY_KEY["no_harm_contract"]
    save_checklist_section(group=group, forms=[answer_form(group, no_harm, answer=PROBE_NO_HARM_ANSWER)], by=by)
    strategy = ExitStrategyForm(
        {part: REAL_ANSWER for part in ExitStrategy.PARTS} | {"opened_version": 0}, instance=ExitStrategy(group=group)
    )
    assert strategy.is_valid()
    save_plan_document(form=strategy, expected_version=0, by=by)

    # What they refuse: safety questions "not applicable" ("n/a"), every other answer "x"...
    for item in safety:
        form = answer_form(group, item, status=Status.NOT_APPLICABLE, reason="n/a")
        assert not form.is_valid() and "status" in form.errors
        with pytest.raises(ValidationError):
            save_checklist_section(
                group=group,
                forms=[forged(group, item, status=Status.NOT_APPLICABLE, not_applicable_reason="n/a")],
                by=by,
            )
    for item in others:
        form = answer_form(group, item, answer="x")
        assert form.errors == {"answer": [PLACEHOLDER_MESSAGE]}
        with pytest.raises(ValidationError):
            save_checklist_section(group=group, forms=[forged(group, item, status=Status.DONE, answer="x")], by=by)
    # ...deleting the starting risks, and a 1 by 1 rating whose mitigation is "x".
    assessment = start_risk_assessment(group=group, by=by)
    risks = list(assessment.risks.all())
    data = risk_data(assessment, risks) | {f"risks-{n}-DELETE": "on" for n in range(1, len(risks))}
    any_formset = forms.inlineformset_factory(RiskAssessment, Risk, form=RiskForm, can_delete=True, extra=0)
    tampered = any_formset(data, instance=assessment, prefix="risks")
    assert tampered.is_valid() and RiskAssessmentForm(data, instance=assessment).is_valid()
    with pytest.raises(ValidationError) as refusal:
        save_plan_document(
            form=RiskAssessmentForm(data, instance=assessment), formset=tampered, expected_version=1, by=by
        )
    assert refusal.value.messages == [STARTING_RISK_KEPT]
    assert assessment.risks.count() == len(RISK_SEEDS)
    one_by_one = RiskFormSet(risk_data(assessment, risks, **{"0-mitigation": "x"}), instance=assessment, prefix="risks")
    assert not one_by_one.is_valid() and one_by_one.forms[0].errors == {"mitigation": [PLACEHOLDER_MESSAGE]}

    # The probe as a database from before these rules holds it (the safety answers as the
    # migration left them: back in progress, their "n/a" kept).
    ChecklistAnswer.objects.bulk_create(
        [
            ChecklistAnswer(group=group, item_key=item.key, status=Status.IN_PROGRESS, not_applicable_reason="n/a")
            for item in safety
            if item != no_harm
        ]
        + [ChecklistAnswer(group=group, item_key=item.key, status=Status.DONE, answer="x") for item in others]
    )
    assessment.risks.exclude(pk=risks[0].pk).delete()
    Risk.objects.filter(pk=risks[0].pk).update(likelihood=1, impact=1, mitigation="x", owner="x")
    RiskAssessment.objects.filter(pk=assessment.pk).update(review_date=timezone.localdate())

    with pytest.raises(LaunchBlocked) as refused:
        launch_group(group=group, by=by)

    blockers = refused.value.with_links
    assert all(blocker.fix_url for blocker in blockers)
    by_url = {blocker.fix_url: blocker for blocker in blockers}
    section_url = lambda item: reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": item.section})  # noqa: E731
    for item in [*safety, *others]:
        if item is not no_harm:
            assert f"{section_url(item)}#item-{item.key}" in by_url, item.key
    for item in others:
        assert "placeholder" in by_url[f"{section_url(item)}#item-{item.key}"].message
    risk_url = reverse("groups:risk_assessment", kwargs={"pk": group.pk})
    risk_messages = [blocker.message for blocker in blockers if blocker.fix_url == risk_url]
    assert any("17 starting risks from the guidance put back" in message for message in risk_messages)
    assert any("a mitigation that says something for 1 of 1 risks" in message for message in risk_messages)
    assert any("a named owner for 1 of 1 risks" in message for message in risk_messages)
    for rule in group.rules.all():
        blocker = by_url[reverse("groups:rule_edit", kwargs={"pk": group.pk, "rule_pk": rule.pk})]
        assert rule.text in blocker.message and "no-harm contract" in blocker.message
    no_harm_blocker = by_url[f"{section_url(no_harm)}#item-no_harm_contract"]
    assert "no-harm contract" in no_harm_blocker.message
    # Reading the warnings does not open the gate: the rest still blocks.
    with pytest.raises(LaunchBlocked) as still:
        launch_group(group=group, by=by, acknowledged_warnings=True)
    assert len(still.value.blockers) == len(blockers) - 3
    assert reload(group).is_planning


def risk_data(assessment, risks, **changes):
    data = {
        "review_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "opened_version": str(assessment.version),
        "risks-TOTAL_FORMS": str(len(risks)),
        "risks-INITIAL_FORMS": str(len(risks)),
        "risks-MIN_NUM_FORMS": "0",
        "risks-MAX_NUM_FORMS": "1000",
    }
    for number, risk in enumerate(risks):
        data |= {
            f"risks-{number}-id": str(risk.pk),
            f"risks-{number}-title": risk.title,
            f"risks-{number}-likelihood": "1",
            f"risks-{number}-impact": "1",
            f"risks-{number}-mitigation": "Unlikely here: the venue staff know the group, and we review it termly.",
            f"risks-{number}-owner": "Lead facilitator",
        }
    return data | {f"risks-{key}": value for key, value in changes.items()}


# Safety questions and answers that say something ----------------------------------------------


def test_a_safety_question_is_never_not_applicable_in_the_model_or_the_database(group):
    answer = ChecklistAnswer(
        group=group, item_key="distress", status=Status.NOT_APPLICABLE, not_applicable_reason="We meet online only."
    )
    with pytest.raises(ValidationError) as refusal:
        answer.full_clean()
    assert "status" in refusal.value.message_dict
    with pytest.raises(IntegrityError):
        answer.save()


def test_the_checklist_form_does_not_offer_not_applicable_for_a_safety_question(group):
    safety = answer_form(group, CHECKLIST_BY_KEY["suicidal_intent"])
    ordinary = answer_form(group, CHECKLIST_BY_KEY["competition"])
    assert Status.NOT_APPLICABLE not in dict(safety.fields["status"].choices)
    assert "not_applicable_reason" not in safety.fields
    assert Status.NOT_APPLICABLE in dict(ordinary.fields["status"].choices)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"answer": "n/a"}, ("answer", PLACEHOLDER_MESSAGE)),
        ({"answer": "TBC"}, ("answer", PLACEHOLDER_MESSAGE)),
        ({"answer": "see above"}, ("answer", PLACEHOLDER_MESSAGE)),
        ({"status": Status.NOT_APPLICABLE, "reason": "n/a"}, ("not_applicable_reason", NOT_APPLICABLE_REASON_MESSAGE)),
        (
            {"status": Status.NOT_APPLICABLE, "reason": "not relevant"},
            ("not_applicable_reason", NOT_APPLICABLE_REASON_MESSAGE),
        ),
    ],
)
def test_a_placeholder_answer_or_reason_is_refused_beside_its_field(group, fields, error):
    form = answer_form(group, CHECKLIST_BY_KEY["competition"], **fields)
    assert form.errors == {error[0]: [error[1]]}


def test_a_real_answer_and_a_real_reason_are_accepted(group, coordinator):
    forms_ = [
        answer_form(group, CHECKLIST_BY_KEY["competition"], answer=REAL_ANSWER),
        answer_form(
            group,
            CHECKLIST_BY_KEY["contact_between_sessions"],
            status=Status.NOT_APPLICABLE,
            reason="The group meets once a month online and members do not share contact details.",
        ),
    ]
    assert all(form.is_valid() for form in forms_)
    assert save_checklist_section(group=group, forms=forms_, by=coordinator) == 2


def test_writing_an_answer_starts_the_question_without_picking_in_progress(group, coordinator):
    form = answer_form(group, CHECKLIST_BY_KEY["competition"], answer="Half a thought", status=Status.NOT_STARTED)
    assert form.is_valid()
    save_checklist_section(group=group, forms=[form], by=coordinator)
    assert ChecklistAnswer.objects.get(group=group, item_key="competition").status == Status.IN_PROGRESS


def test_a_stored_placeholder_answer_does_not_settle_its_question(group):
    ChecklistAnswerFactory(group=group, item_key="competition", answer="x", status=Status.DONE)
    [question] = [question for question in questions(reload(group)) if question.item.key == "competition"]
    assert not question.is_resolved
    assert question.status == Status.IN_PROGRESS
    assert question.problem == PLACEHOLDER_MESSAGE
    [blocker] = [b for b in launch_blockers(reload(group)) if "stop self-harm becoming a competition" in b]
    assert "placeholder" in blocker


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
    assert list(SupportGroup.objects.with_risk_review_overdue(today)) == [group]
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
