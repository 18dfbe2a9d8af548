"""`manage.py seed_demo` without --scale: the three demo groups, made through the services."""

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from concerns.models import Complaint, Concern
from groups.models import AimReview, AimStanding, SupportGroup
from groups.planning import launch_blockers, launch_warnings
from groups.suggestions import RISK_SEEDS
from sessions_log.models import Attendance, Debrief, FollowUp, GroupSession, Lesson

DEMO = Path(__file__).resolve().parents[1]
# The demo runs wherever the app runs, where test code and its tools are not installed.
TEST_ONLY = {"tests", "factory", "faker", "pytest"}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())


def _group(name) -> SupportGroup:
    return SupportGroup.objects.with_plan().get(name=name)


def test_the_half_planned_group_is_part_way_through_its_plan(seeded):
    group = _group("Young adults' evening group (demo)")
    assert group.is_planning
    assert group.aims.count() == 1
    assert group.checklist_answers.count() == 13  # twelve answered and one drafted
    assert group.risk_assessment_or_none is not None
    assert launch_blockers(group)


def test_the_ready_group_has_nothing_left_blocking_its_launch(seeded):
    group = _group("Thursday women's group (demo)")
    assert group.is_planning
    assert launch_blockers(group) == []
    assert launch_warnings(group) == []


@pytest.mark.parametrize("name", ["Thursday women's group (demo)", "Riverside peer support group (demo)"])
def test_the_ready_and_active_groups_have_full_risk_assessments(seeded, name):
    assessment = _group(name).risk_assessment
    assert assessment.is_complete
    assert len(assessment.risks.all()) == len(RISK_SEEDS)
    assert all(risk.is_assessed for risk in assessment.risks.all())


def test_the_active_group_has_six_weeks_of_sessions_with_a_second_miss_followed_up(seeded):
    group = _group("Riverside peer support group (demo)")
    assert group.status == SupportGroup.Status.ACTIVE
    assert GroupSession.objects.filter(group=group, register_taken_at__isnull=False).count() == 6
    assert Attendance.objects.filter(session__group=group).count() == 60
    follow_ups = FollowUp.objects.filter(session__group=group).order_by("session__date")
    assert [(f.member.display_name, f.consecutive_misses) for f in follow_ups] == [("Sky", 1), ("Sky", 2)]
    assert {f.assignee.username for f in follow_ups} == {"facilitator"}
    assert Debrief.objects.filter(session__group=group, reviewed=True).count() == 1
    assert Debrief.objects.filter(session__group=group, wellbeing__lte=Debrief.LOW_WELLBEING).count() == 1
    assert Lesson.objects.filter(group=group).count() == 2


def test_the_active_group_keeps_distress_and_safeguarding_apart_and_shows_the_flow(seeded):
    group = _group("Riverside peer support group (demo)")
    concerns = {concern.kind: concern for concern in Concern.objects.filter(group=group)}
    assert set(concerns) == {Concern.Kind.DISTRESS, Concern.Kind.SAFEGUARDING}
    assert all(not concern.is_open for concern in concerns.values())
    # The quiet-room break is distress handled in the session: nothing else followed from it.
    assert "quiet room" in concerns[Concern.Kind.DISTRESS].what_was_done
    assert concerns[Concern.Kind.DISTRESS].follow_up is None
    # The safeguarding concern brought a check-in forward for the coordinator, and was closed.
    check_in = concerns[Concern.Kind.SAFEGUARDING].follow_up
    assert (check_in.kind, check_in.assignee.username) == (FollowUp.Kind.AFTER_CONCERN, "coordinator")
    assert concerns[Concern.Kind.SAFEGUARDING].closed_by.username == "coordinator"
    assert Complaint.objects.filter(group=group, closed_on__isnull=False).count() == 1
    # One session ran with one facilitator, for the co-facilitation warning.
    assert GroupSession.objects.filter(group=group).run_alone().count() == 1


def test_the_active_group_shows_contact_check_ins_and_aims_reviews(seeded):
    group = _group("Riverside peer support group (demo)")
    assert group.holds_contact_details
    assert [member.display_name for member in group.members.exclude(contact_details="")] == ["Sky"]
    check_in = FollowUp.objects.get(member__group=group, kind=FollowUp.Kind.CHECK_IN)
    assert (check_in.member.display_name, check_in.assignee.username) == ("Gus", "coordinator")
    assert check_in.lacks_contact
    assert AimReview.objects.filter(group=group).count() == 2
    assert AimStanding.objects.filter(review__group=group).count() == 2 * group.aims.count()


def test_a_second_run_adds_nothing(seeded):
    counts = {model: model.objects.count() for model in (SupportGroup, GroupSession, Attendance, FollowUp, Debrief)}
    call_command("seed_demo", stdout=StringIO())
    assert {model: model.objects.count() for model in counts} == counts


def _imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # `from groups.tests import factories` names its module only in part.
            yield from (f"{node.module or ''}.{alias.name}".lstrip(".") for alias in node.names)


def test_the_demo_imports_no_test_code_or_test_tools():
    imports = {
        f"{path.relative_to(DEMO)}: {module}"
        for path in DEMO.rglob("*.py")
        if "tests" not in path.relative_to(DEMO).parts
        for module in _imported_modules(path)
        if TEST_ONLY & set(module.split("."))
    }
    assert imports == set()


def test_the_check_sees_an_import_of_test_code(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import factory\nfrom groups.tests import factories\nfrom . import tests\nfrom .plans import valid\n"
    )
    assert [module for module in _imported_modules(sample) if TEST_ONLY & set(module.split("."))] == [
        "factory",
        "groups.tests.factories",
        "tests",
    ]
