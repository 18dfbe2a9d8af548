"""Every service re-checks permission and state itself, whatever page or command called it, and
says who made the change and why in the history (docs/architecture.md).

One row per service: the person on the team who may make the change and one who may not, how
to put things in a state where even the right person is refused, and the history copy the change
writes with its reason. Not here: purge_expired, run by the system with nobody to refuse (see
sessions_log/tests/test_erasure.py), and remove_name_from_notes, which only erase_member calls,
inside its own checks. Calendar feeds keep no history (a feed is a key, not a record).
"""

import datetime
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from concerns.models import Complaint, Concern
from concerns.services import close_complaint, close_concern, raise_concern, record_complaint, update_concern
from concerns.tests.factories import ComplaintFactory, ConcernFactory
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
    mark_launched,
)
from invitations.models import Invitation
from invitations.services import invite_to_team, resend_invitation, withdraw_invitation
from reports.services import create_calendar_feed, renew_calendar_feed, revoke_calendar_feed
from sessions_log.erasure import (
    CONTACT_DETAILS_ERASED,
    ERASED_MARKS_KEPT,
    erase_member,
    stop_holding_contact_details,
)
from sessions_log.member_requests import agree_to_name_replacement, ask_supervisor
from sessions_log.models import (
    AbsencePolicy,
    Attendance,
    Debrief,
    DebriefNote,
    DebriefReview,
    FollowUp,
    GroupSession,
    Lesson,
    Member,
    MemberRequest,
    Signposting,
)
from sessions_log.services import (
    SessionNotAllowed,
    add_debrief_note,
    add_member,
    add_members,
    admit_from_waiting_list,
    close_follow_up,
    exit_member,
    record_lesson,
    record_session,
    record_signposting,
    review_debrief,
    save_absence_policy,
    save_debrief,
    save_register,
    update_member,
)
from sessions_log.tests.factories import (
    DebriefFactory,
    DebriefReviewFactory,
    FollowUpFactory,
    GroupSessionFactory,
    MemberFactory,
)
from sessions_log.tests.records import close, held_session, take_register
from tests.test_service_signatures import service_modules

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
Role = GroupRole.Role
Status = SupportGroup.Status


@pytest.fixture
def scene(group, coordinator, facilitator, supervisor):
    """The conftest group, running: alice coordinates, bob leads and ran last week's session,
    sam supervises; Robin is a member."""
    mark_launched(group)
    return SimpleNamespace(
        group=group,
        people={"coordinator": coordinator, "facilitator": facilitator, "supervisor": supervisor},
        member=MemberFactory(group=group, display_name="Robin"),
        session=held_session(group, 7, [facilitator]),
    )


def newest(model, **lookups):
    return model.history.filter(**lookups).latest("history_id")


def set_status(group, status):
    SupportGroup.objects.filter(pk=group.pk).update(status=status)


@dataclass(frozen=True)
class Service:
    name: str
    allowed: str
    # Someone on the team without the right; None where everyone on the team has it.
    refused: str | None
    # Makes the change as `by`.
    change: Callable
    # Arranges what the change needs.
    prepare: Callable = lambda scene: None
    # Puts things where even the allowed person is refused, and the refusal expected then.
    wrong_state: Callable | None = None
    refusal: type[Exception] = ValidationError
    # The history copy the change writes, and the reason it gives.
    history: Callable | None = None
    reason: str = ""

    def __str__(self):
        return self.name


# The group and its plan ------------------------------------------------------------------------


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


def _closed(scene):
    close(scene.group, days_ago=1)


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


# After launch ----------------------------------------------------------------------------------


def _waiting(scene):
    scene.waiting = MemberFactory(group=scene.group, display_name="Kit", status=Member.Status.WAITING_LIST)


def _correct_name(scene, by):
    scene.member.display_name = "Robyn"
    update_member(member=scene.member, by=by)


def _left(scene):
    Member.objects.filter(pk=scene.member.pk).update(
        status=Member.Status.EXITED, exited_on=TODAY(), exit_reason=Member.ExitReason.OTHER
    )


def _erased(scene):
    Member.objects.filter(pk=scene.member.pk).delete()


def _new_session(scene, by):
    session = GroupSession(
        group=scene.group,
        # The scene's group launched just now: a group holds no session before its launch.
        date=TODAY(),
        starts_at=datetime.time(18),
        ends_at=datetime.time(19),
    )
    record_session(session=session, facilitators=[scene.people["facilitator"]], by=by)


def _follow_up(scene):
    scene.follow_up = FollowUpFactory(member=scene.member, session=scene.session, assignee=scene.people["facilitator"])


