"""Two workers on the SQLite database that `make run` uses, writing at once."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# SQLite, as `make run` uses it ----------------------------------------------------------------------

SQLITE_SETTINGS = """
import json, django
django.setup()
from django.db import connection
from django.forms import model_to_dict
with connection.cursor() as cursor:
    values = {}
    for pragma in ("journal_mode", "busy_timeout", "synchronous"):
        cursor.execute(f"PRAGMA {pragma}")
        values[pragma] = cursor.fetchone()[0]
values["transaction_mode"] = connection.transaction_mode
print(json.dumps(values))
"""

# Each worker reads and then writes in one transaction, over and over for two seconds, both
# starting at the same moment: the pattern that fails with "database is locked" within a second
# when SQLite is left to its defaults (checked by hand: it does, every time).
SQLITE_WORKER = """
import sys, time, django
django.setup()
from django.db import connection, transaction
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS tally (worker TEXT)")
name, start, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
time.sleep(max(0, start - time.time()))
written = 0
while time.time() < start + seconds:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM tally")
        cursor.execute("INSERT INTO tally (worker) VALUES (%s)", [name])
    written += 1
print(written)
"""


def _sqlite_env(tmp_path):
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "groups_site.settings",
    }


def test_the_sqlite_database_is_set_up_for_more_than_one_worker(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SETTINGS], cwd=ROOT, env=_sqlite_env(tmp_path), capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '{"journal_mode": "wal", "busy_timeout": 20000, "synchronous": 1, "transaction_mode": "IMMEDIATE"}'
    )


def test_two_workers_writing_to_sqlite_at_once_never_find_it_locked(tmp_path):
    env = _sqlite_env(tmp_path)
    subprocess.run([sys.executable, "-c", SQLITE_WORKER, "setup", "0", "0"], cwd=ROOT, env=env, check=True)
    # Far enough ahead for both to have started Django.
    start = str(time.time() + 3)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", SQLITE_WORKER, name, start, "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    outputs = [worker.communicate(timeout=60) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], [stderr for _, stderr in outputs]
    written = {name: int(stdout) for name, (stdout, _) in zip(("first", "second"), outputs, strict=True)}
    assert min(written.values()) > 100
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        assert dict(database.execute("SELECT worker, COUNT(*) FROM tally GROUP BY worker")) == written
