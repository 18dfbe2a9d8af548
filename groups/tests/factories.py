import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.checklist import CHECKLIST
from groups.models import (
    Aim,
    ChecklistAnswer,
    ExitStrategy,
    FacilitatorSupportPlan,
    GroupRole,
    Risk,
    RiskAssessment,
    Rule,
    SupportGroup,
)
from groups.suggestions import RISK_SEEDS


class SupportGroupFactory(factory.django.DjangoModelFactory):
    """A group in planning with nothing but its details. `ready_to_launch=True` completes the plan."""

    class Meta:
        model = SupportGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Tuesday evening group {n}")
    purpose = "A safe place to talk about feelings and find better ways of coping."
    why_group_work = "Members told us they want to meet others who understand, and to support each other."
    leadership_support = "Members choose the topics for each term and take turns to open the session."
    venue = "Riverside Community Centre, Room 2"
    room_notes = "Chairs in a circle, tea and biscuits, and a quiet room next door."

    class Params:
        ready_to_launch = factory.Trait(
            complete_plan=factory.PostGeneration(lambda group, create, extracted, **kwargs: complete_plan(group))
        )
        active = factory.Trait(
            status=SupportGroup.Status.ACTIVE,
            launched_at=factory.LazyFunction(timezone.now),
            complete_plan=factory.PostGeneration(lambda group, create, extracted, **kwargs: complete_plan(group)),
        )


class GroupRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupRole

    group = factory.SubFactory(SupportGroupFactory)
    user = factory.SubFactory(UserFactory)
    role = GroupRole.Role.COORDINATOR


class AimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Aim

    group = factory.SubFactory(SupportGroupFactory)
    text = "Members feel more able to ask for help when they need it."


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rule

    group = factory.SubFactory(SupportGroupFactory)
    text = "What is said in the group stays in the group."
    how_shared = "Read out at the start of every session."
    how_upheld = "A facilitator reminds the group gently and talks to the person afterwards."


class ChecklistAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistAnswer

    group = factory.SubFactory(SupportGroupFactory)
    item_key = CHECKLIST[0].key
    answer = "Agreed at the planning meeting."
    status = ChecklistAnswer.Status.DONE


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    group = factory.SubFactory(SupportGroupFactory)
    review_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))


class RiskFactory(factory.django.DjangoModelFactory):
    """An assessed risk: rated, mitigated and owned."""

    class Meta:
        model = Risk

    assessment = factory.SubFactory(RiskAssessmentFactory)
    source = "LS-Q12"
    title = "A member becomes very distressed during a session"
    likelihood = 3
    impact = 4
    mitigation = "A quiet room next door; the co-facilitator stays with them until they feel ready."
    owner = "Lead facilitator"


class ExitStrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExitStrategy

    group = factory.SubFactory(SupportGroupFactory)
    members_leaving = "A planned last session and a check-in call a month later."
    group_ending = "Members are told three months ahead and referred on individually."
    when_group_cannot_run = "A text to members and a drop-in phone line during the holidays."


class FacilitatorSupportPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FacilitatorSupportPlan

    group = factory.SubFactory(SupportGroupFactory)
    supervision_frequency = FacilitatorSupportPlan.Frequency.FORTNIGHTLY
    debrief_arrangements = "Fifteen minutes together straight after each session, then a written debrief."
    cofacilitation_and_cover = "Two facilitators at every session; the coordinator covers absences."
    facilitator_wellbeing = "Monthly reflective practice and access to the staff counselling service."


def complete_plan(group, *, facilitator=None, supervisor=None):
    """Everything the launch gate asks for: the team, an aim, a rule, every checklist answer and
    the three documents complete, the risk assessment with every starting risk assessed. The lead
    facilitator and supervisor are these people, or new ones where the group has nobody in that
    role yet."""
    for role, person in ((GroupRole.Role.LEAD_FACILITATOR, facilitator), (GroupRole.Role.SUPERVISOR, supervisor)):
        if person or not group.roles.filter(role=role).exists():
            GroupRoleFactory(group=group, user=person or UserFactory(), role=role)
    AimFactory(group=group)
    RuleFactory(group=group)
    ChecklistAnswer.objects.bulk_create(
        ChecklistAnswer(
            group=group, item_key=item.key, answer="Agreed at the planning meeting.", status=ChecklistAnswer.Status.DONE
        )
        for item in CHECKLIST
    )
    full_risk_assessment(group)
    ExitStrategyFactory(group=group)
    FacilitatorSupportPlanFactory(group=group)
    return group


def full_risk_assessment(group=None, **fields) -> RiskAssessment:
    """A complete risk assessment: every starting risk (suggestions.RISK_SEEDS) rated, mitigated
    and owned, and the review date ahead."""
    assessment = RiskAssessmentFactory(**({"group": group} if group else {}), **fields)
    for seed in RISK_SEEDS:
        RiskFactory(assessment=assessment, source=seed.source, title=seed.title)
    return assessment


def mark_launched(group, *, days_ago=0):
    """Turn a group into a running one as if it had launched just now (or `days_ago`), skipping
    the launch gate (tests of what happens after launch do not need a complete plan)."""
    group.status = SupportGroup.Status.ACTIVE
    group.launched_at = timezone.now() - datetime.timedelta(days=days_ago)
    group.save(update_fields=["status", "launched_at"])
    return group
