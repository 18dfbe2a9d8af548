"""The risk assessment, exit strategy and facilitator support plan pages."""

import pytest
from django.contrib import messages
from django.urls import reverse

from groups.models import ExitStrategy
from groups.services import start_risk_assessment
from groups.suggestions import RISK_SEEDS
from groups.tests.view_helpers import assert_error_beside_field, everything_about, field_html, risk_formset_data
from tests.access_matrix import messages_of, sign_in
from tests.error_summary import summary_links

pytestmark = pytest.mark.django_db


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
