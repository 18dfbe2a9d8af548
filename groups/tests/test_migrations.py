import importlib

from django.apps import apps
from django.db import connection

from groups.checklist import SAFETY_CRITICAL_KEYS
from groups.models import ChecklistAnswer, Risk
from groups.suggestions import RISK_SEEDS

from .factories import RiskAssessmentFactory, SupportGroupFactory

add_worst_cases = importlib.import_module("groups.migrations.0004_add_worst_case_starting_risks")
WORST_CASES = [(seed.source, seed.title) for seed in RISK_SEEDS if seed.source == "GW-7"]


def _risks(assessment):
    return list(assessment.risks.values_list("source", "title"))


def test_the_migration_adds_the_same_worst_cases_new_assessments_start_with():
    assert list(add_worst_cases.WORST_CASES) == WORST_CASES
    assert len(WORST_CASES) == 5


def test_existing_assessments_get_each_worst_case_once_with_a_history_copy(db):
    older = RiskAssessmentFactory()
    Risk.objects.create(assessment=older, source="LS-Q12", title="A member becomes very distressed during a session")
    Risk.objects.create(assessment=older, source="", title="The lift at the venue breaks down")
    partly_done = RiskAssessmentFactory()
    already_there = Risk.objects.create(
        assessment=partly_done, source=WORST_CASES[0][0], title=WORST_CASES[0][1], likelihood=2, impact=4
    )

    add_worst_cases.add_worst_cases(apps, schema_editor=None)

    assert _risks(older)[2:] == WORST_CASES
    assert sorted(_risks(partly_done)) == sorted(WORST_CASES)
    already_there.refresh_from_db()
    assert (already_there.likelihood, already_there.impact) == (2, 4)
    added = Risk.history.filter(history_type="+", history_change_reason=add_worst_cases.REASON)
    assert added.count() == 5 + 4
    assert {record.history_user_id for record in added} == {None}
    assert set(added.values_list("id", flat=True)) == set(
        Risk.objects.filter(source="GW-7").exclude(pk=already_there.pk).values_list("pk", flat=True)
    )


def test_running_the_migration_again_adds_nothing(db):
    assessment = RiskAssessmentFactory()
    add_worst_cases.add_worst_cases(apps, schema_editor=None)
    add_worst_cases.add_worst_cases(apps, schema_editor=None)
    assert _risks(assessment) == WORST_CASES
    assert Risk.history.count() == 5


reopen_safety_answers = importlib.import_module("groups.migrations.0006_safety_answers_no_longer_not_applicable")


def test_the_migration_knows_every_safety_question():
    assert set(reopen_safety_answers.SAFETY_CRITICAL_KEYS) == set(SAFETY_CRITICAL_KEYS)


def test_safety_answers_marked_not_applicable_go_back_in_progress_with_a_history_copy(db):
    # As the database held them before the constraint (the test's transaction puts it back).
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE groups_checklistanswer DROP CONSTRAINT safety_questions_never_not_applicable")
    group = SupportGroupFactory()
    ChecklistAnswer.objects.create(
        group=group, item_key="competition", status="not_applicable", not_applicable_reason="Online only."
    )
    ChecklistAnswer.objects.create(
        group=group, item_key="distress", status="not_applicable", not_applicable_reason="n/a"
    )

    reopen_safety_answers.reopen_safety_answers(apps, schema_editor=None)

    statuses = dict(ChecklistAnswer.objects.filter(group=group).values_list("item_key", "status"))
    assert statuses == {"competition": "not_applicable", "distress": "in_progress"}
    [copy] = ChecklistAnswer.history.filter(history_change_reason=reopen_safety_answers.REASON)
    assert (copy.item_key, copy.status, copy.not_applicable_reason, copy.history_user) == (
        "distress",
        "in_progress",
        "n/a",
        None,
    )
