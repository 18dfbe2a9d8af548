import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from groups.checklist import CHECKLIST, items_for
from groups.closing import close_group
from groups.models import ChecklistAnswer, GroupRole, SupportGroup
from groups.planning import (
    LaunchBlocked,
    checklist_progress,
    checklist_progress_of,
    launch_blockers,
    launch_blockers_with_links,
    launch_group,
)
from groups.services import pause_group, resume_group
from groups.tests.factories import GroupRoleFactory, RiskFactory, SupportGroupFactory, complete_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_group(coordinator, group):
    return complete_plan(group)


def reload(group):
    return SupportGroup.objects.with_plan().get(pk=group.pk)


def blockers_mentioning(group, text):
    return [blocker for blocker in launch_blockers(reload(group)) if text in blocker]


class TestLaunchBlockers:
    def test_a_complete_plan_has_no_blockers(self, ready_group):
        assert launch_blockers(reload(ready_group)) == []

    def test_a_new_group_lists_every_missing_piece(self, group):
        blockers = launch_blockers(reload(group))
        # The questions the plan answers elsewhere are listed under their own parts (documents, aims).
        required_items = [item for item in items_for(group) if item.required and not item.is_answered_elsewhere]
        assert "The risk assessment has not been started." in blockers
        assert "The exit strategy has not been started." in blockers
        # The supervisor is named on the support plan: one blocker for both, linking there.
        assert "The facilitator-support plan has not been started, and the group needs a named supervisor." in blockers
        assert not [blocker for blocker in blockers if "supervisor" in blocker and "support plan" not in blocker]
        assert "The group has no aims yet." in blockers
        assert "The group has no rules yet." in blockers
        assert "No facilitator has been added to the team." in blockers
        assert len([b for b in blockers if b.startswith("Checklist:")]) == len(required_items)

    def test_an_incomplete_risk_assessment_blocks(self, ready_group):
        RiskFactory(assessment=ready_group.risk_assessment, owner="")
        assert blockers_mentioning(ready_group, "risk assessment is incomplete")

    def test_an_incomplete_exit_strategy_blocks(self, ready_group):
        ready_group.exit_strategy.group_ending = ""
        ready_group.exit_strategy.save()
        assert blockers_mentioning(ready_group, "exit strategy is incomplete: it needs how the whole group would end")

    def test_removing_the_supervisor_blocks_once_on_the_support_plan(self, ready_group):
        """12.9: it blocked twice (the team, and the support plan naming nobody); now once, where the
        supervisor is chosen."""
        GroupRole.objects.filter(group=ready_group, role=GroupRole.Role.SUPERVISOR).delete()
        blockers = launch_blockers_with_links(reload(ready_group))
        assert [(blocker.message, blocker.fix_url) for blocker in blockers if "supervisor" in blocker.message] == [
            (
                "The facilitator-support plan is incomplete: it needs a named supervisor.",
                reverse("groups:support_plan", kwargs={"pk": ready_group.pk}),
            )
        ]

    def test_removing_the_facilitators_blocks(self, ready_group):
        GroupRole.objects.filter(group=ready_group, role=GroupRole.Role.LEAD_FACILITATOR).delete()
        assert blockers_mentioning(ready_group, "No facilitator")

    def test_a_co_facilitator_counts_as_a_facilitator(self, ready_group):
        GroupRole.objects.filter(group=ready_group, role=GroupRole.Role.LEAD_FACILITATOR).update(
            role=GroupRole.Role.CO_FACILITATOR
        )
        assert not blockers_mentioning(ready_group, "No facilitator")

    def test_no_aims_or_rules_block(self, ready_group):
        ready_group.aims.all().delete()
        ready_group.rules.all().delete()
        assert blockers_mentioning(ready_group, "no aims")
        assert blockers_mentioning(ready_group, "no rules")

    def test_a_required_item_in_progress_blocks(self, ready_group):
        item = next(item for item in CHECKLIST if item.required and not item.is_answered_elsewhere)
        ChecklistAnswer.objects.filter(group=ready_group, item_key=item.key).update(
            status=ChecklistAnswer.Status.IN_PROGRESS
        )
        assert blockers_mentioning(ready_group, item.prompt)

    def test_a_required_item_marked_not_applicable_with_a_reason_does_not_block(self, ready_group):
        item = next(item for item in CHECKLIST if item.required and item.may_be_not_applicable and not item.answered_by)
        ChecklistAnswer.objects.filter(group=ready_group, item_key=item.key).update(
            status=ChecklistAnswer.Status.NOT_APPLICABLE, not_applicable_reason="The group meets only online."
        )
        assert launch_blockers(reload(ready_group)) == []

    def test_an_unanswered_optional_item_does_not_block(self, ready_group):
        optional = [item.key for item in CHECKLIST if not item.required]
        assert optional
        ChecklistAnswer.objects.filter(group=ready_group, item_key__in=optional).delete()
        assert launch_blockers(reload(ready_group)) == []

    def test_blockers_come_from_prefetched_data_without_further_queries(self, ready_group, django_assert_num_queries):
        group = reload(ready_group)
        with django_assert_num_queries(0):
            launch_blockers(group)
            checklist_progress(group)


