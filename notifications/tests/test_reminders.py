"""Reminders by email (manage.py send_reminders, every 15 minutes): each sent once, when it is due,
to the person whose job it is, never to anyone else; or gathered into a morning digest; or not at
all for someone who turned them off. The clock is moved (time-machine) to a Tuesday evening in
November: the conftest group meets on Tuesdays, 18:30 to 20:00."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from groups.models import GroupRole, SupportGroup
from groups.tests.factories import GroupRoleFactory, RiskAssessmentFactory
from notifications import needs
from notifications.mail import build_message
from notifications.models import EmailPreference, SentNotification
from notifications.reminders import send_reminders
from sessions_log.models import Debrief, FollowUp
from sessions_log.tests.factories import DebriefFactory, FollowUpFactory, GroupSessionFactory, MemberFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
Role = GroupRole.Role
Delivery = EmailPreference.ReminderDelivery


def at(day, hour, minute=0) -> datetime.datetime:
    """A moment of November 2026 in London (the 24th is a Tuesday)."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


TUESDAY = datetime.date(2026, 11, 24)


@pytest.fixture
def clock():
    with time_machine.travel(at(24, 21), tick=False) as traveller:
        yield traveller


@pytest.fixture
def running(group, coordinator, facilitator, supervisor, outsider, clock):
    """The conftest group, active since 3 November: alice coordinates, bob leads, sam supervises;
    charlie leads another group (with nothing due)."""
    SupportGroup.objects.filter(pk=group.pk).update(status=SupportGroup.Status.ACTIVE, launched_at=at(3, 12))
    group.refresh_from_db()
    for other in SupportGroup.objects.exclude(pk=group.pk):
        SupportGroup.objects.filter(pk=other.pk).update(status=SupportGroup.Status.ACTIVE, launched_at=at(23, 12))
        GroupSessionFactory(group=other, date=TUESDAY)
    # Every Tuesday before this one is recorded.
    for day in (3, 10, 17):
        GroupSessionFactory(group=group, date=datetime.date(2026, 11, day))
    return group


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run send_reminders at a moment; return the emails it sent, as (to, subject)."""

    def run(moment) -> list[tuple[str, str]]:
        with time_machine.travel(moment, tick=False):
            sent_before = len(mail.outbox)
            with django_capture_on_commit_callbacks(execute=True):
                send_reminders()
            return [(message.to[0], message.subject) for message in mail.outbox[sent_before:]]

    return run


def prefer(user, delivery):
    EmailPreference.objects.update_or_create(user=user, defaults={"reminders": delivery})


# A session to record ----------------------------------------------------------------------------


def test_the_lead_facilitator_is_reminded_two_hours_after_a_meeting_nobody_recorded(running, remind):
    assert remind(at(24, 21, 59)) == []

    sent = remind(at(24, 22))

    assert sent == [
        ("bob@example.org", "Record Tuesday's session of Riverside evening group while it's fresh"),
    ]
    assert remind(at(24, 22, 15)) == []  # once only
    assert remind(at(24, 23, 45)) == []


def test_and_once_more_the_next_morning_if_it_is_still_not_recorded(running, remind):
    remind(at(24, 22))

    assert remind(at(25, 6, 45)) == []
    assert remind(at(25, 7)) == [
        ("bob@example.org", "Tuesday's session of Riverside evening group is not recorded yet"),
    ]
    assert remind(at(25, 7, 15)) == []
    # After that, the dashboard lists it; the emails have said their piece.
    assert remind(at(26, 7)) == []
    with time_machine.travel(at(26, 7), tick=False):
        assert [need.on for need in needs.needs_now(person=running.roles.get(role=Role.LEAD_FACILITATOR).user)] == [
            TUESDAY
        ]


def test_a_meeting_recorded_in_time_is_not_reminded(running, remind):
    GroupSessionFactory(group=running, date=TUESDAY)

    assert remind(at(24, 22)) == []
    assert remind(at(25, 7)) == []


def test_only_the_lead_facilitator_of_an_active_group_is_reminded(running, remind, outsider):
    GroupRoleFactory(group=running, role=Role.CO_FACILITATOR, user__username="cora")
    assert [to for to, _ in remind(at(24, 22))] == ["bob@example.org"]

    SupportGroup.objects.filter(pk=running.pk).update(status=SupportGroup.Status.PAUSED)
    assert remind(at(25, 7)) == []


def test_a_meeting_before_the_group_launched_is_not_to_record(running, remind):
    SupportGroup.objects.filter(pk=running.pk).update(launched_at=at(24, 20, 30))

    assert remind(at(24, 22)) == []


# Follow-ups -------------------------------------------------------------------------------------


@pytest.fixture
def follow_up(running, facilitator):
    member = MemberFactory(group=running, display_name="Robin")
    return FollowUpFactory(
        member=member, session=running.sessions.first(), assignee=facilitator, due_on=at(25, 0).date()
    )


def test_a_follow_up_is_reminded_on_the_day_it_is_due_and_once_when_overdue(follow_up, remind):
    GroupSessionFactory(group=follow_up.member.group, date=TUESDAY)  # nothing else due

    assert remind(at(24, 22)) == []
    assert remind(at(25, 7)) == [("bob@example.org", "A follow-up in Riverside evening group is due today")]
    assert remind(at(25, 18)) == []
    assert remind(at(26, 7)) == [("bob@example.org", "A follow-up in Riverside evening group is overdue")]
    assert remind(at(27, 7)) == []


def test_a_closed_follow_up_or_one_whose_person_left_the_team_is_not_reminded(follow_up, remind, facilitator):
    GroupSessionFactory(group=follow_up.member.group, date=TUESDAY)
    FollowUp.objects.filter(pk=follow_up.pk).update(assignee=GroupRoleFactory(role=Role.LEAD_FACILITATOR).user)

    assert remind(at(25, 7)) == []  # given to someone who does not run this group

    FollowUp.objects.filter(pk=follow_up.pk).update(assignee=facilitator, outcome="contacted", closed_at=at(24, 12))
    assert remind(at(25, 7)) == []


def test_a_reminder_of_something_done_before_it_is_sent_is_not_sent(follow_up, facilitator):
    notification = SentNotification.objects.create(
        kind="follow_up_due",
        recipient=facilitator,
        subject_id=follow_up.pk,
        occasion=follow_up.due_on,
        delivery="immediately",
    )
    with time_machine.travel(at(25, 7), tick=False):
        assert build_message("follow_up_due", recipient=facilitator, ids={"notification_id": notification.pk})
        FollowUp.objects.filter(pk=follow_up.pk).update(outcome="contacted", closed_at=at(25, 7))
        assert build_message("follow_up_due", recipient=facilitator, ids={"notification_id": notification.pk}) is None


# Debriefs and risk assessments ------------------------------------------------------------------


def test_the_supervisor_is_reminded_of_a_debrief_waiting_past_its_review_date(running, remind, facilitator):
    GroupSessionFactory(group=running, date=TUESDAY)
    debrief = DebriefFactory(session=running.sessions.get(date=datetime.date(2026, 11, 10)), author=facilitator)
    Debrief.objects.filter(pk=debrief.pk).update(created_at=at(10, 21))  # due for review on the 17th

    assert remind(at(17, 22)) == []
    assert remind(at(24, 22)) == [("sam@example.org", "A debrief from Riverside evening group waits for your review")]
    assert remind(at(25, 7)) == []


def test_a_supervisor_is_not_reminded_of_their_own_debrief_nor_of_a_reviewed_one(running, remind, supervisor):
    GroupSessionFactory(group=running, date=TUESDAY)
    own = DebriefFactory(session=running.sessions.get(date=datetime.date(2026, 11, 10)), author=supervisor)
    Debrief.objects.filter(pk=own.pk).update(created_at=at(10, 21))
    reviewed = DebriefFactory(session=running.sessions.get(date=datetime.date(2026, 11, 10)))
    Debrief.objects.filter(pk=reviewed.pk).update(created_at=at(10, 21), reviewed=True)

    assert remind(at(24, 22)) == []


def test_each_coordinator_is_reminded_of_a_risk_assessment_past_its_review_date(running, remind, coordinator):
    GroupSessionFactory(group=running, date=TUESDAY)
    GroupRoleFactory(group=running, role=Role.COORDINATOR, user__username="cleo")
    RiskAssessmentFactory(group=running, review_date=datetime.date(2026, 11, 20))

    sent = remind(at(24, 22))

    subject = "The risk assessment of Riverside evening group is due for review"
    assert sorted(sent) == [("alice@example.org", subject), ("cleo@example.org", subject)]
    assert remind(at(25, 7)) == []


def test_a_closed_groups_risk_assessment_is_not_reminded(running, remind):
    RiskAssessmentFactory(group=running, review_date=datetime.date(2026, 11, 20))
    SupportGroup.objects.filter(pk=running.pk).update(status=SupportGroup.Status.CLOSED, closed_at=at(21, 12))

    assert remind(at(24, 22)) == []


# How people choose to get them ------------------------------------------------------------------


@pytest.fixture
def busy_tuesday(follow_up):
    """Bob has Tuesday's session to record and a follow-up due on Wednesday."""
    return follow_up