def _lesson(scene, by):
    session = getattr(scene, "lesson_session", scene.session)
    lesson = Lesson(group=scene.group, session=session, theme="sessions", what_worked="A check-in round.")
    record_lesson(lesson=lesson, by=by)


def _own_debrief(scene, by):
    debrief = getattr(scene, "own_debrief", None) or Debrief(session=scene.session, how_it_went="Warm.", wellbeing=4)
    save_debrief(debrief=debrief, by=by)


def _own_debrief_reviewed(scene):
    scene.own_debrief = DebriefReviewFactory(
        debrief=DebriefFactory(session=scene.session, author=scene.people["facilitator"])
    ).debrief


def _debrief(scene):
    scene.debrief = DebriefFactory(session=scene.session, author=scene.people["facilitator"])


def _contact_details_held(scene):
    SupportGroup.objects.filter(pk=scene.group.pk).update(holds_contact_details=True)
    Member.objects.filter(pk=scene.member.pk).update(
        contact_details="07700 900123", contact_consent_on=TODAY(), contact_consent_how=Member.ConsentGiven.PHONE
    )


def _marked(scene):
    take_register(scene.session, {scene.member: Attendance.Status.PRESENT}, scene.people["facilitator"])


SESSION_SERVICES = [
    Service(
        "add_member",
        "facilitator",
        "supervisor",
        lambda scene, by: add_member(member=Member(group=scene.group, display_name="Kit", joined_on=TODAY()), by=by),
        wrong_state=_closed,
        history=lambda scene: newest(Member, display_name="Kit"),
        reason="Joined the group",
    ),
    Service(
        "add_members",
        "facilitator",
        "supervisor",
        lambda scene, by: add_members(group=scene.group, names=["Kit", "Lou"], joined_on=TODAY(), by=by),
        wrong_state=_closed,
        history=lambda scene: newest(Member, display_name="Lou"),
        reason="Joined the group",
    ),
    Service(
        "admit_from_waiting_list",
        "coordinator",
        "supervisor",
        lambda scene, by: admit_from_waiting_list(member=scene.waiting, by=by),
        prepare=_waiting,
        wrong_state=lambda scene: Member.objects.filter(pk=scene.waiting.pk).update(status=Member.Status.ACTIVE),
        history=lambda scene: newest(Member, id=scene.waiting.pk),
        reason="Admitted from the waiting list",
    ),
    Service(
        "update_member",
        "facilitator",
        "supervisor",
        _correct_name,
        wrong_state=_erased,
        history=lambda scene: newest(Member, id=scene.member.pk),
        reason="Record corrected",
    ),
    Service(
        "exit_member",
        "facilitator",
        "supervisor",
        lambda scene, by: exit_member(
            member=scene.member, exited_on=TODAY(), reason=Member.ExitReason.MOVED_ON, aftercare="A call.", by=by
        ),
        wrong_state=_left,
        history=lambda scene: newest(Member, id=scene.member.pk),
        reason="Left the group",
    ),
    Service(
        "record_session",
        "facilitator",
        "coordinator",
        _new_session,
        wrong_state=lambda scene: set_status(scene.group, Status.PAUSED),
        refusal=SessionNotAllowed,
        history=lambda scene: newest(GroupSession, group_id=scene.group.pk),
        reason="Session recorded",
    ),
    Service(
        "save_register",
        "facilitator",
        "coordinator",
        lambda scene, by: save_register(
            session=scene.session, marks={scene.member.pk: Attendance.Status.PRESENT}, by=by
        ),
        wrong_state=lambda scene: set_status(scene.group, Status.PAUSED),
        refusal=SessionNotAllowed,
        history=lambda scene: newest(Attendance, session_id=scene.session.pk),
        reason="Register taken",
    ),
    Service(
        "save_absence_policy",
        "coordinator",
        "facilitator",
        lambda scene, by: save_absence_policy(policy=AbsencePolicy(group=scene.group, days_to_follow_up=5), by=by),
        wrong_state=_closed,
        refusal=PermissionDenied,  # part of the plan, which a closed group keeps as it was
        history=lambda scene: newest(AbsencePolicy, group_id=scene.group.pk),
        reason="Absence policy saved",
    ),
    Service(
        "close_follow_up",
        "facilitator",
        "supervisor",
        lambda scene, by: close_follow_up(
            follow_up=scene.follow_up, outcome=FollowUp.Outcome.CONTACTED, note="Spoke to them.", by=by
        ),
        prepare=_follow_up,
        wrong_state=lambda scene: FollowUp.objects.filter(pk=scene.follow_up.pk).update(
            closed_at=timezone.now(), outcome=FollowUp.Outcome.OTHER
        ),
        history=lambda scene: newest(FollowUp, id=scene.follow_up.pk),
        reason="Follow-up closed",
    ),
    Service(
        "record_lesson",
        "coordinator",
        "supervisor",
        _lesson,
        wrong_state=lambda scene: setattr(scene, "lesson_session", GroupSessionFactory()),  # another group's
        history=lambda scene: newest(Lesson, group_id=scene.group.pk),
        reason="Lesson recorded",
    ),
    Service(
        "save_debrief",
        "facilitator",
        "coordinator",
        _own_debrief,
        wrong_state=_own_debrief_reviewed,
        history=lambda scene: newest(Debrief, session_id=scene.session.pk),
        reason="Debrief written",
    ),
    Service(
        "review_debrief",
        "supervisor",
        "coordinator",
        lambda scene, by: review_debrief(debrief=scene.debrief, by=by, comments="Thank you."),
        prepare=_debrief,
        wrong_state=lambda scene: DebriefReviewFactory(debrief=scene.debrief),
        history=lambda scene: newest(DebriefReview, debrief_id=scene.debrief.pk),
        reason="Reviewed",
    ),
    Service(
        "add_debrief_note",
        "facilitator",
        "coordinator",
        lambda scene, by: add_debrief_note(debrief=scene.debrief, by=by, text="Checked in a week later."),
        prepare=_debrief,
        wrong_state=lambda scene: Debrief.objects.filter(pk=scene.debrief.pk).delete(),
        history=lambda scene: newest(DebriefNote, debrief_id=scene.debrief.pk),
        reason="Note added",
    ),
    Service(
        "erase_member",
        "coordinator",
        "facilitator",
        lambda scene, by: erase_member(member=scene.member, reason="They asked us to.", by=by),
        prepare=_marked,
        wrong_state=_erased,
        # The session keeps the erased member's mark as a number, and says why its totals changed.
        history=lambda scene: newest(GroupSession, id=scene.session.pk),
        reason=ERASED_MARKS_KEPT,
    ),
    Service(
        "record_signposting",
        "facilitator",
        "supervisor",
        lambda scene, by: record_signposting(
            signposting=Signposting(group=scene.group, signposted_on=TODAY(), where_to="Samaritans"), by=by
        ),
        wrong_state=_closed,
        history=lambda scene: newest(Signposting, group_id=scene.group.pk),
        reason="Signposted elsewhere: the group was full",
    ),
    Service(
        "stop_holding_contact_details",
        "coordinator",
        "facilitator",
        lambda scene, by: stop_holding_contact_details(group=scene.group, by=by),
        prepare=_contact_details_held,
        # Already holding none: nothing to stop.
        wrong_state=lambda scene: stop_holding_contact_details(group=scene.group, by=scene.people["coordinator"]),
        history=lambda scene: newest(Member, id=scene.member.pk),
        reason=CONTACT_DETAILS_ERASED,
    ),
    Service(
        "ask_supervisor",
        "coordinator",
        "facilitator",
        lambda scene, by: ask_supervisor(member=scene.member, by=by),
        wrong_state=_erased,
        history=lambda scene: newest(MemberRequest, member_id=scene.member.pk),
        reason="Supervisor asked",
    ),
    Service(
        "agree_to_name_replacement",
        "supervisor",
        "coordinator",
        lambda scene, by: agree_to_name_replacement(member=scene.member, by=by),
        prepare=lambda scene: ask_supervisor(member=scene.member, by=scene.people["coordinator"]),
        # The request has lapsed.
        wrong_state=lambda scene: MemberRequest.objects.update(opened_at=timezone.now() - datetime.timedelta(days=31)),
        history=lambda scene: newest(MemberRequest, member_id=scene.member.pk),
        reason="Supervisor agreed their name may be taken out of notes",
    ),
    Service(
        "create_calendar_feed",
        "facilitator",
        "coordinator",
        lambda scene, by: create_calendar_feed(group=scene.group, by=by),
    ),
    Service(
        "renew_calendar_feed",
        "facilitator",
        "coordinator",
        lambda scene, by: renew_calendar_feed(group=scene.group, by=by),
    ),
    Service(
        "revoke_calendar_feed",
        "facilitator",
        "coordinator",
        lambda scene, by: revoke_calendar_feed(group=scene.group, by=by),
    ),
]

