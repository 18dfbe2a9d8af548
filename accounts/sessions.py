"""Django's database sessions, refusing a session key Django could never have made.

Django makes every key from lower-case letters and digits, but looks up whatever the cookie
says. A NUL in the cookie reached PostgreSQL, which refuses it, and every page failed; any
other odd key cost a query for nothing. Such a cookie now means no session, as an unknown key
does: the visitor is simply not signed in.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_VALID = frozenset(VALID_KEY_CHARS)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and _VALID.issuperset(key)
