"""What the error log keeps about a failed request, and what it never keeps.

Each record says which page failed (the path, never the query string, which can hold words
searched for in people's records) and who was signed in (their user id), with the traceback.
It never carries the request itself: Django attaches it to every record about a request, and
its body, query string, cookies and headers can hold what someone typed about a member. The
filter below takes the path and the id from it and then drops it, before any handler (the
stderr one, or the mail to ADMINS) can read it.

Tracebacks name code, not data, with one exception this module removes: PostgreSQL's DETAIL
line, which repeats the values of the row it refused ("Failing row contains (..., Robin, ...)").
"""

import logging
import re

from django.utils.encoding import escape_uri_path
from django.views.debug import ExceptionReporter

UNKNOWN = "-"
_ROW_DETAIL = re.compile(r"^(\s*)DETAIL:.*$", re.MULTILINE)
_ROW_DETAIL_LEFT_OUT = r"\1DETAIL: (left out of the log: it repeats the values of a record)"


def without_row_details(text: str) -> str:
    """The text with every line of database DETAIL (the refused row's values) replaced."""
    return _ROW_DETAIL.sub(_ROW_DETAIL_LEFT_OUT, text)


def _printable(text: str) -> str:
    """Line breaks and other control characters escaped (\\r, \\n, \\x00), so that nothing taken
    from a request (a path with %0D%0A in it) can start a forged line of the log."""
    return "".join(character if character.isprintable() else ascii(character)[1:-1] for character in text)


def _user_id(request) -> str:
    try:
        user = request.user
        return str(user.pk) if user.is_authenticated else "anonymous"
    except Exception:  # no user yet (the failure came first), or the database is what failed
        return UNKNOWN


class RequestFactsOnly(logging.Filter):
    """Keeps the request's path and the signed-in person's id on the record, and drops the
    request. Records about no request get "-" for both."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None:
            record.request_path = escape_uri_path(getattr(request, "path", "")) or UNKNOWN
            record.user_id = _user_id(request)
            record.request = None
        if not hasattr(record, "request_path"):
            record.request_path = UNKNOWN
            record.user_id = UNKNOWN
        return True


class FactsFormatter(logging.Formatter):
    """One record per failure: its message with control characters escaped (Django's "Internal
    Server Error: /path" repeats the decoded path), and the traceback without row details."""

    def formatMessage(self, record):
        record.message = _printable(record.message)
        return super().formatMessage(record)

    def formatException(self, exc_info):
        return without_row_details(super().formatException(exc_info))


class RedactedExceptionReporter(ExceptionReporter):
    """The report mailed to ADMINS: Django's text report (the request is already gone, see
    RequestFactsOnly, so it says "Request data not supplied"), without row details."""

    def get_traceback_text(self):
        return without_row_details(super().get_traceback_text())