# Concerns and the complaints log ------------------------------------------------------------------


def _new_concern(scene, by):
    concern = Concern(
        group=scene.group,
        kind=Concern.Kind.SAFEGUARDING,
        member=scene.member,
        session=scene.session,
        what_was_done="Followed the safeguarding policy.",
        who_was_told="The safeguarding lead",
        told_at=timezone.now(),
    )
    raise_concern(concern=concern, by=by)


def _concern(scene):
    scene.concern = ConcernFactory(session=scene.session, member=scene.member)


def _concern_closed(scene):
    Concern.objects.filter(pk=scene.concern.pk).update(closed_on=TODAY(), outcome="Done.")


def _add_to_concern(scene, by):
    scene.concern.what_was_done = "Followed the policy, and rang the member the next day."
    update_concern(concern=scene.concern, by=by)


def _complaint(scene):
    scene.complaint = ComplaintFactory(group=scene.group)


CONCERN_SERVICES = [
    Service(
        "raise_concern",
        "facilitator",
        "supervisor",
        _new_concern,
        wrong_state=lambda scene: set_status(scene.group, Status.PLANNING),
        history=lambda scene: newest(Concern, group_id=scene.group.pk),
        reason="Raised: safeguarding concern",
    ),
    Service(
        "update_concern",
        "coordinator",
        "supervisor",
        _add_to_concern,
        prepare=_concern,
        wrong_state=_concern_closed,
        history=lambda scene: newest(Concern, id=scene.concern.pk),
        reason="Concern updated",
    ),
    Service(
        "close_concern",
        "coordinator",
        "facilitator",  # a safeguarding concern is the coordinator's to close
        lambda scene, by: close_concern(concern=scene.concern, outcome="Taken forward.", closed_on=TODAY(), by=by),
        prepare=_concern,
        wrong_state=_concern_closed,
        history=lambda scene: newest(Concern, id=scene.concern.pk),
        reason="Closed",
    ),
    Service(
        "record_complaint",
        "facilitator",
        None,  # anyone on the team adds to the log
        lambda scene, by: record_complaint(
            complaint=Complaint(
                group=scene.group,
                kind=Complaint.Kind.RULE_BROKEN,
                happened_on=TODAY(),
                summary="Phones out during the session.",
                handling="Reminded everyone of the rule.",
            ),
            by=by,
        ),
        wrong_state=lambda scene: set_status(scene.group, Status.PLANNING),
        history=lambda scene: newest(Complaint, group_id=scene.group.pk),
        reason="Added to the complaints log",
    ),
    Service(
        "close_complaint",
        "supervisor",
        "facilitator",
        lambda scene, by: close_complaint(complaint=scene.complaint, outcome="Settled.", closed_on=TODAY(), by=by),
        prepare=_complaint,
        wrong_state=lambda scene: Complaint.objects.filter(pk=scene.complaint.pk).update(
            closed_on=TODAY(), outcome="Done."
        ),
        history=lambda scene: newest(Complaint, id=scene.complaint.pk),
        reason="Closed",
    ),
]

