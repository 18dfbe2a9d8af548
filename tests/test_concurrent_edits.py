"""Two people at once editing the same plan document: the second editor is told, and nothing
anyone saved is lost. The group's details and checklist answers are in
test_concurrent_edits_plan.py, the register and a member's record in
test_concurrent_edits_register.py, and two workers on SQLite in test_sqlite_workers.py.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from groups.forms import ExitStrategyForm
from groups.models import ExitStrategy, FacilitatorSupportPlan
from groups.services import PLAN_DOCUMENT_CHANGED, save_plan_document
from groups.tests.factories import (
    ExitStrategyFactory,
    FacilitatorSupportPlanFactory,
    RiskAssessmentFactory,
    RiskFactory,
)
from tests.access_matrix import sign_in
from tests.concurrent_edits import _exit_strategy_data, _risk_assessment_data


def _support_plan_data(text, version, document=None):
    return {
        "supervision_frequency": FacilitatorSupportPlan.Frequency.MONTHLY,
        "debrief_arrangements": text,
        "cofacilitation_and_cover": text,
        "facilitator_wellbeing": text,
        "opened_version": version,
    }


# For each document's page: how to make one, what its form posts, and where the text lands.
DOCUMENTS = {
    "exit_strategy": (ExitStrategyFactory, _exit_strategy_data, lambda group: group.exit_strategy.members_leaving),
    "support_plan": (
        FacilitatorSupportPlanFactory,
        _support_plan_data,
        lambda group: group.support_plan.debrief_arrangements,
    ),
    "risk_assessment": (
        lambda group: RiskFactory(assessment=RiskAssessmentFactory(group=group)).assessment,
        _risk_assessment_data,
        lambda group: group.risk_assessment.risks.get().mitigation,
    ),
}


@pytest.mark.parametrize("url_name", DOCUMENTS)
def test_the_second_of_two_editors_is_told_and_nothing_is_overwritten(
    client, group, coordinator, second_coordinator, url_name
):
    make, data_for, saved_text = DOCUMENTS[url_name]
    document = make(group=group)
    url = reverse(f"groups:{url_name}", kwargs={"pk": group.pk})
    alice, alex = sign_in(client, coordinator), sign_in(type(client)(), second_coordinator)
    # Both open the document.
    alice_opened = alice.get(url).context["form"]["opened_version"].value()
    alex_opened = alex.get(url).context["form"]["opened_version"].value()
    assert alice_opened == alex_opened == 1

    first = alice.post(url, data_for("Alice's words.", alice_opened, document))
    second = alex.post(url, data_for("Alex's words.", alex_opened, document))

    assert first.status_code == 302
    assert second.status_code == 200
    body = second.content.decode()
    assert PLAN_DOCUMENT_CHANGED.replace("'", "&#x27;") in body
    assert "Alex&#x27;s words." in body  # his typing is still there to copy
    group.refresh_from_db()
    assert saved_text(group) == "Alice's words."
    assert type(document).objects.get(pk=document.pk).version == 2


def test_two_people_writing_a_document_that_does_not_exist_yet_cannot_both_create_it(
    client, group, coordinator, second_coordinator
):
    url = reverse("groups:exit_strategy", kwargs={"pk": group.pk})
    alice, alex = sign_in(client, coordinator), sign_in(type(client)(), second_coordinator)
    assert alice.get(url).context["form"]["opened_version"].value() == 0
    assert alex.get(url).context["form"]["opened_version"].value() == 0

    assert alice.post(url, _exit_strategy_data("Alice's words.", 0)).status_code == 302
    refused = alex.post(url, _exit_strategy_data("Alex's words.", 0))

    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [PLAN_DOCUMENT_CHANGED]
    assert ExitStrategy.objects.get(group=group).members_leaving == "Alice's words."


def test_after_reloading_the_second_editor_saves_on_top_of_the_first(client, group, coordinator, second_coordinator):
    ExitStrategyFactory(group=group)
    url = reverse("groups:exit_strategy", kwargs={"pk": group.pk})
    sign_in(client, coordinator).post(url, _exit_strategy_data("Alice's words.", 1))

    alex = sign_in(type(client)(), second_coordinator)
    reloaded = alex.get(url).context["form"]["opened_version"].value()
    response = alex.post(url, _exit_strategy_data("Alex's words, after reading Alice's.", reloaded))

    assert reloaded == 2
    assert response.status_code == 302
    strategy = ExitStrategy.objects.get(group=group)
    assert (strategy.members_leaving, strategy.version) == ("Alex's words, after reading Alice's.", 3)


def test_every_saved_version_is_kept_in_the_documents_history(db, group, coordinator):
    strategy = ExitStrategyFactory(group=group)
    for version, text in [(1, "The first version of the plan."), (2, "The second version of the plan.")]:
        form = ExitStrategyForm(_exit_strategy_data(text, version), instance=ExitStrategy.objects.get(pk=strategy.pk))
        assert form.is_valid(), form.errors
        save_plan_document(form=form, expected_version=version, by=coordinator)

    history = list(strategy.history.order_by("history_id").values_list("version", "members_leaving", "updated_by"))
    assert history[-2:] == [
        (2, "The first version of the plan.", coordinator.pk),
        (3, "The second version of the plan.", coordinator.pk),
    ]


def test_a_stale_save_is_refused_by_the_service_itself(db, group, coordinator):
    strategy = ExitStrategyFactory(group=group)
    stale = ExitStrategyForm(
        _exit_strategy_data("The stale version of the plan.", 1), instance=ExitStrategy.objects.get(pk=strategy.pk)
    )
    fresh = ExitStrategyForm(
        _exit_strategy_data("The fresh version of the plan.", 1), instance=ExitStrategy.objects.get(pk=strategy.pk)
    )
    assert stale.is_valid() and fresh.is_valid()

    save_plan_document(form=fresh, expected_version=1, by=coordinator)
    with pytest.raises(ValidationError) as refusal:
        save_plan_document(form=stale, expected_version=1, by=coordinator)

    assert refusal.value.messages == [PLAN_DOCUMENT_CHANGED]
    assert ExitStrategy.objects.get(pk=strategy.pk).members_leaving == "The fresh version of the plan."


def test_only_a_coordinator_may_save_a_plan_document_whoever_calls_the_service(db, group, facilitator):
    strategy = ExitStrategyFactory(group=group)
    form = ExitStrategyForm(_exit_strategy_data("Not theirs", 1), instance=ExitStrategy.objects.get(pk=strategy.pk))
    assert form.is_valid()

    with pytest.raises(PermissionDenied):
        save_plan_document(form=form, expected_version=1, by=facilitator)

    assert ExitStrategy.objects.get(pk=strategy.pk).version == 1
