"""The three demo groups (half planned, ready to launch, running), planned as a coordinator plans
them: each change is the page's own form, checked as the page checks it, then saved by the
service the page calls (create_group, add_team_role, save_aim, save_rule, save_checklist_section,
start_risk_assessment, save_plan_document, launch_group).

A form the demo fills in wrongly stops the command with the form's errors: the demo never saves
what a person could not.
"""

import datetime

from django.utils import timezone

from audit.changes import save_change
from groups.checklist import CHECKLIST, items_in_section
from groups.forms import (
    AimForm,
    ChecklistAnswerForm,
    ExitStrategyForm,
    FacilitatorSupportPlanForm,
    RiskAssessmentForm,
    RiskFormSet,
    RuleForm,
    SupportGroupForm,
    TeamMemberForm,
)
from groups.models import Aim, ChecklistAnswer, ExitStrategy, FacilitatorSupportPlan, GroupRole, Rule, SupportGroup
from groups.planning import launch_group
from groups.services import (
    add_team_role,
    create_group,
    save_aim,
    save_checklist_section,
    save_plan_document,
    save_rule,
    start_risk_assessment,
)

from .after_launch import seed_after_launch
from .sessions import seed_session_history
from .submit import data_for, valid

RULE_SHARED = "Read out at the start of every session."
RULE_UPHELD = "A facilitator reminds the group gently and talks to the person afterwards."
ASKING_FOR_HELP = "Members feel more able to ask for help when they need it."
# One mitigation for every risk the assessment starts with, but the one a facilitator meets most.
MITIGATION = "Agreed with the team: how we prevent it, and what we do if it happens."
MITIGATIONS = {"LS-Q12": "A quiet room next door; the co-facilitator stays with them until they feel ready."}


def new_group(*, coordinator, **fields) -> SupportGroup:
    """A group in planning, created by `coordinator` (who becomes its coordinator)."""
    form = valid(SupportGroupForm(data_for(SupportGroup(**fields), SupportGroupForm)))
    return create_group(group=form.instance, by=coordinator)


def add_to_team(group, *, user, role, by) -> GroupRole:
    form = valid(TeamMemberForm({"person": user.username, "role": role}))
    return add_team_role(group=group, user=form.cleaned_data["person"], role=form.cleaned_data["role"], by=by)


def add_aim(group, *, text, by):
    form = valid(AimForm({"text": text, "progress_charting": Aim.Charting.BOTH}, instance=Aim(group=group)))
    return save_aim(aim=form.instance, by=by)


def add_rule(group, *, text, by):
    data = {"text": text, "how_shared": RULE_SHARED, "how_upheld": RULE_UPHELD}
    form = valid(RuleForm(data, instance=Rule(group=group)))
    return save_rule(rule=form.instance, by=by)


def answer_checklist(group, answers: dict, *, by) -> None:
    """Answer checklist questions, one section's page at a time. `answers` maps an item's key to
    (answer, status)."""
    sections = dict.fromkeys(item.section for item in CHECKLIST if item.key in answers)
    for section in sections:
        forms = []
        for item in items_in_section(section):
            if item.key not in answers:
                continue
            answer, status = answers[item.key]
            data = {f"{item.key}-answer": answer, f"{item.key}-status": status, f"{item.key}-not_applicable_reason": ""}
            forms.append(
                valid(ChecklistAnswerForm(data, item=item, instance=ChecklistAnswer(group=group, item_key=item.key)))
            )
        save_checklist_section(group=group, forms=forms, by=by)


def assess_risks(group, *, review_date, by) -> None:
    """Start the risk assessment with the risks the guidance names, then rate, mitigate and own
    each of them and set the review date, in one save of the assessment's page."""
    assessment = start_risk_assessment(group=group, by=by)
    risks = list(assessment.risks.all())
    prefix = "risks"
    data = {
        f"{prefix}-TOTAL_FORMS": len(risks),
        f"{prefix}-INITIAL_FORMS": len(risks),
        "review_date": review_date,
        "opened_version": assessment.version,
    }
    for number, risk in enumerate(risks):
        data |= {
            f"{prefix}-{number}-id": risk.pk,
            f"{prefix}-{number}-title": risk.title,
            f"{prefix}-{number}-likelihood": 1 + number % 3,
            f"{prefix}-{number}-impact": 2 + number % 3,
            f"{prefix}-{number}-mitigation": MITIGATIONS.get(risk.source, MITIGATION),
            f"{prefix}-{number}-owner": "Lead facilitator",
        }
    form = valid(RiskAssessmentForm(data, instance=assessment))
    formset = valid(RiskFormSet(data, instance=assessment, prefix=prefix))
    save_plan_document(form=form, formset=formset, expected_version=form.cleaned_data["opened_version"], by=by)


def write_plan_document(document, form_class, *, by) -> None:
    """Write a new exit strategy or facilitator-support plan."""
    form = valid(form_class(data_for(document, form_class, opened_version=0), instance=document))
    save_plan_document(form=form, expected_version=form.cleaned_data["opened_version"], by=by)


