import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from groups.models import ChecklistAnswer, GroupRole, InvalidStatusTransition, SupportGroup
from groups.tests.factories import (
    ChecklistAnswerFactory,
    ExitStrategyFactory,
    FacilitatorSupportPlanFactory,
    GroupRoleFactory,
    RiskAssessmentFactory,
    RiskFactory,
    SupportGroupFactory,
    full_risk_assessment,
)

pytestmark = pytest.mark.django_db

Status = SupportGroup.Status


class TestStatusTransitions:
    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (Status.PLANNING, Status.ACTIVE),
            (Status.PLANNING, Status.CLOSED),
            (Status.ACTIVE, Status.PAUSED),
            (Status.ACTIVE, Status.CLOSED),
            (Status.PAUSED, Status.ACTIVE),
            (Status.PAUSED, Status.CLOSED),
        ],
    )
    def test_allowed_moves(self, start, end):
        group = SupportGroup(status=start)
        group.move_to(end)
        assert group.status == end

    @pytest.mark.parametrize("end", [Status.PLANNING, Status.ACTIVE, Status.PAUSED])
    def test_closed_is_final(self, end):
        group = SupportGroup(status=Status.CLOSED)
        with pytest.raises(InvalidStatusTransition):
            group.move_to(end)
        assert group.status == Status.CLOSED

    def test_a_group_cannot_go_back_to_planning_or_pause_before_it_runs(self):
        with pytest.raises(InvalidStatusTransition):
            SupportGroup(status=Status.ACTIVE).move_to(Status.PLANNING)
        with pytest.raises(InvalidStatusTransition):
            SupportGroup(status=Status.PLANNING).move_to(Status.PAUSED)

    def test_closing_stamps_the_time(self):
        group = SupportGroup(status=Status.ACTIVE)
        group.move_to(Status.CLOSED)
        assert group.closed_at is not None

    def test_database_refuses_an_active_group_that_was_never_launched(self):
        group = SupportGroupFactory()
        group.status = Status.ACTIVE
        with pytest.raises(IntegrityError):
            group.save()


class TestGroupDetails:
    def test_upper_age_below_lower_is_refused(self):
        group = SupportGroupFactory.build(minimum_age=18, maximum_age=16)
        with pytest.raises(ValidationError) as error:
            group.full_clean()
        assert "maximum_age" in error.value.message_dict

    def test_online_groups_must_say_when_they_are_moderated(self):
        group = SupportGroupFactory.build(format=SupportGroup.Format.ONLINE, online_opening_hours="")
        with pytest.raises(ValidationError) as error:
            group.full_clean()
        assert "online_opening_hours" in error.value.message_dict

    def test_sessions_must_end_after_they_start(self):
        group = SupportGroupFactory.build(meeting_start=datetime.time(19), meeting_end=datetime.time(18))
        with pytest.raises(ValidationError) as error:
            group.full_clean()
        assert "meeting_end" in error.value.message_dict


class TestRoles:
    def test_visible_to_lists_only_groups_where_the_person_has_a_role(self, group, facilitator, outsider):
        assert list(SupportGroup.objects.visible_to(facilitator)) == [group]
        assert group not in SupportGroup.objects.visible_to(outsider)

    def test_superusers_see_every_group(self, group, outsider):
        outsider.is_superuser = True
        assert set(SupportGroup.objects.visible_to(outsider)) == set(SupportGroup.objects.all())

    def test_a_group_has_at_most_one_supervisor(self, group, supervisor):
        with pytest.raises(IntegrityError):
            GroupRoleFactory(group=group, role=GroupRole.Role.SUPERVISOR)

    def test_roles_of_reports_every_role_a_person_holds(self, group, coordinator):
        GroupRoleFactory(group=group, user=coordinator, role=GroupRole.Role.CO_FACILITATOR)
        assert group.roles_of(coordinator) == {"coordinator", "co_facilitator"}


