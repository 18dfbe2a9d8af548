"""A server error is logged, once, with the page's path and the signed-in person's id, and
never with what they sent: no request body, query string, cookies or database row. Before,
nothing was logged at all with DEBUG off (Django's console handler is for DEBUG only), so the
500 page's "the problem has been logged" was not true."""

import copy
import io
import logging
import logging.config
import re

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core import mail
from django.test import Client
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from accounts.tests.factories import UserFactory
from tests.access_matrix import sign_in

TYPED = "Robinia told the group about her week"
SEARCHED = "Wrennaquist"
ROW = "Quillonelle"
# A record starts with the time and level; a traceback's lines do not.
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (ERROR|WARNING|INFO)", re.MULTILINE)


@csrf_exempt
@login_not_required
def fails(request, rest=""):
    raise RuntimeError("the view failed")


@login_not_required
def fails_in_the_database(request):
    raise ValueError(
        f'new row for relation "sessions_log_member" violates check constraint "x"\n'
        f"DETAIL:  Failing row contains (7, {ROW}, 2026-01-06)."
    )


urlpatterns = [
    path("fails/", fails),
    path("fails/<path:rest>", fails),
    path("fails-in-the-database/", fails_in_the_database),
    path("", include("groups_site.urls")),
]


@pytest.fixture
def stderr_log():
    """What the configured stderr handler writes, while the test runs."""
    handler = next(handler for handler in logging.getLogger().handlers if handler.get_name() == "stderr")
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


@pytest.fixture
def failing_client(db, settings):
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


def records(log: str) -> list[str]:
    starts = [match.start() for match in RECORD_START.finditer(log)]
    return [log[start:end] for start, end in zip(starts, [*starts[1:], len(log)], strict=True)]


def test_a_server_error_is_logged_once_with_the_path_and_user_id_but_nothing_that_was_sent(failing_client, stderr_log):
    person = UserFactory(username="erin")
    sign_in(failing_client, person, verified=True)

    response = failing_client.post(f"/fails/?q={SEARCHED}", {"note": TYPED})

    assert response.status_code == 500
    [record] = records(stderr_log.getvalue())
    assert record.startswith(f"{record[:23]} ERROR django.request path=/fails/ user={person.pk}: Internal Server Error")
    assert "RuntimeError: the view failed" in record
    assert 'raise RuntimeError("the view failed")' in record  # the traceback, to find the fault
    assert TYPED not in record
    assert SEARCHED not in record
    assert failing_client.cookies["sessionid"].value not in record


def test_a_failure_for_someone_not_signed_in_says_so(failing_client, stderr_log):
    failing_client.get("/fails/")

    [record] = records(stderr_log.getvalue())
    assert "path=/fails/ user=anonymous:" in record


def test_a_path_with_a_line_break_in_it_cannot_forge_a_line_of_the_log(failing_client, stderr_log):
    forged = "2026-01-01 00:00:00,000 ERROR django.request path=/admin/ user=1: forged"

    # Django's path converter stops at a line break, so this is a "Not Found" warning, which
    # repeats the decoded path in its message.
    response = failing_client.get(f"/fails/x%0D%0A{forged.replace(' ', '%20')}")

    log = stderr_log.getvalue()
    assert response.status_code == 404
    assert len(records(log)) == 1
    assert "Not Found: /fails/x\\r\\n2026-01-01" in log
    assert not any(line.startswith(forged[:23]) for line in log.splitlines())
    assert "path=/fails/x%0D%0A2026-01-01" in log


def test_the_values_of_a_refused_database_row_are_left_out_of_the_traceback(failing_client, stderr_log):
    failing_client.get("/fails-in-the-database/")

    [record] = records(stderr_log.getvalue())
    assert "violates check constraint" in record
    assert ROW not in record
    assert "DETAIL: (left out of the log: it repeats the values of a record)" in record


def test_a_page_not_found_is_a_warning_with_its_path(client, db, stderr_log):
    client.get("/no-such-page/")

    [record] = records(stderr_log.getvalue())
    assert " WARNING django.request path=/no-such-page/ user=anonymous: Not Found: /no-such-page/" in record


def test_nothing_is_mailed_without_admins(failing_client, stderr_log, settings):
    assert settings.ADMINS == []

    failing_client.post("/fails/", {"note": TYPED})

    assert mail.outbox == []


@pytest.fixture
def mail_to_admins(settings):
    """The logging configuration as settings.py builds it when ADMINS is set."""
    settings.ADMINS = [("ops@example.org", "ops@example.org")]
    configuration = copy.deepcopy(settings.LOGGING)
    configuration["root"]["handlers"] = ["stderr", "mail_admins"]
    logging.config.dictConfig(configuration)
    yield
    logging.config.dictConfig(settings.LOGGING)


def test_with_admins_set_an_error_is_mailed_as_text_with_the_facts_only(
    failing_client, stderr_log, mail_to_admins, settings
):
    person = UserFactory(username="erin")
    sign_in(failing_client, person, verified=True)

    failing_client.post(f"/fails/?q={SEARCHED}", {"note": TYPED}, HTTP_USER_AGENT="Erin's phone")

    [message] = mail.outbox
    assert message.to == ["ops@example.org"]
    assert message.alternatives == []  # include_html is off: no HTML page of the request
    assert f"path=/fails/ user={person.pk}: Internal Server Error" in message.body
    assert "RuntimeError" in message.body
    assert "Request data not supplied" in message.body
    for sent in (TYPED, SEARCHED, "Erin's phone", failing_client.cookies["sessionid"].value):
        assert sent not in message.body
        assert sent not in message.subject


def test_the_mail_leaves_out_the_values_of_a_refused_row(failing_client, stderr_log, mail_to_admins):
    failing_client.get("/fails-in-the-database/")

    [message] = mail.outbox
    assert "violates check constraint" in message.body
    assert ROW not in message.body
