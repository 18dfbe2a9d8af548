"""The plan means what it says (issue 12, DOMAIN.md "Second reading"): the launch gate checks
substance, safety questions are never waved through, starting risks stay, warnings are read, and
the plan stays alive after launch. Services and rules; the pages are in test_views_plan_substance.py.
This file has the probe and the safety questions; test_second_reading_questions.py the rest.
"""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from groups.answers import questions
from groups.checklist import CHECKLIST_BY_KEY, items_for
from groups.forms import ChecklistAnswerForm, ExitStrategyForm, RiskAssessmentForm, RiskForm, RiskFormSet
from groups.models import ChecklistAnswer, ExitStrategy, Risk, RiskAssessment, Rule
from groups.planning import LaunchBlocked, launch_blockers, launch_group
from groups.services import (
    STARTING_RISK_KEPT,
    add_suggested_aim,
    save_checklist_section,
    save_plan_document,
    save_rule,
    start_risk_assessment,
)
from groups.suggestions import RISK_SEEDS, SUGGESTED_AIMS
from groups.tests.factories import ChecklistAnswerFactory
from groups.tests.second_reading_helpers import PROBE_NO_HARM_ANSWER, PROBE_RULES, REAL_ANSWER, Status, forged, reload
from groups.wording import NOT_APPLICABLE_REASON_MESSAGE, PLACEHOLDER_MESSAGE

pytestmark = pytest.mark.django_db


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
