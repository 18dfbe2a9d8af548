"""Nothing lost: `make backup` (scripts/backup.sh) dumps the database, and scripts/restore.sh
brings it back into a fresh database with every row of every table.

These need PostgreSQL (pg_dump and pg_restore), which `make test` always runs on."""

import os
import re
import stat
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.db import connection

from tests.world import build_world

ROOT = Path(__file__).resolve().parents[1]
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"
NEEDS_PG_DUMP = pytest.mark.postgres("pg_dump and pg_restore back up and restore a PostgreSQL database")


def _url(database: str) -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{database}"


def _run(script, *args, database, **env):
    return subprocess.run(
        [str(script), *map(str, args)],
        env={**os.environ, "DATABASE_URL": _url(database), **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _connect(database):
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=database, user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or 5432
    )


def _model_tables() -> list[str]:
    """Every model's table, history tables and many-to-many tables included."""
    return sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})


def _row_counts(database) -> dict[str, int]:
    with _connect(database) as conn, conn.cursor() as cursor:
        counts = {}
        for table in _model_tables():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


@pytest.fixture
def fresh_database(transactional_db):
    """An empty database on the same server, dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    admin = _connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@NEEDS_PG_DUMP
def test_a_backup_restores_into_a_fresh_database_with_every_row(fresh_database, tmp_path):
    world = build_world()
    source = connection.settings_dict["NAME"]
    before = _row_counts(source)
    dump = tmp_path / "groups.dump"

    backed_up = _run(BACKUP, dump, database=source)
    restored = _run(RESTORE, dump, database=fresh_database)

    assert backed_up.returncode == 0, backed_up.stderr
    assert restored.returncode == 0, restored.stderr
    assert _row_counts(fresh_database) == before
    # The comparison means something: the world put rows in the tables that matter, and their
    # history copies.
    filled = {table for table, count in before.items() if count}
    assert {
        "groups_supportgroup",
        "groups_historicalsupportgroup",
        "sessions_log_member",
        "sessions_log_debrief",
        "sessions_log_attendance",
        "sessions_log_groupsession_facilitators_present",
    } <= filled
    with _connect(fresh_database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT how_it_went FROM sessions_log_debrief WHERE id = %s", [world.objects["debrief_pk"].pk])
        assert cursor.fetchone() == ("Quayside debrief words",)
    conn.close()


@NEEDS_PG_DUMP
def test_restoring_again_replaces_what_the_database_holds_now(fresh_database, tmp_path):
    build_world()
    dump = tmp_path / "groups.dump"
    assert _run(BACKUP, dump, database=connection.settings_dict["NAME"]).returncode == 0
    assert _run(RESTORE, dump, database=fresh_database).returncode == 0
    expected = _row_counts(fresh_database)
    with _connect(fresh_database) as conn, conn.cursor() as cursor:
        cursor.execute("DELETE FROM sessions_log_debriefnote")
        cursor.execute("UPDATE groups_supportgroup SET name = 'Changed since the backup'")
    conn.close()

    again = _run(RESTORE, dump, database=fresh_database)

    assert again.returncode == 0, again.stderr
    assert _row_counts(fresh_database) == expected
    with _connect(fresh_database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM groups_supportgroup WHERE name = 'Changed since the backup'")
        assert cursor.fetchone() == (0,)
    conn.close()


@NEEDS_PG_DUMP
def test_a_damaged_backup_is_refused_and_changes_nothing(fresh_database, tmp_path):
    build_world()
    dump = tmp_path / "groups.dump"
    assert _run(BACKUP, dump, database=connection.settings_dict["NAME"]).returncode == 0
    assert _run(RESTORE, dump, database=fresh_database).returncode == 0
    before = _row_counts(fresh_database)
    damaged = tmp_path / "damaged.dump"
    data = dump.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])

    result = _run(RESTORE, damaged, database=fresh_database)

    assert result.returncode != 0
    assert _row_counts(fresh_database) == before


@NEEDS_PG_DUMP
def test_make_backup_names_the_file_by_date_and_only_its_owner_can_read_it(transactional_db, tmp_path):
    result = _run(BACKUP, database=connection.settings_dict["NAME"], BACKUP_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    [dump] = list(tmp_path.iterdir())
    assert re.fullmatch(r"groups-\d{8}-\d{6}\.dump", dump.name)
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert dump.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = subprocess.run(
        [str(BACKUP), str(tmp_path / "x.dump")],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 2
    assert "not a PostgreSQL database" in result.stderr
    assert not list(tmp_path.iterdir())