def test_someone_who_chose_a_daily_digest_gets_one_email_in_the_morning(busy_tuesday, remind, facilitator):
    prefer(facilitator, Delivery.DAILY_DIGEST)

    assert remind(at(24, 22)) == []
    [(to, subject)] = remind(at(25, 7))

    assert (to, subject) == ("bob@example.org", "Your reminders for Wednesday 25 November: 2 things need you")
    digest = mail.outbox[-1].body
    # The evening's and the morning's reminders of Tuesday's session are one line.
    assert digest.count("Record Tuesday 24 November\u2019s session of Riverside evening group.") == 1
    assert "A follow-up after missed sessions in Riverside evening group is due today." in digest
    assert "Robin" not in digest
    assert remind(at(25, 7, 15)) == []


def test_someone_who_turned_reminders_off_gets_none_but_the_dashboard_still_lists_them(
    busy_tuesday, remind, facilitator
):
    prefer(facilitator, Delivery.NONE)

    assert remind(at(24, 22)) == []
    assert remind(at(25, 7)) == []
    assert set(SentNotification.objects.values_list("delivery", flat=True)) == {Delivery.NONE}
    with time_machine.travel(at(25, 7), tick=False):
        assert len(needs.needs_now(person=facilitator)) == 2


def test_a_reminder_can_be_stopped_from_the_email_itself(running, remind):
    remind(at(24, 22))

    message = mail.outbox[-1]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://groups.example.org/accounts/email/unsubscribe/")
    assert link in message.body


def test_the_command_says_how_many_went_each_way_and_nothing_else(busy_tuesday, facilitator, coordinator):
    RiskAssessmentFactory(group=busy_tuesday.member.group, review_date=datetime.date(2026, 11, 20))
    prefer(facilitator, Delivery.DAILY_DIGEST)
    output = StringIO()

    with time_machine.travel(at(24, 22), tick=False):
        call_command("send_reminders", stdout=output)

    assert output.getvalue() == (
        "Reminders: 1 queued to send now, 1 kept for a daily digest, 0 not sent (reminders turned off); "
        "0 daily digest(s) queued.\n"
    )
