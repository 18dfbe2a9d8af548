"""gunicorn's access log, with the path as it was sent and never the query string.

gunicorn's %(U)s is the path *decoded*: a request for /x%0D%0A... writes a line break into the
log, and whatever follows it reads as a line of its own (a forged entry). Its %(r)s is the raw
request line, but with the query string, which can hold words searched for in people's records.
So this logger class gives %(U)s (and %(r)s) the path as it came over the wire, still
percent-encoded, without the query string, and with anything that is not printable ASCII
percent-encoded as well; %(q)s is always "-". gunicorn itself refuses a request line with
controls in it, so the last is a second guard, not the first.

Loaded by gunicorn (gunicorn.conf.py's logger_class), so it must not import Django.
"""

from urllib.parse import quote

from gunicorn.glogging import Logger

# What may stay as it is in a logged path: RFC 3986's unreserved and sub-delimiter characters,
# ":", "@", "/" and "%" (so existing escapes stay readable: %0D%0A, not %250D%250A).
_KEPT = "/%:@!$&'()*+,;=-._~"


def logged_path(environ) -> str:
    raw = environ.get("RAW_URI") or environ.get("PATH_INFO") or ""
    path = raw.split("?", 1)[0].split("#", 1)[0]
    return quote(path.encode("latin-1", "backslashreplace"), safe=_KEPT) or "-"


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = logged_path(environ)
        atoms["U"] = path
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
        atoms["q"] = "-"
        return atoms
