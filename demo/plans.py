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
from groups.checklist import items_for
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
# How the demo groups answer each risk the assessment starts with, by its title.
MITIGATIONS = {
    "Members feel they must keep hurting themselves to stay in the group or be noticed": (
        "Facilitators notice and welcome every member's news, good weeks included, so nobody needs a crisis "
        "to be heard."
    ),
    "Conversation centres on self-harm itself rather than the reasons behind it": (
        "The ground rules keep talk on feelings; facilitators steer back gently when talk turns to methods."
    ),
    "There is no clear way to move people on or to close the group": (
        "The exit strategy sets out how members move on and how the group would close; we review it yearly."
    ),
    "Self-harm increases because wounds come to be seen as proof of pain or a way to get attention": (
        "Wounds and scars are not shown or described in the group; every member's feelings count the same."
    ),
    "Self-harm turns into a competition between members": (
        "Facilitators stop comparisons kindly and bring the talk back to what each person is feeling."
    ),
    "Two members come to depend on each other in a way built on continuing self-harm": (
        "Facilitators look out for close pairs and talk with each person separately when they are worried."
    ),
    "Two members come to depend on each other's recovery, which may break if one relapses": (
        "Each member has their own support outside the group, checked when they join and reviewed each term."
    ),
    "People who need support stay away because joining would mean being seen": (
        "The drop-in service offers one-to-one support for people who do not want to join a group."
    ),
    "Members come to feel that nobody outside the group can understand them": (
        "Sessions talk about friends, family and services who help too, and members are encouraged to use them."
    ),
    "Being known as part of the group makes members a target for bullying": (
        "The group meets under a neutral name, and the venue's staff know only that it is a wellbeing group."
    ),
    "Members facing other difficulties, such as abuse or depression, are not supported": (
        "Facilitators keep an up-to-date list of local services and help members contact them."
    ),
    "A member becomes very distressed during a session": (
        "A quiet room next door; the co-facilitator stays with them until they feel ready."
    ),
    "A member talks about wanting to end their life": (
        "A facilitator talks with them privately after the session and follows the organisation's policy."
    ),
    "A member is injured on the premises and needs first aid or urgent care": (
        "The lead facilitator is first-aid trained, the kit is in the room, and the venue has a phone."
    ),
    "A member is in crisis between sessions": (
        "Members are given the crisis line and out-of-hours numbers on a card when they join."
    ),
    "A member discloses abuse, to the group or to a facilitator": (
        "Facilitators follow the safeguarding policy and tell the safeguarding lead the same day."
    ),
    "A member dies by suicide, and the group and facilitators need support afterwards": (
        "The organisation's postvention plan applies: members are offered extra sessions and staff support."
    ),
    "A facilitator cannot carry on partway through a session": (
        "Two facilitators run every session, and the coordinator is on call to come in or close it calmly."
    ),
}
# What the demo groups write on the checklist, question by question: each a real answer, as the
# checklist's own pages require. Questions the plan answers elsewhere are not asked.
ANSWERS = {
    "sounded_out": "We asked people at the drop-in and through two referrers; most wanted to meet others.",
    "group_balance": "We will keep numbers small and welcome people one or two at a time, so no clique forms.",
    "not_joining": "The drop-in's one-to-one support stays open to anyone who would rather not join.",
    "outside_world": "Sessions talk about friends, family and other services, and the group has a neutral name.",
    "other_difficulties": "Facilitators signpost to local counselling, domestic abuse and mental health services.",
    "facilitator_experience": "Two trained support workers with several years of group work between them.",
    "sustainability": "Funded by the trust for three years; referrers publicise it, and the co-lead can take over.",
    "new_members": "A facilitator meets each new member before their first session, and the group is told.",
    "confidentiality_restated": "The confidentiality rule is read out whenever someone new joins.",
    "no_harm_contract": (
        "No. Members are not asked to promise anything about self-harm; if someone hurts themselves, "
        "facilitators respond with care and talk about what support they need."
    ),
    "competition": "Facilitators treat every member's feelings as equally valid and gently stop comparisons.",
    "contact_between_sessions": "Members may text each other if they both agree; the group sets no rota.",
    "open_discussion": "A round at the start gives everyone a turn, and facilitators invite quieter members in.",
    "arguments_between_members": "A facilitator pauses the talk, and speaks with each person after the session.",
    "feelings_focus": "Facilitators steer talk back to feelings and reasons when it turns to self-harm itself.",
    "triggers": "Members hold up a card to pause the talk, and facilitators check how people are feeling.",
    "not_ready": "Facilitators keep them included and check in with them one to one after the session.",
    "distress": "They can go to the quiet room next door, and the co-facilitator stays with them there.",
    "crisis_and_first_aid": (
        "The lead facilitator gives first aid; the venue phones 999 for urgent care; members get the crisis "
        "line card when they join."
    ),
    "suicidal_intent": "A facilitator talks with them after the session and follows the organisation's policy.",
    "confidentiality_limits": (
        "What is said stays in the room unless someone's safety is at risk; then we tell the safeguarding lead."
    ),
    "safeguarding_policy": "The organisation's adult safeguarding policy applies; the service manager is the lead.",
    "extra_support": "Members are given the crisis line, and facilitators help them contact their GP or team.",
    "close_pairs": "Facilitators notice pairs who lean on each other and check in with each person separately.",
    "missed_sessions": "A friendly text after one missed session, a call after two, the referrer after three.",
    "success": "Members say each term what has helped, and lessons are logged after every session.",
    "complaints": (
        "Members can complain to a facilitator or, in writing, to the service manager, who replies within a week."
    ),
    "framework": "Peer support, with facilitators keeping the group safe.",
    "reference_materials": "LifeSIGNS' guidance and the organisation's own group-work handbook.",
}


