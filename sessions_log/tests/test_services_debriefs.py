"""Debriefs and supervision, at the level of the rules: who writes, reads and reviews a debrief,
that a reviewed debrief is locked, and the order debriefs reach their supervisor.

Bob leads the group and writes debriefs, Dana co-facilitates it, Alice coordinates it and Sam
supervises it. Charlie runs another group.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.models import GroupRole, SupportGroup
from groups.tests.factories import GroupRoleFactory
from sessions_log.models import Debrief, DebriefNote, DebriefReview, GroupSession
from sessions_log.permissions import can_read_debrief, can_review_debrief, can_write_debrief
from sessions_log.services import add_debrief_note, review_debrief, save_debrief
from sessions_log.tests.factories import DebriefFactory, GroupSessionFactory

pytestmark = pytest.mark.django_db

Role = GroupRole.Role


@pytest.fixture
def co_facilitator(group):
    user = UserFactory(username="dana")
    GroupRoleFactory(group=group, user=user, role=Role.CO_FACILITATOR)
    return user


@pytest.fixture
def session(group, coordinator, facilitator, co_facilitator, supervisor):
    """A session held last week, run by Bob and Dana, in a group with its whole team."""
    return GroupSessionFactory(group=group, facilitators_present=[facilitator, co_facilitator])


@pytest.fixture
def debrief(session, facilitator):
    return DebriefFactory(session=session, author=facilitator, how_it_went="Quiet start, warm finish.")


def with_roles(group):
    """The group as the services read it: with its roles loaded."""
    return SupportGroup.objects.prefetch_related("roles").get(pk=group.pk)


def new_debrief(session, **fields):
    values = {"how_it_went": "It went well.", "wellbeing": 4, **fields}
    return Debrief(session=session, **values)


def age(debrief, days):
    """Pretend the debrief was written `days` ago."""
    Debrief.objects.filter(pk=debrief.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    debrief.refresh_from_db()
    return debrief


# Writing -------------------------------------------------------------------------------------


def test_a_facilitator_who_was_at_the_session_writes_their_own_debrief(session, facilitator):
    debrief = save_debrief(debrief=new_debrief(session), by=facilitator)

    assert debrief.pk is not None
    assert debrief.author == facilitator


def test_a_facilitator_who_was_not_at_the_session_cannot_write_a_debrief_for_it(group, session):
    absent = UserFactory(username="erin")
    GroupRoleFactory(group=group, user=absent, role=Role.CO_FACILITATOR)

    with pytest.raises(PermissionDenied):
        save_debrief(debrief=new_debrief(session), by=absent)
    assert not Debrief.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "supervisor"])
def test_people_who_did_not_run_the_session_cannot_write_a_debrief(request, session, role):
    with pytest.raises(PermissionDenied):
        save_debrief(debrief=new_debrief(session), by=request.getfixturevalue(role))


def test_a_session_that_did_not_run_has_no_debriefs(group, facilitator):
    cancelled = GroupSessionFactory(
        group=group,
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
        facilitators_present=[facilitator],
    )

    assert not can_write_debrief(facilitator, cancelled, group)
    with pytest.raises(PermissionDenied):
        save_debrief(debrief=new_debrief(cancelled), by=facilitator)


def test_a_facilitator_cannot_change_a_colleagues_debrief(debrief, co_facilitator):
    debrief.how_it_went = "Rewritten by someone else."

    with pytest.raises(PermissionDenied):
        save_debrief(debrief=debrief, by=co_facilitator)
    debrief.refresh_from_db()
    assert debrief.how_it_went == "Quiet start, warm finish."


def test_a_debrief_can_be_changed_until_it_is_reviewed(debrief, facilitator):
    debrief.how_it_went = "Better than I first thought."

    save_debrief(debrief=debrief, by=facilitator)

    debrief.refresh_from_db()
    assert debrief.how_it_went == "Better than I first thought."


# Locking after review ------------------------------------------------------------------------


def test_a_reviewed_debrief_is_locked(debrief, facilitator, supervisor):
    review_debrief(debrief=debrief, by=supervisor, comments="Thank you, well handled.")
    debrief.how_it_went = "Changed after the review."

    with pytest.raises(ValidationError, match="locked"):
        save_debrief(debrief=debrief, by=facilitator)
    assert Debrief.objects.get(pk=debrief.pk).how_it_went == "Quiet start, warm finish."


def test_after_review_later_thoughts_are_added_as_notes_and_the_debrief_is_unchanged(debrief, facilitator, supervisor):
    review_debrief(debrief=debrief, by=supervisor, comments="Thank you.")

    note = add_debrief_note(debrief=debrief, by=facilitator, text="Talked it through with Sam; feeling better.")

    assert list(debrief.notes.all()) == [note]
    assert Debrief.objects.get(pk=debrief.pk).how_it_went == "Quiet start, warm finish."


def test_a_debrief_is_reviewed_only_once(debrief, supervisor):
    review_debrief(debrief=debrief, by=supervisor, comments="Thank you.")

    with pytest.raises(ValidationError, match="already been reviewed"):
        review_debrief(debrief=debrief, by=supervisor, comments="Again.")
    assert DebriefReview.objects.count() == 1


def test_a_review_needs_a_comment(debrief, supervisor):
    with pytest.raises(ValidationError) as refusal:
        review_debrief(debrief=debrief, by=supervisor, comments="   ")

    assert "comments" in refusal.value.message_dict
    assert not DebriefReview.objects.exists()


# Confidentiality -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "may_read"),
    [
        ("facilitator", True),  # the author
        ("supervisor", True),
        ("coordinator", False),
        ("co_facilitator", False),
        ("outsider", False),
    ],
)
def test_only_the_author_and_the_groups_supervisor_read_a_debrief(request, group, debrief, person, may_read):
    user = request.getfixturevalue(person)

    assert can_read_debrief(user, debrief, with_roles(group)) is may_read


def test_a_superuser_may_read_any_debrief(group, debrief):
    admin = UserFactory(username="root", is_superuser=True)

    assert can_read_debrief(admin, debrief, with_roles(group))


@pytest.mark.parametrize("person", ["coordinator", "co_facilitator", "outsider"])
def test_people_who_may_not_read_a_debrief_cannot_add_notes_to_it(request, debrief, person):
    with pytest.raises(PermissionDenied):
        add_debrief_note(debrief=debrief, by=request.getfixturevalue(person), text="Curious.")
    assert not DebriefNote.objects.exists()


@pytest.mark.parametrize("person", ["facilitator", "supervisor"])
def test_the_author_and_the_supervisor_add_notes(request, debrief, person):
    user = request.getfixturevalue(person)

    note = add_debrief_note(debrief=debrief, by=user, text="Checked in a week later.")

    assert note.author == user


def test_an_empty_note_is_refused(debrief, facilitator):
    with pytest.raises(ValidationError):
        add_debrief_note(debrief=debrief, by=facilitator, text="  ")


@pytest.mark.parametrize("person", ["coordinator", "facilitator", "co_facilitator", "outsider"])
def test_only_the_groups_supervisor_reviews_debriefs(request, debrief, person):
    with pytest.raises(PermissionDenied):
        review_debrief(debrief=debrief, by=request.getfixturevalue(person), comments="Looks fine.")
    assert not DebriefReview.objects.exists()


def test_a_supervisor_cannot_review_their_own_debrief(group, supervisor):
    # Sam also co-facilitates this group and ran a session himself.
    GroupRoleFactory(group=group, user=supervisor, role=Role.CO_FACILITATOR)
    session = GroupSessionFactory(group=group, facilitators_present=[supervisor])
    own = save_debrief(debrief=new_debrief(session), by=supervisor)

    assert not can_review_debrief(supervisor, own, with_roles(group))
    with pytest.raises(PermissionDenied):
        review_debrief(debrief=own, by=supervisor, comments="All good with me.")
    assert not DebriefReview.objects.exists()


def test_the_supervisor_of_another_group_cannot_review_this_groups_debriefs(debrief):
    other_supervisor = UserFactory(username="vic")
    GroupRoleFactory(role=Role.SUPERVISOR, user=other_supervisor)

    with pytest.raises(PermissionDenied):
        review_debrief(debrief=debrief, by=other_supervisor, comments="Not mine to review.")


# The review queue ----------------------------------------------------------------------------


def test_debriefs_needing_attention_come_first_then_the_oldest(session, facilitator, co_facilitator, group):
    other_session = GroupSessionFactory(
        group=group,
        date=timezone.localdate() - datetime.timedelta(days=14),
        facilitators_present=[facilitator, co_facilitator],
    )
    old_calm = age(DebriefFactory(session=other_session, author=facilitator, wellbeing=4), days=9)
    new_calm = age(DebriefFactory(session=session, author=facilitator, wellbeing=5), days=1)
    low_wellbeing = age(DebriefFactory(session=session, author=co_facilitator, wellbeing=2), days=2)
    concern_session = GroupSessionFactory(
        group=group, date=timezone.localdate() - datetime.timedelta(days=21), facilitators_present=[co_facilitator]
    )
    concern = age(DebriefFactory(session=concern_session, author=co_facilitator, wellbeing=4, after_concern=True), 3)

    assert list(Debrief.objects.flagged_first()) == [concern, low_wellbeing, old_calm, new_calm]


def test_wellbeing_of_three_is_not_flagged(debrief):
    Debrief.objects.filter(pk=debrief.pk).update(wellbeing=3)

    assert not Debrief.objects.filter(Debrief.needs_attention()).exists()


def test_reviewed_debriefs_leave_the_queue(debrief, session, co_facilitator, supervisor):
    waiting = DebriefFactory(session=session, author=co_facilitator)
    review_debrief(debrief=debrief, by=supervisor, comments="Thank you.")

    assert list(Debrief.objects.awaiting_review()) == [waiting]


@pytest.mark.parametrize(("days", "overdue"), [(0, False), (7, False), (8, True)])
def test_a_review_is_overdue_after_seven_days(debrief, days, overdue):
    assert age(debrief, days).is_review_overdue is overdue


def test_signing_a_debrief_off_marks_it_reviewed_without_a_history_entry(debrief, session, co_facilitator, supervisor):
    other = DebriefFactory(session=session, author=co_facilitator)
    versions = debrief.history.count()

    review_debrief(debrief=debrief, by=supervisor, comments="Thank you.")

    assert {each.pk: each.reviewed for each in Debrief.objects.all()} == {debrief.pk: True, other.pk: False}
    assert debrief.history.count() == versions
    assert list(Debrief.objects.awaiting_review()) == [other]


def test_an_edit_loaded_before_the_sign_off_is_refused_and_leaves_it_reviewed(debrief, facilitator, supervisor):
    loaded_before = Debrief.objects.get(pk=debrief.pk)
    review_debrief(debrief=debrief, by=supervisor, comments="Thank you.")
    loaded_before.how_it_went = "Changed after the sign-off."

    with pytest.raises(ValidationError, match="reviewed and is locked"):
        save_debrief(debrief=loaded_before, by=facilitator)

    debrief.refresh_from_db()
    assert debrief.reviewed
    assert debrief.how_it_went != "Changed after the sign-off."


def test_debriefs_reviewed_before_the_flag_existed_are_marked_by_the_migration(debrief, session, co_facilitator):
    waiting = DebriefFactory(session=session, author=co_facilitator)
    # Made as before the field existed: without review_debrief, so the flag is not set.
    DebriefReview.objects.bulk_create([DebriefReview(debrief=debrief, comments="Thank you.")])
    assert not Debrief.objects.get(pk=debrief.pk).reviewed

    migration = importlib.import_module("sessions_log.migrations.0004_debrief_reviewed")
    migration.mark_reviewed_debriefs(django_apps, schema_editor=None)

    assert list(Debrief.objects.awaiting_review()) == [waiting]