SERVICES = GROUP_SERVICES + SESSION_SERVICES + CONCERN_SERVICES


@pytest.mark.parametrize("service", [service for service in SERVICES if service.refused], ids=str)
def test_a_service_refuses_someone_on_the_team_without_the_right(scene, service):
    service.prepare(scene)
    with pytest.raises(PermissionDenied):
        service.change(scene, scene.people[service.refused])


@pytest.mark.parametrize("service", SERVICES, ids=str)
def test_a_service_refuses_someone_outside_the_group(scene, outsider, service):
    service.prepare(scene)
    with pytest.raises(PermissionDenied):
        service.change(scene, outsider)


@pytest.mark.parametrize("service", [service for service in SERVICES if service.wrong_state], ids=str)
def test_a_service_refuses_even_the_right_person_in_the_wrong_state(scene, service):
    service.prepare(scene)
    service.wrong_state(scene)
    with pytest.raises(service.refusal):
        service.change(scene, scene.people[service.allowed])


@pytest.mark.parametrize("service", [service for service in SERVICES if service.history], ids=str)
def test_a_service_says_who_made_the_change_and_why(scene, service):
    service.prepare(scene)
    person = scene.people[service.allowed]

    service.change(scene, person)

    copy = service.history(scene)
    assert (copy.history_user, copy.history_change_reason) == (person, service.reason)


def test_every_service_that_takes_by_has_a_row():
    named = {service.name for service in SERVICES}
    # Run by the system (nobody to refuse), composed inside erase_member's checks, the access log
    # (see test_service_signatures), and change_group_status by other names.
    # accept_invitation is made by whoever opens the link, signed in nobody (invitations/tests).
    elsewhere = {"purge_expired", "remove_name_from_notes", "record_access", "purge_access_log", "accept_invitation"}
    wrappers = {"pause_group", "resume_group", "close_group"}
    taking_by = {
        name
        for module in service_modules()
        for name, function in inspect.getmembers(importlib.import_module(module), inspect.isfunction)
        if function.__module__ == module and not name.startswith("_") and "by" in inspect.signature(function).parameters
    }
    assert taking_by - named - elsewhere - wrappers == set()
