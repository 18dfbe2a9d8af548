"""The rows for the services that change a group and its plan."""

import datetime

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.checklist import CHECKLIST
from groups.closing import close_group
from groups.forms import ChecklistAnswerForm, ExitStrategyForm
from groups.models import (
    Aim,
    AimReview,
    AimStanding,
    ChecklistAnswer,
    ExitStrategy,
    GroupRole,
    InvalidStatusTransition,
    RiskAssessment,
    Rule,
    SupportGroup,
)
from groups.planning import LaunchBlocked, launch_group
from groups.services import (
    add_suggested_aim,
    add_team_role,
    choose_supervisor,
    create_group,
    pause_group,
    record_aims_review,
    remove_aim,
    remove_rule,
    remove_team_role,
    save_aim,
    save_checklist_section,
    save_group_details,
    save_plan_document,
    save_rule,
    start_risk_assessment,
)
from groups.suggestions import SUGGESTED_AIMS
from groups.tests.factories import (
    AimFactory,
    ExitStrategyFactory,
    GroupRoleFactory,
    RuleFactory,
    SupportGroupFactory,
    complete_plan,
)
from invitations.models import Invitation
from invitations.services import invite_to_team, resend_invitation, withdraw_invitation
from tests.service_rules.rows import TODAY, Role, Service, _closed, newest


def _may_create_groups(scene):
    scene.people["coordinator"].user_permissions.add(Permission.objects.get(codename="add_supportgroup"))
    scene.details = {
        "name": "Hillside group",
        "purpose": "Support for adults who self-harm.",
        "why_group_work": "Members asked for it.",
    }


def _create_group(scene, by):
    return create_group(group=SupportGroup(**scene.details), by=by)


def _invalid_details(scene):
    scene.details["meeting_end"] = datetime.time(9, 0)  # before it starts


def _rename(scene, by):
    group = SupportGroup.objects.get(pk=scene.group.pk)
    group.name = "Riverside Tuesday group"
    save_group_details(group=group, expected_version=group.version, by=by)


def _aim_and_rule(scene):
    scene.aim = AimFactory(group=scene.group)
    scene.rule = RuleFactory(group=scene.group)


def _save_answer(scene, by):
    item = next(item for item in CHECKLIST if not item.is_answered_elsewhere)
    form = ChecklistAnswerForm(
        {
            f"{item.key}-answer": "Members asked for it.",
            f"{item.key}-status": "done",
            f"{item.key}-opened_version": "0",
        },
        item=item,
        instance=ChecklistAnswer(group=scene.group, item_key=item.key),
    )
    assert form.is_valid(), form.errors
    save_checklist_section(group=scene.group, forms=[form], by=by)


def _save_exit_strategy(scene, by):
    form = ExitStrategyForm(
        {**{part: "Agreed with the team." for part in ExitStrategy.PARTS}, "opened_version": "0"},
        instance=ExitStrategy(group=scene.group),
    )
    assert form.is_valid(), form.errors
    save_plan_document(form=form, expected_version=0, by=by)


def _newcomer(scene):
    scene.newcomer = UserFactory(username="erin")
    scene.removable = GroupRoleFactory(group=scene.group, user=scene.newcomer, role=Role.CO_FACILITATOR)


def _may_supervise(scene):
    scene.newcomer = UserFactory(username="vera")
    scene.newcomer.user_permissions.add(Permission.objects.get(codename="supervise_groups"))


def _only_coordinator_removed(scene):
    scene.removable = scene.group.roles.get(role=Role.COORDINATOR)


def _plan_ready(scene):
    scene.planned = SupportGroupFactory(name="Ready group")
    GroupRoleFactory(group=scene.planned, user=scene.people["coordinator"], role=Role.COORDINATOR)
    complete_plan(scene.planned, facilitator=scene.people["facilitator"], supervisor=scene.people["supervisor"])


def _invited(scene):
    scene.invitation = Invitation.objects.create(
        group=scene.group,
        role=Role.CO_FACILITATOR,
        name="Erin New",
        email="erin@example.org",
        invited_by=scene.people["coordinator"],
        sent_at=timezone.now(),
        expires_at=timezone.now() + Invitation.LIFETIME,
    )


