"""The task queue: on the database backend a queued email is a row that a separate worker process
(`manage.py db_worker`) picks up and sends; a failed send is kept, shown in the admin, and tried
again later. (Every other test runs tasks at once, with the immediate backend.)"""

import datetime
import os
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from accounts.tests.factories import UserFactory
from notifications import tasks
from notifications.mail import send_after_commit

ROOT = Path(__file__).resolve().parents[2]
FAILED, READY, SUCCESSFUL = "FAILED", "READY", "SUCCESSFUL"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def unreachable_mail_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens there once the probe is closed: connecting is refused at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5


def run_worker_once():
    """What `manage.py db_worker --batch` does, in this process (without taking over its signals)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def database_url() -> str:
    database = django_settings.DATABASES["default"]
    assert connection.vendor == "postgresql", "make test runs this on PostgreSQL"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_queued_email_waits_in_the_database_until_a_worker_process_sends_it(database_queue, tmp_path):
    dana = UserFactory(username="dana", email="dana@example.org")

    send_after_commit("password_reset", to=dana)  # no transaction open: queued at once

    [queued] = DBTaskResult.objects.all()
    assert queued.status == READY
    assert queued.task_path == "notifications.tasks.send_mail"
    # The queue holds the kind and ids: not the address, not the reset link.
    assert queued.args_kwargs == {
        "args": [],
        "kwargs": {"kind": "password_reset", "recipient_id": dana.pk, "ids": {}},
    }
    outbox = tmp_path / "mail"
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            # django-environ's file scheme: each message a file in this folder.
            "EMAIL_URL": f"filemail:///{outbox}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert worker.returncode == 0, worker.stdout + worker.stderr
    queued.refresh_from_db()
    assert queued.status == SUCCESSFUL
    assert queued.return_value == "sent"
    [sent] = outbox.iterdir()
    assert "Subject: Reset your Group planner password" in sent.read_text()
    assert "To: dana@example.org" in sent.read_text()


# A worker manages its own database connection, as it does in production: outside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_a_failed_send_stays_in_the_admin_and_is_tried_again_later(database_queue, unreachable_mail_server, client):
    dana = UserFactory(username="dana", email="dana@example.org")
    tasks.send_mail.enqueue(kind="password_reset", recipient_id=dana.pk, ids={})

    run_worker_once()

    failed = DBTaskResult.objects.get(status=FAILED)
    assert "ConnectionRefusedError" in failed.exception_class_path
    retry = DBTaskResult.objects.get(status=READY)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert (
        timezone.now() + datetime.timedelta(seconds=50)
        < retry.run_after
        < timezone.now() + datetime.timedelta(minutes=2)
    )
    # An administrator sees both, and why the first failed.
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).content.decode()
    assert "Failed" in listing and "Ready" in listing
    detail = client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed.pk])).content.decode()
    assert "ConnectionRefusedError" in detail


@pytest.mark.django_db
def test_each_retry_waits_longer_and_the_last_attempt_gives_up(database_queue, unreachable_mail_server):
    dana = UserFactory(username="dana", email="dana@example.org")
    waits = []
    for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
        started = timezone.now()
        with pytest.raises(ConnectionRefusedError):
            tasks.send_mail.call(kind="password_reset", recipient_id=dana.pk, ids={}, attempt=attempt)
        retries = DBTaskResult.objects.filter(args_kwargs__kwargs__attempt=attempt + 1)
        if attempt < tasks.MAX_ATTEMPTS:
            waits.append(retries.get().run_after - started)
        else:
            assert not retries.exists()

    assert waits == sorted(waits) and len(set(waits)) == len(waits)
    assert waits[0] >= datetime.timedelta(minutes=1)


def test_a_mail_servers_permanent_refusal_is_not_tried_again():
    assert not tasks._may_pass(smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such mailbox")}))
    assert not tasks._may_pass(smtplib.SMTPSenderRefused(553, b"Sender not allowed", "groups@example.org"))
    assert tasks._may_pass(smtplib.SMTPRecipientsRefused({"x@example.org": (451, b"Try again later")}))
    assert tasks._may_pass(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    assert tasks._may_pass(ConnectionRefusedError())
