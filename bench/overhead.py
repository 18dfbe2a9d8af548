"""What every signed-in page repeats before it does any work of its own, query by query, with what
each costs. Run by scripts/bench.sh (`make bench`) after the table, on the same data and settings
(two-factor on):

    python -m bench.overhead

It opens each signed-in page of the benchmark in this process with Django's test client, as a
session that has passed two-factor and sends the CSRF cookie back, records every query with its
time in the database (a connection execute wrapper), and lists the statements that more than one
page makes. Then it times each of those steps whole, as the middleware makes them (the ORM's
Python and the round trip included), and the connection health check, which Django runs outside
the query wrappers once per request (CONN_HEALTH_CHECKS). The test client does not send
request_started's health check, and it cannot see gunicorn's own cost: the table's "Floor signed
in" row is the measure of the whole; this is the list of its parts.
"""

import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from importlib import import_module
from types import SimpleNamespace

# Requests per page whose queries are recorded; the median time of each statement is reported.
REQUESTS_PER_PAGE = 20
# Calls per step when each step is timed whole.
CALLS_PER_STEP = 200


@dataclass
class Statement:
    sql: str
    # The pages (by address) that make it, and the openings (page and person) that do.
    pages: set[str] = field(default_factory=set)
    openings: set[str] = field(default_factory=set)
    # Milliseconds in the database, one entry per execution.
    times: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times)

    @property
    def per_request(self) -> float:
        """How many times one request makes it, on the pages that make it at all."""
        return len(self.times) / (REQUESTS_PER_PAGE * len(self.openings))


# What a statement is for, by what it reads: the first pattern that matches names it.
KNOWN_STATEMENTS = [
    (r'^SELECT .* FROM "django_session"', "session: read by its key (SessionMiddleware)"),
    (r'^UPDATE "django_session"', "session: written back (the idle clock, once a minute)"),
    (r'^SELECT .* FROM "accounts_user" WHERE "accounts_user"\."id" = ', "user: by the session's id (auth)"),
    (r"^SELECT u\..* FROM accounts_user u WHERE u\.id = ", "user and permissions: by the session's id (backend)"),
    (r'FROM "otp_totp_totpdevice"', "two-factor device: by the session's id (OTPMiddleware)"),
    (r'FROM "auth_permission" .*"accounts_user_user_permissions"', "permissions: the user's own (has_perm)"),
    (r'FROM "auth_permission" .*"auth_group"', "permissions: the user's groups' (has_perm)"),
    (r"^SAVEPOINT|^RELEASE SAVEPOINT", "savepoint"),
]


def describe(sql: str) -> str:
    for pattern, description in KNOWN_STATEMENTS:
        if re.search(pattern, sql, re.DOTALL):
            return description
    return re.sub(r"\s+", " ", sql)[:70]


class Recorder:
    """A database execute wrapper that keeps each statement's text and milliseconds."""

    def __init__(self):
        self.executed: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.executed.append((sql, 1000 * (time.perf_counter() - started)))


def record_pages(pages, cookies_for, host: str) -> tuple[dict[str, Statement], int]:
    """Every statement the signed-in pages make, by its SQL (parameters apart), with the pages
    that make it and its times; and how many signed-in pages there were."""
    from django.db import connection
    from django.test import Client

    statements: dict[str, Statement] = {}
    signed_in = [page for page in pages if page.username and page.url]
    page_count = len({page.url for page in signed_in})
    for page in signed_in:
        client = Client(HTTP_HOST=host)
        for name, value in cookies_for(page.username).items():
            client.cookies[name] = value
        # The first request warms process-wide caches and sets the CSRF cookie the client sends back.
        if client.get(page.url).status_code != 200:
            raise RuntimeError(f"{page.url} did not answer 200")
        for _ in range(REQUESTS_PER_PAGE):
            recorder = Recorder()
            with connection.execute_wrapper(recorder):
                client.get(page.url)
            for sql, ms in recorder.executed:
                statement = statements.setdefault(sql, Statement(sql))
                # Pages by address: both dashboards are one page, opened by two people.
                statement.pages.add(page.url)
                statement.openings.add(page.label)
                statement.times.append(ms)
    return statements, page_count


