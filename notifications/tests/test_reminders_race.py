"""send_reminders run twice at the same moment, as two machines' timers would, on PostgreSQL: each
reminder is decided and queued exactly once. The test holds a lock on the sent-log until both
processes are waiting to write to it, so that they race for every row rather than one finishing
before the other starts."""

import datetime
import os
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.tests.factories import UserFactory
from groups.models import GroupRole, SupportGroup
from groups.tests.factories import GroupRoleFactory, RiskAssessmentFactory, SupportGroupFactory
from notifications.models import SentNotification
from notifications.tests.test_queue import ROOT, database_url
from sessions_log.models import Debrief
from sessions_log.tests.factories import DebriefFactory, FollowUpFactory, GroupSessionFactory, MemberFactory

Role = GroupRole.Role
GROUPS = 6


def busy_groups():
    """Groups each with a follow-up due today, a debrief waiting past its review date and a risk
    assessment past its review date: three reminders a group, whatever the hour. They launched
    just now, so no meeting of theirs is waiting to be recorded."""
    today = timezone.localdate()
    for number in range(GROUPS):
        group = SupportGroupFactory(
            name=f"Race group {number}", status=SupportGroup.Status.ACTIVE, launched_at=timezone.now()
        )
        lead, supervisor = UserFactory(username=f"lead{number}"), UserFactory(username=f"supervisor{number}")
        GroupRoleFactory(group=group, user=UserFactory(username=f"coordinator{number}"), role=Role.COORDINATOR)
        GroupRoleFactory(group=group, user=lead, role=Role.LEAD_FACILITATOR)
        GroupRoleFactory(group=group, user=supervisor, role=Role.SUPERVISOR)
        session = GroupSessionFactory(group=group, date=today - datetime.timedelta(days=10))
        FollowUpFactory(member=MemberFactory(group=group), session=session, assignee=lead, due_on=today)
        debrief = DebriefFactory(session=session, author=lead)
        Debrief.objects.filter(pk=debrief.pk).update(created_at=timezone.now() - datetime.timedelta(days=9))
        RiskAssessmentFactory(group=group, review_date=today - datetime.timedelta(days=1))
    return GROUPS * 3


def waiting_for_the_lock(table) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT pid) FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [table]
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres("two processes race for the sent-log's rows while a PostgreSQL table lock holds them")
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_exactly_once():
    assert connection.vendor == "postgresql", "make test runs this on PostgreSQL"
    expected = busy_groups()
    environment = {**os.environ, "DATABASE_URL": database_url(), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    command = [sys.executable, "manage.py", "send_reminders"]
    table = SentNotification._meta.db_table

    with transaction.atomic():
        # Writes to the sent-log wait until this block ends; reads do not.
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
        runs = [
            subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        deadline = time.monotonic() + 120
        while waiting_for_the_lock(table) < 2:
            assert time.monotonic() < deadline, "both runs should reach the sent-log"
            assert all(run.poll() is None for run in runs), [run.communicate() for run in runs]
            time.sleep(0.2)
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    # Between them, the two runs decided every reminder once.
    assert SentNotification.objects.count() == expected
    queued = Counter(
        (
            task.args_kwargs["kwargs"]["kind"],
            task.args_kwargs["kwargs"]["recipient_id"],
            str(task.args_kwargs["kwargs"]["ids"]),
        )
        for task in DBTaskResult.objects.filter(task_path="notifications.tasks.send_mail")
    )
    assert len(queued) == expected
    assert set(queued.values()) == {1}
    assert Counter(kind for kind, _, _ in queued) == {
        "follow_up_due": GROUPS,
        "debrief_review_overdue": GROUPS,
        "risk_assessment_review_due": GROUPS,
    }
    # Each printed what it queued itself: together, every reminder.
    counted = [int(output.split("Reminders: ")[1].split(" ")[0]) for output, _ in outputs]
    assert sum(counted) == expected
