"""Helpers shared by the group pages' tests (groups/tests/test_views*.py)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from groups.checklist import items_in_section
from groups.models import (
    AimStanding,
    ChecklistAnswer,
    ExitStrategy,
    FacilitatorSupportPlan,
    GroupRole,
    Risk,
    RiskAssessment,
    SupportGroup,
)
from tests.access_matrix import messages_of

Role = GroupRole.Role
Status = SupportGroup.Status
MEMBERS = ("coordinator", "facilitator", "supervisor")


def levels_of(response) -> list[int]:
    return [level for level, _ in messages_of(response)]


def field_html(html, field_id) -> str:
    """The markup crispy renders for one field: label, input, error and help text together."""
    start = html.index(f'id="div_id_{field_id}"')
    end = html.find('id="div_id_', start + 1)
    return html[start:end] if end != -1 else html[start:]


def assert_error_beside_field(html, field_id, error):
    field = field_html(html, field_id)
    assert error in field
    assert 'aria-invalid="true"' in field


def group_form_data(**changes) -> dict:
    """Everything the group details form asks for, filled in as a coordinator would."""
    data = {
        "name": "Riverside evening group",
        "purpose": "A safe place to talk about feelings and find better ways of coping.",
        "why_group_work": "Members told us they want to meet others who understand.",
        "audience": SupportGroup.Audience.SELF_HARM_ONLY,
        "minimum_age": "18",
        "maximum_age": "",
        "gender_eligibility": SupportGroup.Gender.ANY,
        "eligibility_notes": "",
        "maximum_size": "10",
        "when_full": SupportGroup.WhenFull.WAITING_LIST,
        "referral_route": SupportGroup.Referral.BOTH,
        "leadership": SupportGroup.Leadership.EXPERT_LED,
        "leadership_support": "",
        "format": SupportGroup.Format.FACE_TO_FACE,
        "online_opening_hours": "",
        "venue": "Riverside community centre, room 2",
        "room_notes": "",
        "meeting_frequency": SupportGroup.Frequency.WEEKLY,
        "meeting_weekday": str(SupportGroup.Weekday.TUESDAY.value),
        "meeting_start": "18:30",
        "meeting_end": "20:00",
        "member_names": SupportGroup.NameRecording.FIRST_NAME,
        "retention_months": "12",
        # The version the page showed, as the hidden field carries it (see save_group_details).
        "opened_version": "1",
    }
    data.update(changes)
    return data


def asked_in(section, minimum_age=18):
    """The questions a section's page asks an adult group (or one with this minimum age): not
    those the plan answers elsewhere."""
    return [item for item in items_in_section(section, minimum_age) if not item.is_answered_elsewhere]


def checklist_data(section, minimum_age=18, **changes) -> dict:
    """Every question a section's page asks answered and completed, on a page opened before any
    was saved; `changes` overrides single fields, named like the form fields
    (`<item key>-<field>`), with `__` standing for the dash."""
    data = {}
    for item in asked_in(section, minimum_age):
        data[f"{item.key}-answer"] = f"Agreed at the planning meeting ({item.key})."
        data[f"{item.key}-status"] = ChecklistAnswer.Status.DONE
        data[f"{item.key}-not_applicable_reason"] = ""
        data[f"{item.key}-opened_version"] = "0"
    data.update({name.replace("__", "-"): value for name, value in changes.items()})
    return data


def risk_formset_data(assessment, review_date=None, **changes) -> dict:
    """The risk assessment page as posted back: every existing risk rated, mitigated and owned,
    and the blank form for a new risk left empty. `changes` are `<index>__<field>` overrides."""
    risks = list(assessment.risks.all())
    review_date = review_date or timezone.localdate() + datetime.timedelta(days=60)
    data = {
        "review_date": review_date.isoformat(),
        # The version the page showed, as the hidden field carries it (see save_plan_document).
        "opened_version": str(assessment.version),
        "risks-TOTAL_FORMS": str(len(risks) + 1),
        "risks-INITIAL_FORMS": str(len(risks)),
        "risks-MIN_NUM_FORMS": "0",
        "risks-MAX_NUM_FORMS": "1000",
    }
    for index, risk in enumerate(risks):
        data.update(
            {
                f"risks-{index}-id": str(risk.pk),
                f"risks-{index}-title": risk.title,
                f"risks-{index}-likelihood": "2",
                f"risks-{index}-impact": "4",
                f"risks-{index}-mitigation": "Facilitators steer talk back to feelings and check in afterwards.",
                f"risks-{index}-owner": "Lead facilitator",
            }
        )
    blank = len(risks)
    data.update(
        {f"risks-{blank}-{field}": "" for field in ("id", "title", "likelihood", "impact", "mitigation", "owner")}
    )
    for name, value in changes.items():
        index, field = name.split("__")
        data[f"risks-{index}-{field}"] = value
    return data


def everything_about(group) -> dict:
    """A snapshot of the group and its plan, to show a refused request changed nothing."""
    return {
        "group": SupportGroup.objects.filter(pk=group.pk).values().get(),
        "roles": list(group.roles.order_by("pk").values_list("user__username", "role")),
        "aims": list(group.aims.values_list("text", "progress_charting")),
        "rules": list(group.rules.values_list("text", "how_shared", "how_upheld")),
        "answers": list(group.checklist_answers.values_list("item_key", "status", "answer", "not_applicable_reason")),
        "assessment": list(RiskAssessment.objects.filter(group=group).values_list("review_date")),
        "risks": list(
            Risk.objects.filter(assessment__group=group)
            .order_by("pk")
            .values_list("title", "likelihood", "impact", "mitigation", "owner")
        ),
        "exit_strategy": list(ExitStrategy.objects.filter(group=group).values(*ExitStrategy.PARTS)),
        "aims_reviews": list(AimStanding.objects.filter(review__group=group).values_list("scale", "words")),
        "support_plan": list(FacilitatorSupportPlan.objects.filter(group=group).values(*FacilitatorSupportPlan.PARTS)),
    }


def change_status(client, group, action):
    return client.post(reverse("groups:change_status", kwargs={"pk": group.pk, "action": action}))
