"""Migrations that check the data before they change the schema."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("sessions_log", "0005_bounded_text_and_names_on_one_line")]
CONSTRAINT = [("sessions_log", "0006_member_leaves_on_or_after_joining")]


def migrate(targets):
    """Migrate to the targets; the models as the database now has them. Apps not rolled back stay
    at their latest (a group's later columns are there), which the state migrate returns includes."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps


@pytest.fixture
def before_the_constraint(transactional_db):
    """The database as it was before 0006, put back to the latest schema afterwards whatever happens."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        yield migrate(BEFORE)
    finally:
        migrate(latest)


def test_the_constraint_migration_stops_on_members_who_left_before_joining_and_names_only_ids(before_the_constraint):
    apps = before_the_constraint
    group = apps.get_model("groups", "SupportGroup").objects.create(name="Old group", purpose="p", why_group_work="w")
    Member = apps.get_model("sessions_log", "Member")
    day = datetime.date(2026, 5, 3)
    wrong = Member.objects.create(
        group=group,
        display_name="Zephyrine",
        joined_on=day,
        status="exited",
        exited_on=day - datetime.timedelta(days=1),
        exit_reason="moved_on",
    )

    with pytest.raises(RuntimeError) as stopped:
        migrate(CONSTRAINT)

    message = str(stopped.value)
    assert f"member {wrong.pk} of group {group.pk}" in message
    assert "Zephyrine" not in message and "Old group" not in message
    # Once the join date is put right, the migration goes through.
    Member.objects.filter(pk=wrong.pk).update(joined_on=day - datetime.timedelta(days=1))
    migrate(CONSTRAINT)