def new_group(*, coordinator, **fields) -> SupportGroup:
    """A group in planning, created by `coordinator` (who becomes its coordinator)."""
    form = valid(SupportGroupForm(data_for(SupportGroup(**fields), SupportGroupForm, opened_version=0)))
    return create_group(group=form.instance, by=coordinator)


def add_to_team(group, *, user, role, by) -> GroupRole:
    form = valid(TeamMemberForm({"person": user.username, "role": role}))
    return add_team_role(group=group, user=form.cleaned_data["account"], role=form.cleaned_data["role"], by=by)


def add_aim(group, *, text, by):
    form = valid(AimForm({"text": text, "progress_charting": Aim.Charting.BOTH}, instance=Aim(group=group)))
    return save_aim(aim=form.instance, by=by)


def add_rule(group, *, text, by):
    data = {"text": text, "how_shared": RULE_SHARED, "how_upheld": RULE_UPHELD}
    form = valid(RuleForm(data, instance=Rule(group=group)))
    return save_rule(rule=form.instance, by=by)


def answer_checklist(group, answers: dict, *, by) -> None:
    """Answer checklist questions, one section's page at a time, as that page would: only the
    questions it asks (the group's own, not answered elsewhere in the plan). `answers` maps an
    item's key to (answer, status)."""
    asked = [item for item in items_for(group) if item.key in answers and not item.is_answered_elsewhere]
    for section in dict.fromkeys(item.section for item in asked):
        forms = []
        for item in (item for item in asked if item.section == section):
            answer, status = answers[item.key]
            data = {
                f"{item.key}-answer": answer,
                f"{item.key}-status": status,
                f"{item.key}-not_applicable_reason": "",
                f"{item.key}-opened_version": 0,
            }
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
            f"{prefix}-{number}-mitigation": MITIGATIONS[risk.title],
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
    every checklist question answered with a real answer, and the three documents complete."""
    add_to_team(group, user=facilitator, role=GroupRole.Role.LEAD_FACILITATOR, by=coordinator)
    add_to_team(group, user=supervisor, role=GroupRole.Role.SUPERVISOR, by=coordinator)
    add_aim(group, text=ASKING_FOR_HELP, by=coordinator)
    add_rule(group, text="What is said in the group stays in the group.", by=coordinator)
    answer_checklist(
        group, {key: (answer, ChecklistAnswer.Status.DONE) for key, answer in ANSWERS.items()}, by=coordinator
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
# What every demo group's details say, where the checklist takes its answers from them.
DETAILS = {
    "why_group_work": WHY_GROUP_WORK,
    "leadership_support": "Members choose the topics for each term and take turns to open the session.",
    "venue": "Riverside Community Centre, Room 2",
    "room_notes": "Chairs in a circle, tea and biscuits, and a quiet room next door.",
}


def _new_group(name, *, coordinator, **fields) -> SupportGroup | None:
    """A new group in planning, or None when an earlier run of the demo made it already."""
    if SupportGroup.objects.filter(name=name).exists():
        return None
    return new_group(coordinator=coordinator, name=name, **(DETAILS | fields))


def half_planned_group(*, coordinator) -> None:
    """A group part-way through planning: an aim, twelve of the checklist's own questions answered
    and one drafted, and the risk assessment started."""
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
    asked = [item for item in items_for(group) if not item.is_answered_elsewhere and item.key in ANSWERS]
    answers = {item.key: (ANSWERS[item.key], ChecklistAnswer.Status.DONE) for item in asked[:12]}
    answers[asked[12].key] = ("Draft: still to agree with the venue.", ChecklistAnswer.Status.IN_PROGRESS)
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
    seed_session_history(
        group, coordinator=coordinator, facilitator=facilitator, cofacilitator=cofacilitator, supervisor=supervisor
    )
    seed_after_launch(group, coordinator=coordinator, facilitator=facilitator)
