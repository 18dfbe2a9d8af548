"""Every write and its history copy commit together, or neither does (issue 13, item 9).

The tester cancelled the history insert and kept the change without its history. Here the
database itself refuses the insert into one history table (a PostgreSQL trigger, created inside
the test's transaction and gone with it), as a failing disk or a killed connection would, and each
representative service must leave nothing of its change behind: a new row, a correction, a
bulk insert with its follow-ups, a deletion, and an erasure that rewrites notes. Views write only
through services (checked by reading them: audit/tests/test_no_untracked_writes.py and
tests/test_service_signatures.py), so the pages are covered by the same transactions.
"""

import datetime

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.models import Aim, GroupRole
from groups.services import remove_team_role, save_aim
from groups.tests.factories import GroupRoleFactory, mark_launched
from sessions_log import erasure
from sessions_log.models import Attendance, FollowUp, GroupSession, Lesson, Member
from sessions_log.services import add_member, close_follow_up, save_register, update_member
from sessions_log.tests.factories import GroupSessionFactory, LessonFactory
from sessions_log.tests.records import snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres("the history insert is refused by a trigger written in PL/pgSQL"),
]


def refuse_inserts_into(model):
    """From now until the test's transaction ends, the database refuses any new row of the
    model's history table."""
    table = model.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_history_for_this_test() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'history copy refused'; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            f'CREATE TRIGGER refuse_history BEFORE INSERT ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION refuse_history_for_this_test()"
        )


@pytest.fixture
def running(group, coordinator, facilitator):
    mark_launched(group)
    member = add_member(
        member=Member(group=group, display_name="Robin", joined_on=timezone.localdate()), by=facilitator
    )
    session = GroupSessionFactory(
        group=group, date=timezone.localdate() - datetime.timedelta(days=1), facilitators_present=[facilitator]
    )
    return group, member, session


def _unchanged_by(change, history_of):
    refuse_inserts_into(history_of)
    before = snapshot()
    with pytest.raises(DatabaseError, match="history copy refused"):
        change()
    return snapshot() == before


def test_a_new_aim_is_not_kept_without_its_history(group, coordinator):
    assert _unchanged_by(lambda: save_aim(aim=Aim(group=group, text="Members feel less alone."), by=coordinator), Aim)
    assert not Aim.objects.exists()


def test_a_corrected_member_is_not_kept_without_its_history(running, facilitator):
    _, member, _ = running
    member.display_name = "Robyn"

    assert _unchanged_by(lambda: update_member(member=member, by=facilitator), Member)
    assert Member.objects.get(pk=member.pk).display_name == "Robin"


def test_a_register_and_its_follow_ups_are_not_kept_without_the_follow_ups_history(running, facilitator):
    """The marks and the session's stamp are written first; the follow-up's history copy last.
    Its refusal undoes them all."""
    _, member, session = running

    assert _unchanged_by(
        lambda: save_register(session=session, marks={member.pk: Attendance.Status.ABSENT}, by=facilitator), FollowUp
    )
    assert not Attendance.objects.exists() and not FollowUp.objects.exists()
    assert GroupSession.objects.get(pk=session.pk).register_taken_at is None


def test_a_closed_follow_up_stays_open_without_its_history(running, facilitator):
    _, member, session = running
    save_register(session=session, marks={member.pk: Attendance.Status.ABSENT}, by=facilitator)
    follow_up = FollowUp.objects.get()

    assert _unchanged_by(
        lambda: close_follow_up(follow_up=follow_up, outcome=FollowUp.Outcome.CONTACTED, note="Spoke.", by=facilitator),
        FollowUp,
    )
    assert FollowUp.objects.get().is_open


def test_someone_removed_from_the_team_stays_on_it_without_the_history(group, coordinator):
    role = GroupRoleFactory(group=group, user=UserFactory(username="dana"), role=GroupRole.Role.CO_FACILITATOR)

    assert _unchanged_by(lambda: remove_team_role(role=role, by=coordinator), GroupRole)
    assert GroupRole.objects.filter(pk=role.pk).exists()


def test_an_erasure_that_rewrote_notes_is_undone_whole_when_a_history_copy_is_refused(running, coordinator):
    """The erasure rewrites a lesson (its history copy saved) and then deletes the member, whose
    deletion writes a history copy the database refuses: the lesson keeps the name, the member
    stays."""
    group, member, _ = running
    lesson = LessonFactory(group=group, what_worked="Robin led the check-in.", what_to_change="")
    key = f"lesson-{lesson.pk}-what_worked"

    assert _unchanged_by(
        lambda: erasure.erase_member(member=member, reason="Asked.", by=coordinator, remove_name_from={key}), Member
    )
    assert Lesson.objects.get(pk=lesson.pk).what_worked == "Robin led the check-in."
    assert Member.objects.filter(pk=member.pk).exists()