def complete_plan(group, *, coordinator, facilitator, supervisor) -> None:
    """Everything the launch gate asks for: a lead facilitator and a supervisor, an aim, a rule,
    every checklist question answered, and the three documents complete."""
    add_to_team(group, user=facilitator, role=GroupRole.Role.LEAD_FACILITATOR, by=coordinator)
    add_to_team(group, user=supervisor, role=GroupRole.Role.SUPERVISOR, by=coordinator)
    add_aim(group, text=ASKING_FOR_HELP, by=coordinator)
    add_rule(group, text="What is said in the group stays in the group.", by=coordinator)
    answer_checklist(
        group,
        {item.key: ("Agreed at the planning meeting.", ChecklistAnswer.Status.DONE) for item in CHECKLIST},
        by=coordinator,
    )
    assess_risks(group, review_date=timezone.localdate() + datetime.timedelta(days=90), by=coordinator)
    write_plan_document(
        ExitStrategy(
            group=group,
            members_leaving="A planned last session and a check-in call a month later.",
            group_ending="Members are told three months ahead and referred on individually.",
            when_group_cannot_run="A text to members and a drop-in phone line during the holidays.",
        ),
        ExitStrategyForm,
        by=coordinator,
    )
    write_plan_document(
        FacilitatorSupportPlan(
            group=group,
            supervision_frequency=FacilitatorSupportPlan.Frequency.FORTNIGHTLY,
            debrief_arrangements="Fifteen minutes together straight after each session, then a written debrief.",
            cofacilitation_and_cover="Two facilitators at every session; the coordinator covers absences.",
            facilitator_wellbeing="Monthly reflective practice and access to the staff counselling service.",
        ),
        FacilitatorSupportPlanForm,
        by=coordinator,
    )


# The three demo groups ----------------------------------------------------------------------------

WHY_GROUP_WORK = "Members told us they want to meet others who understand, and to support each other."


def _new_group(name, *, coordinator, **fields) -> SupportGroup | None:
    """A new group in planning, or None when an earlier run of the demo made it already."""
    if SupportGroup.objects.filter(name=name).exists():
        return None
    return new_group(coordinator=coordinator, name=name, why_group_work=WHY_GROUP_WORK, **fields)


def half_planned_group(*, coordinator) -> None:
    """A group part-way through planning: an aim, twelve questions answered and one drafted, and
    the risk assessment started."""
    group = _new_group(
        "Young adults' evening group (demo)",
        coordinator=coordinator,
        purpose="A fortnightly group for 18 to 25 year olds to share coping strategies.",
        minimum_age=18,
        maximum_age=25,
        meeting_frequency=SupportGroup.Frequency.FORTNIGHTLY,
    )
    if group is None:
        return
    add_aim(group, text=ASKING_FOR_HELP, by=coordinator)
    answers = {
        item.key: ("Discussed at the first planning meeting.", ChecklistAnswer.Status.DONE) for item in CHECKLIST[:12]
    }
    answers[CHECKLIST[12].key] = ("Draft: still to agree with the venue.", ChecklistAnswer.Status.IN_PROGRESS)
    answer_checklist(group, answers, by=coordinator)
    start_risk_assessment(group=group, by=coordinator)


def ready_group(*, coordinator, facilitator, supervisor) -> None:
    """A group whose plan is complete, ready to launch."""
    group = _new_group(
        "Thursday women's group (demo)",
        coordinator=coordinator,
        purpose="A weekly peer group for women aged 18 and over.",
        gender_eligibility=SupportGroup.Gender.WOMEN,
        meeting_weekday=SupportGroup.Weekday.THURSDAY,
    )
    if group is not None:
        complete_plan(group, coordinator=coordinator, facilitator=facilitator, supervisor=supervisor)


def active_group(*, coordinator, facilitator, cofacilitator, supervisor) -> None:
    """A group launched two months ago, with six weeks of sessions behind it (demo/sessions.py)."""
    group = _new_group(
        "Riverside peer support group (demo)",
        coordinator=coordinator,
        purpose="A weekly evening group where adults share what helps them cope.",
        venue="Riverside Community Centre, Room 2",
    )
    if group is None:
        return
    complete_plan(group, coordinator=coordinator, facilitator=facilitator, supervisor=supervisor)
    add_to_team(group, user=cofacilitator, role=GroupRole.Role.CO_FACILITATOR, by=coordinator)
    add_rule(group, text="Talk about feelings, not about how anyone hurts themselves.", by=coordinator)
    launch_group(group=group, by=coordinator)
    # Pretend it launched two months ago, so it has a history of sessions to show.
    group.launched_at = timezone.now() - datetime.timedelta(weeks=8)
    save_change(group, by=None, reason="Demo data: launched eight weeks ago", update_fields=["launched_at"])
    seed_session_history(group, facilitator=facilitator, cofacilitator=cofacilitator, supervisor=supervisor)
    seed_after_launch(group, coordinator=coordinator, facilitator=facilitator)
