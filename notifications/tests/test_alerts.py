"""Alerts, sent at once whatever people chose for reminders: each to the people whose job it is,
once for its event, never to whoever made the change, and never to anyone outside the group."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from concerns.models import Concern
from concerns.services import raise_concern
from groups.models import GroupRole
from groups.services import add_team_role, remove_team_role
from groups.tests.factories import GroupRoleFactory, mark_launched
from groups_site import events
from notifications.mail import build_message
from notifications.models import EmailPreference, SentNotification
from sessions_log.models import AbsencePolicy, Attendance, Debrief, FollowUp, Member
from sessions_log.services import exit_member, save_debrief, save_register
from sessions_log.tests.factories import AbsencePolicyFactory, MemberFactory
from sessions_log.tests.records import TODAY, held_session, take_register

pytestmark = pytest.mark.django_db
Role = GroupRole.Role


@pytest.fixture
def team(group, coordinator, facilitator, supervisor, outsider):
    """The conftest group, running: alice coordinates, bob leads, sam supervises; cora
    co-facilitates; charlie is on another group's team."""
    mark_launched(group)
    GroupRoleFactory(group=group, user=UserFactory(username="cora"), role=Role.CO_FACILITATOR)
    return group


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Do something as the app does (after commit, listeners run); return the emails it sent, as
    {address: [subject, ...]}."""

    def run(change) -> dict[str, list[str]]:
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            change()
        emails = {}
        for message in mail.outbox[before:]:
            emails.setdefault(message.to[0], []).append(message.subject)
        return emails

    return run


def debrief_by(author, session, **fields):
    fields = {"how_it_went": "Hard going.", "wellbeing": 4, **fields}
    return save_debrief(debrief=Debrief(session=session, **fields), by=author)


# Debriefs ---------------------------------------------------------------------------------------


def test_a_debrief_flagged_for_low_wellbeing_alerts_the_supervisor_alone(team, facilitator, sent):
    session = held_session(team, 7, [facilitator])

    emails = sent(lambda: debrief_by(facilitator, session, wellbeing=2))

    assert emails == {"sam@example.org": ["A debrief from Riverside evening group asks for your attention"]}
    body = mail.outbox[-1].body
    assert "Hard going" not in body and "bob" not in body.lower()
    assert f"/groups/{team.pk}/debriefs/" in body


def test_saving_the_flagged_debrief_again_alerts_nobody_twice(team, facilitator, sent):
    session = held_session(team, 7, [facilitator])
    assert list(sent(lambda: debrief_by(facilitator, session, wellbeing=2))) == ["sam@example.org"]
    debrief = Debrief.objects.get(session=session)

    debrief.how_it_went = "Hard going; better after a walk."
    assert sent(lambda: save_debrief(debrief=debrief, by=facilitator)) == {}


def test_a_debrief_that_becomes_flagged_alerts_then(team, facilitator, sent):
    session = held_session(team, 7, [facilitator])
    assert sent(lambda: debrief_by(facilitator, session)) == {}
    debrief = Debrief.objects.get(session=session)

    debrief.wellbeing = 1
    assert list(sent(lambda: save_debrief(debrief=debrief, by=facilitator))) == ["sam@example.org"]


def test_an_unflagged_debrief_alerts_nobody(team, facilitator, sent):
    session = held_session(team, 7, [facilitator])

    assert sent(lambda: debrief_by(facilitator, session, wellbeing=3)) == {}


def test_nobody_is_alerted_to_their_own_debrief(team, coordinator, supervisor, sent):
    # The supervisor and a coordinator also facilitated this session, and both flag their debriefs.
    session = held_session(team, 7, [supervisor, coordinator])

    assert "sam@example.org" not in sent(lambda: debrief_by(supervisor, session, wellbeing=1))


# Concerns ---------------------------------------------------------------------------------------


def test_a_safeguarding_concern_raised_in_the_app_alerts_the_supervisor_and_coordinators(team, facilitator, sent):
    GroupRoleFactory(group=team, user=UserFactory(username="cleo"), role=Role.COORDINATOR)
    session = held_session(team, 7, [facilitator])
    concern = Concern(
        group=team,
        kind=Concern.Kind.SAFEGUARDING,
        where=Concern.Where.IN_SESSION,
        session=session,
        happened_on=session.date,
        what_was_done="Followed the policy.",
        who_was_told="The safeguarding lead",
        told_at=timezone.now(),
    )

    emails = sent(lambda: raise_concern(concern=concern, by=facilitator))

    subject = "A safeguarding concern was raised in Riverside evening group"
    assert emails == {"sam@example.org": [subject], "alice@example.org": [subject], "cleo@example.org": [subject]}
    # The email links to the concern's page; what was written stays there.
    body = mail.outbox[-1].body
    assert f"/groups/{team.pk}/concerns/{concern.pk}/" in body
    assert "Followed the policy" not in body and "safeguarding lead" not in body.lower()


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("safeguarding", "A safeguarding concern was raised in Riverside evening group"),
        ("risk_to_life", "A concern about a risk to life was raised in Riverside evening group"),
    ],
)
def test_a_safeguarding_or_risk_to_life_concern_alerts_the_supervisor_and_coordinators(
    team, facilitator, sent, kind, subject
):
    def raise_concern():
        events.announce(events.concern_raised, concern_id=41, group_id=team.pk, kind=kind, by_id=facilitator.pk)

    emails = sent(raise_concern)

    assert emails == {"sam@example.org": [subject], "alice@example.org": [subject]}
    # The same event heard again alerts nobody twice.
    assert sent(raise_concern) == {}


def test_other_kinds_of_concern_and_the_person_who_raised_it_are_not_alerted(team, coordinator, sent):
    def raise_concern(kind):
        return lambda: events.announce(
            events.concern_raised, concern_id=42, group_id=team.pk, kind=kind, by_id=coordinator.pk
        )

    assert sent(raise_concern("distress_in_session")) == {}
    assert sent(raise_concern("risk_to_life")) == {
        "sam@example.org": ["A concern about a risk to life was raised in Riverside evening group"]
    }


# Follow-ups -------------------------------------------------------------------------------------


@pytest.fixture
def two_absences(team, facilitator):
    """Two members who missed the session before last; a register for the last one due."""
    AbsencePolicyFactory(group=team, after_two_misses_assignee=AbsencePolicy.Assignee.COORDINATOR)
    members = [MemberFactory(group=team, display_name=name) for name in ("Robin", "Kit")]
    take_register(held_session(team, 14, [facilitator]), {m: Attendance.Status.ABSENT for m in members}, facilitator)
    return members, held_session(team, 7, [facilitator])


def test_follow_ups_a_register_gives_someone_else_come_in_one_email(two_absences, facilitator, sent):
    members, session = two_absences
    marks = {member.pk: Attendance.Status.ABSENT for member in members}

    emails = sent(lambda: save_register(session=session, marks=marks, by=facilitator))

    # Second misses go to a coordinator under this policy: one email for both, naming nobody.
    assert emails == {"alice@example.org": ["2 follow-ups for you in Riverside evening group"]}
    body = mail.outbox[-1].body
    assert "Robin" not in body and "Kit" not in body
    assert "/members/" in body


def test_follow_ups_given_to_the_person_taking_the_register_send_no_email(team, facilitator, sent):
    member = MemberFactory(group=team, display_name="Robin")
    session = held_session(team, 7, [facilitator])

    # A first miss goes to the lead facilitator, who is the one taking the register: they see it.
    assert sent(lambda: take_register(session, {member: Attendance.Status.ABSENT}, facilitator)) == {}
    assert session.follow_ups.get().assignee == facilitator


def test_a_check_in_after_a_member_leaves_goes_to_the_coordinator_once_naming_nobody(team, facilitator, sent):
    member = MemberFactory(group=team, display_name="Robin", joined_on=TODAY() - datetime.timedelta(days=30))

    def leave():
        exit_member(member=member, exited_on=TODAY(), reason=Member.ExitReason.MOVED_ON, aftercare="", by=facilitator)

    emails = sent(leave)

    check_in = FollowUp.objects.get(member=member)
    assert emails == {"alice@example.org": ["A check-in for you in Riverside evening group"]}
    body = mail.outbox[-1].body
    assert "Robin" not in body and f"{check_in.due_on:%-d %B}" in body and "/members/" in body
    # Heard again, the event sends nothing more.
    assert (
        sent(
            lambda: events.announce(
                events.follow_up_assigned,
                follow_up_id=check_in.pk,
                group_id=team.pk,
                assignee_id=check_in.assignee_id,
                by_id=facilitator.pk,
            )
        )
        == {}
    )


def test_a_follow_up_alert_is_not_sent_to_someone_no_longer_running_the_group(
    two_absences, facilitator, coordinator, sent
):
    members, session = two_absences
    sent(lambda: save_register(session=session, marks={members[0].pk: Attendance.Status.ABSENT}, by=facilitator))
    [notification] = SentNotification.objects.filter(kind="follow_ups_assigned")
    GroupRole.objects.filter(group=session.group, user=coordinator).delete()

    ids = {"group_id": session.group_id, "session_id": session.pk}
    assert build_message("follow_ups_assigned", recipient=coordinator, ids=ids) is None
    assert notification.recipient == coordinator


# The team ---------------------------------------------------------------------------------------


def test_a_new_supervisor_and_the_one_who_stopped_are_each_told(group, coordinator, supervisor, sent):
    role = group.roles.get(user=supervisor)

    assert sent(lambda: remove_team_role(role=role, by=coordinator)) == {
        "sam@example.org": ["You no longer supervise Riverside evening group"]
    }
    tess = UserFactory(username="tess")
    # Only people the organisation allows may supervise (groups.permissions.may_supervise).
    tess.user_permissions.add(Permission.objects.get(codename="supervise_groups"))
    assert sent(lambda: add_team_role(group=group, user=tess, role=Role.SUPERVISOR, by=coordinator)) == {
        "tess@example.org": ["You now supervise Riverside evening group"]
    }


def test_nobody_is_told_of_a_change_they_made_themselves(group, coordinator, sent):
    # An administrator of the organisation may manage any team, and makes themselves supervisor.
    ada = UserFactory(username="ada", is_superuser=True)

    assert sent(lambda: add_team_role(group=group, user=ada, role=Role.SUPERVISOR, by=ada)) == {}


def test_alerts_come_even_to_someone_who_turned_reminders_off(team, facilitator, supervisor, sent):
    EmailPreference.objects.create(user=supervisor, reminders=EmailPreference.ReminderDelivery.NONE)
    session = held_session(team, 7, [facilitator])

    assert list(sent(lambda: debrief_by(facilitator, session, wellbeing=2))) == ["sam@example.org"]
    assert "List-Unsubscribe" not in mail.outbox[-1].extra_headers


def test_no_alert_ever_reaches_someone_outside_the_group(team, facilitator, coordinator, supervisor, outsider, sent):
    session = held_session(team, 7, [facilitator])
    everything = sent(
        lambda: (
            debrief_by(facilitator, session, wellbeing=1),
            events.announce(
                events.concern_raised, concern_id=43, group_id=team.pk, kind="risk_to_life", by_id=facilitator.pk
            ),
            add_team_role(group=team, user=UserFactory(username="tess"), role=Role.CO_FACILITATOR, by=coordinator),
        )
    )

    assert "charlie@example.org" not in everything
    assert set(everything) <= {"sam@example.org", "alice@example.org"}
    # Nor to someone who was on the team when it happened but is not when it is sent.
    alert = SentNotification.objects.filter(kind="debrief_low_wellbeing").get()
    GroupRole.objects.filter(group=team, user=supervisor).delete()
    assert build_message("debrief_low_wellbeing", recipient=supervisor, ids={"debrief_id": alert.subject_id}) is None
