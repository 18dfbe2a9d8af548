"""gunicorn's access log, configured by gunicorn.conf.py: one line per request, the path as it
was sent, no query string. With gunicorn's own %(U)s (the decoded path) a request for a path
holding %0D%0A wrote a second, forged line."""

import datetime
import runpy
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[1]
FORGED = '127.0.0.1 [01/Jan/2026:00:00:00 +0000] "GET /admin/ HTTP/1.1" 200 1 1ms'


@pytest.fixture
def access_log(tmp_path):
    """gunicorn's logger as gunicorn.conf.py sets it up, writing to a file; returns a function
    that logs one request and gives back what was written."""
    config = Config()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    written = tmp_path / "access.log"
    config.set("accesslog", str(written))
    logger = config.logger_class(config)

    def log(raw_uri: str, method="GET") -> str:
        path, _, query = raw_uri.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "RAW_URI": raw_uri,
            "PATH_INFO": unquote(path),  # as gunicorn hands it to the app: decoded
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "203.0.113.7",
        }
        response = SimpleNamespace(status="404 Not Found", sent=179, headers=[])
        logger.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(milliseconds=3))
        for handler in logger.access_log.handlers:
            handler.flush()
        return written.read_text()

    return log


def test_a_line_break_in_the_path_cannot_forge_a_second_line(access_log):
    written = access_log("/groups/1%0D%0A" + FORGED.replace(" ", "%20").replace('"', "%22"))

    lines = written.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("203.0.113.7 [")
    assert '"GET /groups/1%0D%0A127.0.0.1%20%5B01/Jan/2026:00:00:00%20+0000%5D%20%22GET%20/admin/' in lines[0]
    assert lines[0].endswith(" 404 179 3ms")


def test_the_query_string_is_never_logged(access_log):
    written = access_log("/groups/1/lessons/?q=Robinia&page=2")

    assert "Robinia" not in written
    assert '"GET /groups/1/lessons/ HTTP/1.1" 404 179 3ms' in written


def test_an_ordinary_request_reads_as_before(access_log):
    written = access_log("/groups/12/sessions/", method="POST")

    assert written.startswith("203.0.113.7 [")
    assert written.endswith('] "POST /groups/12/sessions/ HTTP/1.1" 404 179 3ms\n')
