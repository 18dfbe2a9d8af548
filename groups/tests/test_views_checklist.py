"""The checklist pages: saving a section's answers, and who may change them."""

import pytest
from django.contrib import messages
from django.urls import reverse
from django.utils.html import escape

from groups.checklist import CHECKLIST
from groups.models import ChecklistAnswer
from groups.tests.factories import ChecklistAnswerFactory
from groups.tests.view_helpers import assert_error_beside_field, checklist_data, field_html
from groups.wording import NOT_APPLICABLE_REASON_MESSAGE
from tests.access_matrix import messages_of, sign_in
from tests.error_summary import summary_links

pytestmark = pytest.mark.django_db


def form_for(response, key):
    """The form of one question on a checklist section's page."""
    return next(row.form for row in response.context["rows"] if row.question.item.key == key)


# Checklist -------------------------------------------------------------------------------------


def test_saving_a_checklist_section_records_every_answer_and_who_wrote_it(client, group, coordinator):
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "leadership"})

    response = sign_in(client, coordinator).post(url, checklist_data("leadership"))

    assert response.status_code == 302
    answers = ChecklistAnswer.objects.filter(group=group)
    assert {answer.item_key for answer in answers} == {"facilitator_experience", "sustainability"}
    assert {answer.updated_by for answer in answers} == {coordinator}
    assert messages_of(response) == [(messages.SUCCESS, "Saved: 2 answers changed.")]


def test_a_not_applicable_answer_without_a_reason_saves_nothing_in_the_section(client, group, coordinator):
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "purpose"})
    data = checklist_data(
        "purpose",
        sounded_out__answer="We asked people at the drop-in, and most wanted a group.",
        not_joining__status=ChecklistAnswer.Status.NOT_APPLICABLE,
        not_joining__answer="",
        not_joining__not_applicable_reason="",
    )

    response = sign_in(client, coordinator).post(url, data)

    html = response.content.decode()
    assert response.status_code == 200
    # The other four answers in the same post were valid, but none of them was written.
    assert not ChecklistAnswer.objects.filter(group=group).exists()
    refused = form_for(response, "not_joining")
    assert refused.errors == {"not_applicable_reason": [NOT_APPLICABLE_REASON_MESSAGE]}
    assert_error_beside_field(html, "not_joining-not_applicable_reason", escape(NOT_APPLICABLE_REASON_MESSAGE))
    assert "We asked people at the drop-in, and most wanted a group." in field_html(html, "sounded_out-answer")
    # Said once, at the top of the form, with a link to the answer to put right.
    assert messages_of(response) == []
    prompt = next(item.prompt for item in CHECKLIST if item.key == "not_joining")
    assert summary_links(html) == [
        (
            "#id_not_joining-not_applicable_reason",
            f"{prompt} \N{EN DASH} If not applicable, why not? {NOT_APPLICABLE_REASON_MESSAGE}",
        )
    ]


def test_a_completed_checklist_answer_needs_an_answer(client, group, coordinator):
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "access"})

    response = sign_in(client, coordinator).post(url, checklist_data("access", new_members__answer="  "))

    assert response.status_code == 200
    refused = form_for(response, "new_members")
    assert "answer" in refused.errors
    assert not ChecklistAnswer.objects.filter(group=group).exists()


def test_facilitators_can_read_the_checklist_but_not_change_it(client, group, coordinator, facilitator):
    ChecklistAnswerFactory(group=group, item_key="sounded_out", answer="Members asked for a group.")
    url = reverse("groups:checklist_section", kwargs={"pk": group.pk, "section": "purpose"})

    html = sign_in(client, facilitator).get(url).content.decode()

    assert "Members asked for a group." in html
    assert "Save this section" not in html
