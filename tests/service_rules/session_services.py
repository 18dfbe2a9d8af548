"""The rows for the services used after launch: members, sessions, registers, debriefs."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from groups.models import SupportGroup
from reports.services import create_calendar_feed, renew_calendar_feed, revoke_calendar_feed
from sessions_log.erasure import CONTACT_DETAILS_ERASED, ERASED_MARKS_KEPT, erase_member, stop_holding_contact_details
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
from sessions_log.tests.records import take_register
from tests.service_rules.rows import TODAY, Service, Status, _closed, newest, set_status


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