class TestChecklistProgress:
    def test_sections_start_not_started_but_for_questions_the_details_already_answer(self, group):
        progress = {section.slug: section.status for section in checklist_progress(reload(group))}
        # Why a group, who it is for, its room and pattern are in the details the group was created with.
        assert progress.pop("purpose") == progress.pop("sessions") == progress.pop("leadership") == "in_progress"
        assert progress.pop("access") == progress.pop("records") == "in_progress"
        assert set(progress.values()) == {"not_started"}

    def test_a_section_with_one_answer_started_is_in_progress(self, group):
        item = next(item for item in CHECKLIST if item.section == "rules" and not item.answered_by)
        ChecklistAnswer.objects.create(group=group, item_key=item.key, status=ChecklistAnswer.Status.IN_PROGRESS)
        progress = {section.slug: section for section in checklist_progress(reload(group))}
        assert progress[item.section].status == "in_progress"
        assert progress[item.section].status_label == "In progress"

    def test_a_fully_answered_plan_completes_every_section(self, ready_group):
        assert all(section.is_complete for section in checklist_progress(reload(ready_group)))

    def test_progress_of_many_groups_agrees_with_each_groups_own_in_one_query(
        self, ready_group, django_assert_num_queries
    ):
        group, untouched = SupportGroupFactory(), SupportGroupFactory()
        ChecklistAnswer.objects.create(
            group=group, item_key="competition", status=ChecklistAnswer.Status.DONE, answer="Feelings all count."
        )
        ChecklistAnswer.objects.create(
            group=group,
            item_key="contact_between_sessions",
            status=ChecklistAnswer.Status.NOT_APPLICABLE,
            not_applicable_reason="x",
        )
        ChecklistAnswer.objects.create(group=group, item_key="sounded_out", status=ChecklistAnswer.Status.IN_PROGRESS)
        groups = [ready_group, group, untouched]

        loaded = list(SupportGroup.objects.with_documents().filter(pk__in=[each.pk for each in groups]))
        with django_assert_num_queries(1):
            together = checklist_progress_of(loaded)

        assert together == {each.pk: checklist_progress(reload(each)) for each in groups}
        assert len({tuple(progress) for progress in together.values()}) == 3


class TestLaunchGroup:
    def test_a_coordinator_launches_a_ready_group(self, ready_group, coordinator):
        launch_group(group=ready_group, by=coordinator)
        ready_group.refresh_from_db()
        assert ready_group.status == SupportGroup.Status.ACTIVE
        assert ready_group.launched_at is not None

    def test_launch_is_refused_with_the_blockers_and_nothing_changes(self, group, coordinator):
        with pytest.raises(LaunchBlocked) as refusal:
            launch_group(group=group, by=coordinator)
        assert "The group has no aims yet." in refusal.value.blockers
        group.refresh_from_db()
        assert group.status == SupportGroup.Status.PLANNING

    def test_facilitator_cannot_launch_group(self, ready_group):
        facilitator = ready_group.facilitators[0]
        with pytest.raises(PermissionDenied):
            launch_group(group=ready_group, by=facilitator)
        ready_group.refresh_from_db()
        assert ready_group.status == SupportGroup.Status.PLANNING

    def test_outsider_cannot_launch_group(self, ready_group, outsider):
        with pytest.raises(PermissionDenied):
            launch_group(group=ready_group, by=outsider)

    def test_a_second_launch_is_refused(self, ready_group, coordinator):
        launch_group(group=ready_group, by=coordinator)
        with pytest.raises(LaunchBlocked) as refusal:
            launch_group(group=ready_group, by=coordinator)
        assert "already active" in refusal.value.blockers[0]

    def test_launch_rechecks_blockers_even_if_the_callers_copy_is_stale(self, ready_group, coordinator):
        stale = reload(ready_group)
        ready_group.rules.all().delete()
        with pytest.raises(LaunchBlocked):
            launch_group(group=stale, by=coordinator)


class TestStatusServices:
    def test_pause_resume_and_close_an_active_group(self, coordinator):
        group = SupportGroupFactory(active=True)
        GroupRoleFactory(group=group, user=coordinator)
        assert pause_group(group=group, by=coordinator).status == SupportGroup.Status.PAUSED
        assert resume_group(group=group, by=coordinator).status == SupportGroup.Status.ACTIVE
        closed = close_group(group=group, typed_name=group.name, aftercare="", by=coordinator)
        assert closed.status == SupportGroup.Status.CLOSED

    def test_resume_cannot_skip_the_launch_gate(self, group, coordinator):
        with pytest.raises(LaunchBlocked):
            resume_group(group=group, by=coordinator)
        group.refresh_from_db()
        assert group.status == SupportGroup.Status.PLANNING

    def test_facilitator_cannot_close_a_group(self, group, facilitator):
        with pytest.raises(PermissionDenied):
            close_group(group=group, typed_name=group.name, aftercare="", by=facilitator)