class TestChecklistAnswer:
    def test_not_applicable_needs_a_reason(self):
        answer = ChecklistAnswerFactory.build(status=ChecklistAnswer.Status.NOT_APPLICABLE, not_applicable_reason="")
        with pytest.raises(ValidationError) as error:
            answer.full_clean(exclude=["group"])
        assert "not_applicable_reason" in error.value.message_dict

    def test_database_also_refuses_not_applicable_without_a_reason(self):
        with pytest.raises(IntegrityError):
            ChecklistAnswerFactory(status=ChecklistAnswer.Status.NOT_APPLICABLE, not_applicable_reason="")

    def test_completed_needs_an_answer(self):
        answer = ChecklistAnswerFactory.build(status=ChecklistAnswer.Status.DONE, answer="  ")
        with pytest.raises(ValidationError) as error:
            answer.full_clean(exclude=["group"])
        assert "answer" in error.value.message_dict

    def test_done_and_not_applicable_both_resolve_an_item(self):
        done = ChecklistAnswer(
            item_key="sounded_out", status=ChecklistAnswer.Status.DONE, answer="We asked at the drop-in."
        )
        not_applicable = ChecklistAnswer(
            item_key="contact_between_sessions",
            status=ChecklistAnswer.Status.NOT_APPLICABLE,
            not_applicable_reason="The group meets only once, as a trial, so there is no in between.",
        )
        assert done.is_resolved and not_applicable.is_resolved
        assert not ChecklistAnswer(item_key="sounded_out", status=ChecklistAnswer.Status.IN_PROGRESS).is_resolved


class TestRiskAssessmentCompleteness:
    def test_complete_when_every_risk_is_assessed_and_review_is_ahead(self):
        assessment = full_risk_assessment()
        assert assessment.missing_parts() == []
        assert assessment.is_complete

    def test_an_assessment_without_its_starting_risks_is_incomplete(self):
        assert "the 18 starting risks from the guidance put back" in RiskAssessmentFactory().missing_parts()

    @pytest.mark.parametrize(
        ("blank", "missing"), [("mitigation", "a mitigation that says something"), ("owner", "a named owner")]
    )
    def test_a_risk_without_mitigation_or_owner_makes_it_incomplete(self, blank, missing):
        assessment = full_risk_assessment()
        assessment.risks.filter(pk=assessment.risks.first().pk).update(**{blank: ""})
        assert assessment.missing_parts() == [f"{missing} for 1 of 18 risks"]

    def test_an_unrated_risk_makes_it_incomplete(self):
        risk = RiskFactory(likelihood=None)
        assert not risk.assessment.is_complete

    def test_a_missing_review_date_makes_it_incomplete(self):
        assert full_risk_assessment(review_date=None).missing_parts() == ["a review date"]

    def test_a_past_review_date_makes_it_incomplete(self):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        assert full_risk_assessment(review_date=yesterday).missing_parts() == [
            f"a new review date (the last was due on {yesterday:%-d %B %Y})"
        ]

    def test_a_review_due_today_still_counts(self):
        assert full_risk_assessment(review_date=timezone.localdate()).is_complete

    def test_ratings_outside_one_to_five_are_refused_by_the_database(self):
        with pytest.raises(IntegrityError):
            RiskFactory(impact=6)


class TestExitStrategyCompleteness:
    def test_complete_when_all_three_parts_are_answered(self):
        assert ExitStrategyFactory().is_complete

    @pytest.mark.parametrize("part", ["members_leaving", "group_ending", "when_group_cannot_run"])
    def test_each_unanswered_part_is_named(self, part):
        strategy = ExitStrategyFactory(**{part: "   "})
        missing = strategy.missing_parts()
        assert len(missing) == 1
        assert missing[0] == str(strategy._meta.get_field(part).verbose_name).lower()


class TestFacilitatorSupportPlanCompleteness:
    def test_complete_when_every_part_is_answered_and_a_supervisor_is_named(self, group, supervisor):
        assert FacilitatorSupportPlanFactory(group=group).is_complete

    def test_without_a_supervisor_it_is_incomplete(self, group):
        assert FacilitatorSupportPlanFactory(group=group).missing_parts() == ["a named supervisor"]

    @pytest.mark.parametrize(
        "part", ["supervision_frequency", "debrief_arrangements", "cofacilitation_and_cover", "facilitator_wellbeing"]
    )
    def test_each_unanswered_part_makes_it_incomplete(self, group, supervisor, part):
        plan = FacilitatorSupportPlanFactory(group=group, **{part: ""})
        assert len(plan.missing_parts()) == 1
