"""Adding, editing and removing the group's aims and rules."""

import pytest
from django.contrib import messages
from django.urls import reverse
from django.utils.html import escape

from groups.models import Aim
from groups.suggestions import SUGGESTED_AIMS
from groups.tests.factories import RuleFactory
from groups.tests.view_helpers import assert_error_beside_field, field_html, levels_of
from tests.access_matrix import messages_of, sign_in

pytestmark = pytest.mark.django_db

NO_HARM_CONTRACT = "Members must promise not to self-harm"
ORDINARY_RULE = "What is said in the group stays in the group."


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
