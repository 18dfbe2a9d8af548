"""Migration 0002 moves each session's debrief safeguarding answers into one open safeguarding
concern, which coordinators see, before sessions_log's 0007 removes the debrief's fields."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("concerns", "0001_initial"), ("sessions_log", "0008_follow_up_kinds")]
AFTER = [("concerns", "0002_concerns_from_debrief_flags"), ("sessions_log", "0009_debrief_keeps_only_the_reflection")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    # Leave the database as every other test expects it: fully migrated.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _debrief(apps, session, author, **fields):
    return apps.get_model("sessions_log", "Debrief").objects.create(
        session=session, author=author, how_it_went="Warm.", wellbeing=3, **fields
    )


def test_debrief_safeguarding_answers_become_one_open_concern_per_session(old_apps):
    User = old_apps.get_model("accounts", "User")
    bob, dana = User.objects.create(username="bob"), User.objects.create(username="dana")
    group = old_apps.get_model("groups", "SupportGroup").objects.create(
        name="Riverside", purpose="Support.", why_group_work="Asked for."
    )
    GroupSession = old_apps.get_model("sessions_log", "GroupSession")
    day = datetime.date(2026, 3, 3)
    flagged = GroupSession.objects.create(group=group, date=day, starts_at="18:30", ends_at="20:00")
    calm = GroupSession.objects.create(
        group=group, date=day + datetime.timedelta(days=7), starts_at="18:30", ends_at="20:00"
    )
    told = {"safeguarding_concern": True, "safeguarding_told": "The safeguarding lead"}
    _debrief(old_apps, flagged, bob, safeguarding_action="Spoke to the lead that evening.", **told)
    _debrief(old_apps, flagged, dana, safeguarding_action="Spoke to the lead that evening.", **told)
    _debrief(old_apps, calm, bob)

    new_apps = migrate(AFTER)

    Concern = new_apps.get_model("concerns", "Concern")
    concern = Concern.objects.get()
    assert (concern.group_id, concern.session_id, concern.kind, concern.where) == (
        group.pk,
        flagged.pk,
        "safeguarding",
        "in_session",
    )
    assert (concern.happened_on, concern.member_id, concern.raised_by_id) == (day, None, bob.pk)
    assert (concern.what_was_done, concern.who_was_told) == ("Spoke to the lead that evening.", "The safeguarding lead")
    assert concern.closed_on is None and concern.outcome == ""
    history = new_apps.get_model("concerns", "HistoricalConcern").objects.get(id=concern.pk)
    assert (history.history_type, history.history_change_reason) == ("+", "Moved from a debrief's safeguarding answer")
    Debrief = new_apps.get_model("sessions_log", "Debrief")
    assert {field.name for field in Debrief._meta.get_fields()}.isdisjoint(
        {"safeguarding_concern", "safeguarding_action", "safeguarding_told"}
    )


def test_a_flag_without_words_still_becomes_a_concern_that_says_so(old_apps):
    User = old_apps.get_model("accounts", "User")
    group = old_apps.get_model("groups", "SupportGroup").objects.create(
        name="Hilltop", purpose="S.", why_group_work="A."
    )
    session = old_apps.get_model("sessions_log", "GroupSession").objects.create(
        group=group, date=datetime.date(2026, 3, 3), starts_at="18:30", ends_at="20:00"
    )
    _debrief(old_apps, session, User.objects.create(username="bob"), safeguarding_concern=True)

    concern = migrate(AFTER).get_model("concerns", "Concern").objects.get()

    assert concern.what_was_done.startswith("Recorded in a facilitator's debrief as a safeguarding concern")
    assert concern.who_was_told == ""