def median_ms(step, calls: int = CALLS_PER_STEP, idle: float = 0.0) -> float:
    """The median milliseconds of `calls` calls of `step`, each after `idle` seconds' pause (a
    database server process that has just answered answers the next query faster than one that
    has been waiting, as it does between two requests)."""
    step()
    times = []
    for _ in range(calls):
        time.sleep(idle)
        started = time.perf_counter()
        step()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def time_steps(username: str, session_key: str) -> list[tuple[str, float]]:
    """Each repeated step timed whole, as the middleware makes it, in milliseconds."""
    from django.conf import settings
    from django.contrib.auth import get_user
    from django.db import connection
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    from groups.permissions import can_create_group

    session_store = import_module(settings.SESSION_ENGINE).SessionStore

    def load_session():
        session = session_store(session_key)
        session.load()
        return session

    session = load_session()
    request = SimpleNamespace(session=session)

    def check_permission():
        # The person as each request reads them: accounts.backends reads their permissions with them.
        return can_create_group(get_user(request))

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()

    connection.ensure_connection()
    return [
        ("connection health check: SELECT 1 (CONN_HEALTH_CHECKS)", median_ms(connection.is_usable)),
        ("  the same, after 10 ms idle (as at a request's start)", median_ms(connection.is_usable, idle=0.01)),
        ("  any one-row query after 10 ms idle (SELECT 1 via Django)", median_ms(select_one, idle=0.01)),
        ("session: read by its key, and decoded", median_ms(load_session)),
        ("user: read, and the session's password hash checked", median_ms(lambda: get_user(request))),
        ("two-factor device: read", median_ms(lambda: Device.from_persistent_id(session[DEVICE_ID_SESSION_KEY]))),
        ("user, read with permissions, and can_create_group asked", median_ms(check_permission)),
    ]


def time_floors(pages, cookies_for, host: str) -> list[tuple[str, float]]:
    """The floor pages' whole requests in this process (middleware, view and template; no HTTP or
    gunicorn), in milliseconds: the signed-in floor less the floor is what signing in costs."""
    from django.test import Client

    timed = []
    for page in pages:
        if not page.url or page.is_target:
            continue
        client = Client(HTTP_HOST=host)
        for name, value in (cookies_for(page.username) if page.username else {}).items():
            client.cookies[name] = value
        timed.append((page.label, median_ms(lambda client=client, url=page.url: client.get(url), calls=100)))
    return timed


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groups_site.settings")
    import django

    django.setup()
    from django.conf import settings

    from bench.pages import benchmark_pages
    from bench.run import signed_in_cookies

    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "127.0.0.1"
    pages = benchmark_pages()
    cookies = {}

    def cookies_for(username):
        if username not in cookies:
            cookies[username] = signed_in_cookies(username)
        return cookies[username]

    statements, page_count = record_pages(pages, cookies_for, host)
    repeated = sorted((s for s in statements.values() if len(s.pages) > 1), key=lambda s: (-len(s.pages), -s.median_ms))
    print(
        f"Statements more than one signed-in page makes (of {page_count}; in this process with Django's test client, "
        f"{REQUESTS_PER_PAGE} requests a page):"
    )
    print(f"  {'statement':<58} {'pages':>5} {'per request':>11} {'SQL ms':>6}")
    for statement in repeated:
        print(
            f"  {describe(statement.sql):<58} {len(statement.pages):>5} {statement.per_request:>11.2f} "
            f"{statement.median_ms:>6.2f}"
        )
    every = [s for s in repeated if len(s.pages) == page_count]
    print(
        f"  On every signed-in page: {sum(round(s.per_request) for s in every)} "
        f"statements, {sum(s.median_ms for s in every):.2f} ms in the database."
    )
    print()
    username = next(page.username for page in pages if page.username)
    session_key = cookies_for(username)[settings.SESSION_COOKIE_NAME]
    print(f"Each step timed whole as the middleware makes it, ORM and round trip included ({CALLS_PER_STEP} calls):")
    for label, ms in time_steps(username, session_key):
        print(f"  {label:<58} {ms:>6.2f} ms")
    print()
    print("Whole requests in this process (middleware, view, template; no HTTP), median of 100:")
    for label, ms in time_floors(pages, cookies_for, host):
        print(f"  {label:<58} {ms:>6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