def _invite(scene, by):
    invite_to_team(group=scene.group, name="Erin New", email="erin@example.org", role=Role.CO_FACILITATOR, by=by)


GROUP_SERVICES = [
    Service(
        "create_group",
        "coordinator",
        "facilitator",
        _create_group,
        prepare=_may_create_groups,
        wrong_state=_invalid_details,
        history=lambda scene: newest(SupportGroup, name="Hillside group"),
        reason="Group created",
    ),
    Service(
        "save_group_details",
        "coordinator",
        "facilitator",
        _rename,
        wrong_state=_closed,
        refusal=PermissionDenied,  # a closed group's plan is nobody's to change
        history=lambda scene: newest(SupportGroup, id=scene.group.pk),
        reason="Details saved",
    ),
    Service(
        "save_aim",
        "coordinator",
        "facilitator",
        lambda scene, by: save_aim(aim=Aim(group=scene.group, text="Members feel less alone."), by=by),
        wrong_state=_closed,
        refusal=PermissionDenied,
        history=lambda scene: newest(Aim, group_id=scene.group.pk),
        reason="Aim added",
    ),
    Service(
        "add_suggested_aim",
        "coordinator",
        "facilitator",
        lambda scene, by: add_suggested_aim(group=scene.group, text=SUGGESTED_AIMS[0], by=by),
        wrong_state=_closed,
        refusal=PermissionDenied,
        history=lambda scene: newest(Aim, group_id=scene.group.pk),
        reason="Suggested aim added",
    ),
    Service(
        "remove_aim",
        "coordinator",
        "facilitator",
        lambda scene, by: remove_aim(aim=scene.aim, by=by),
        prepare=_aim_and_rule,
        wrong_state=lambda scene: Aim.objects.filter(pk=scene.aim.pk).delete(),
        history=lambda scene: newest(Aim, id=scene.aim.pk),
        reason="Aim removed",
    ),
    Service(
        "save_rule",
        "coordinator",
        "facilitator",
        lambda scene, by: save_rule(rule=Rule(group=scene.group, text="Phones on silent."), by=by),
        wrong_state=_closed,
        refusal=PermissionDenied,
        history=lambda scene: newest(Rule, group_id=scene.group.pk),
        reason="Rule added",
    ),
    Service(
        "remove_rule",
        "coordinator",
        "facilitator",
        lambda scene, by: remove_rule(rule=scene.rule, by=by),
        prepare=_aim_and_rule,
        wrong_state=lambda scene: Rule.objects.filter(pk=scene.rule.pk).delete(),
        history=lambda scene: newest(Rule, id=scene.rule.pk),
        reason="Rule removed",
    ),
    Service(
        "save_checklist_section",
        "coordinator",
        "facilitator",
        _save_answer,
        wrong_state=_closed,
        refusal=PermissionDenied,
        history=lambda scene: newest(ChecklistAnswer, group_id=scene.group.pk),
        reason="Checklist answer saved",
    ),
    Service(
        "start_risk_assessment",
        "coordinator",
        "facilitator",
        lambda scene, by: start_risk_assessment(group=scene.group, by=by),
        wrong_state=_closed,
        refusal=PermissionDenied,
        history=lambda scene: newest(RiskAssessment, group_id=scene.group.pk),
        reason="Risk assessment started",
    ),
    Service(
        "save_plan_document",
        "coordinator",
        "facilitator",
        _save_exit_strategy,
        # Someone else saved the first version since the page was opened.
        wrong_state=lambda scene: ExitStrategyFactory(group=scene.group),
        history=lambda scene: newest(ExitStrategy, group_id=scene.group.pk),
        reason="Exit strategy saved",
    ),
    Service(
        "add_team_role",
        "coordinator",
        "facilitator",
        lambda scene, by: add_team_role(group=scene.group, user=scene.newcomer, role=Role.CO_FACILITATOR, by=by),
        prepare=lambda scene: setattr(scene, "newcomer", UserFactory(username="erin")),
        # Nobody holds the same role twice.
        wrong_state=lambda scene: GroupRoleFactory(group=scene.group, user=scene.newcomer, role=Role.CO_FACILITATOR),
        history=lambda scene: newest(GroupRole, user_id=scene.newcomer.pk),
        reason="Added to the team",
    ),
    Service(
        "choose_supervisor",
        "coordinator",
        "facilitator",
        lambda scene, by: choose_supervisor(group=scene.group, user=scene.newcomer, by=by),
        prepare=_may_supervise,
        # Nobody coordinates and supervises one group.
        wrong_state=lambda scene: GroupRoleFactory(group=scene.group, user=scene.newcomer, role=Role.COORDINATOR),
        history=lambda scene: newest(GroupRole, user_id=scene.newcomer.pk),
        reason="Supervisor changed: chosen",
    ),
    Service(
        "remove_team_role",
        "coordinator",
        "facilitator",
        lambda scene, by: remove_team_role(role=scene.removable, by=by),
        prepare=_newcomer,
        wrong_state=_only_coordinator_removed,
        history=lambda scene: newest(GroupRole, id=scene.removable.pk),
        reason="Removed from the team",
    ),
    Service(
        "invite_to_team",
        "coordinator",
        "facilitator",
        _invite,
        # Someone already has an account with the address: they are chosen by name instead.
        wrong_state=lambda scene: UserFactory(username="erin", email="erin@example.org"),
        history=lambda scene: newest(Invitation, group_id=scene.group.pk),
        reason="Invited to join the team",
    ),
    Service(
        "resend_invitation",
        "coordinator",
        "facilitator",
        lambda scene, by: resend_invitation(invitation=scene.invitation, by=by),
        prepare=_invited,
        wrong_state=lambda scene: Invitation.objects.filter(pk=scene.invitation.pk).update(withdrawn_at=timezone.now()),
        history=lambda scene: newest(Invitation, id=scene.invitation.pk),
        reason="Invitation sent again",
    ),
    Service(
        "withdraw_invitation",
        "coordinator",
        "facilitator",
        lambda scene, by: withdraw_invitation(invitation=scene.invitation, by=by),
        prepare=_invited,
        wrong_state=lambda scene: Invitation.objects.filter(pk=scene.invitation.pk).update(accepted_at=timezone.now()),
        history=lambda scene: newest(Invitation, id=scene.invitation.pk),
        reason="Invitation withdrawn",
    ),
    Service(
        "launch_group",
        "coordinator",
        "facilitator",
        lambda scene, by: launch_group(group=scene.planned, by=by),
        prepare=_plan_ready,
        wrong_state=lambda scene: Rule.objects.filter(group=scene.planned).delete(),
        refusal=LaunchBlocked,
        history=lambda scene: newest(SupportGroup, id=scene.planned.pk),
        reason="Launched",
    ),
    Service(
        "close_group",
        "coordinator",
        "facilitator",
        lambda scene, by: close_group(
            group=scene.group, typed_name=scene.group.name, aftercare="A check-in call a month later.", by=by
        ),
        wrong_state=_closed,
        history=lambda scene: newest(SupportGroup, id=scene.group.pk),
        reason="Closed",
    ),
    Service(
        "record_aims_review",
        "facilitator",
        "supervisor",
        lambda scene, by: record_aims_review(
            review=AimReview(group=scene.group, reviewed_on=TODAY()),
            standings=[AimStanding(aim=scene.aim, scale=3, words="Members ask for help sooner.")],
            by=by,
        ),
        prepare=_aim_and_rule,
        wrong_state=_closed,
        history=lambda scene: newest(AimReview, group_id=scene.group.pk),
        reason="Aims reviewed",
    ),
    Service(
        "change_group_status",
        "coordinator",
        "facilitator",
        lambda scene, by: pause_group(group=scene.group, by=by),
        wrong_state=_closed,
        refusal=InvalidStatusTransition,
        history=lambda scene: newest(SupportGroup, id=scene.group.pk),
        reason="Paused",
    ),
]
