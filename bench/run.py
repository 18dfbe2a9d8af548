"""Time the benchmark's pages over HTTP and print the table. Run by scripts/bench.sh (`make bench`),
which starts PostgreSQL and gunicorn first:

    python -m bench.run --url http://127.0.0.1:PORT

Each page is fetched by one user at a time, then by ten at once, with a cap on both the number
of requests and the seconds spent, and only ever from this machine (127.0.0.1). Query counts and
their time are taken separately, in this process, with Django's test client against the same
database.

The load generator is threads and http.client from the standard library: ten users are few
enough that one Python process keeps up (each request costs it well under a millisecond), and
it adds nothing to install. Locust would bring gevent, Flask and more for features not needed.
"""

import argparse
import http.client
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# The targets from the issue: each page's median within 5x the floor's, and at most 10 queries.
FLOOR_RATIO_TARGET = 5


@dataclass
class Timings:
    latencies: list[float] = field(default_factory=list)  # seconds
    wall: float = 0.0
    errors: int = 0

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        ordered = sorted(self.latencies)
        rank = max(1, round(fraction * len(ordered)))
        return 1000 * ordered[rank - 1]

    @property
    def p50(self) -> float:
        return 1000 * statistics.median(self.latencies)

    @property
    def p95(self) -> float:
        return self.percentile(0.95)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


@dataclass
class Result:
    label: str
    available: bool
    # False for a yardstick row (bench/pages.py): its ratio is shown, not judged.
    is_target: bool = True
    queries: int | None = None
    # Time those queries took in the database, in one request made in this process.
    sql_ms: float | None = None
    sequential: Timings | None = None
    concurrent: Timings | None = None


class Target:
    """One page as one signed-in person (or nobody) opens it."""

    def __init__(self, host: str, port: int, path: str, cookie: str | None):
        self.host, self.port, self.path = host, port, path
        self.headers = {"Host": host, "Connection": "close", "Accept": "text/html"}
        if cookie:
            self.headers["Cookie"] = cookie

    def fetch(self) -> float:
        """Fetch the page once; return the seconds taken, or raise if it did not answer 200."""
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request("GET", self.path, headers=self.headers)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"{self.path} answered {response.status} {response.reason}")
        return elapsed


def run_sequential(target: Target, requests: int, seconds: float) -> Timings:
    timings = Timings()
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    while len(timings.latencies) < requests and time.monotonic() < deadline:
        timings.latencies.append(target.fetch())
    timings.wall = time.perf_counter() - started
    return timings


def run_concurrent(target: Target, users: int, requests: int, seconds: float) -> Timings:
    """`users` threads fetch the page back to back until `requests` are done between them or
    time runs out; requests per second is what finished divided by the wall-clock time."""
    timings = Timings()
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.monotonic() + seconds

    def user():
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            try:
                elapsed = target.fetch()
            except (OSError, RuntimeError, http.client.HTTPException):
                with lock:
                    timings.errors += 1
                continue
            with lock:
                timings.latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        for _ in range(users):
            pool.submit(user)
    timings.wall = time.perf_counter() - started
    return timings


# Django, in this process: signed-in sessions and query counts ---------------------------------------


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groups_site.settings")
    import django

    django.setup()


def session_cookie(username: str) -> str:
    """A signed-in session for `username`, as a Cookie header value. Made with the test client's
    force_login (which stores it in the database, like a real sign-in) rather than through the
    sign-in form, so two-factor and lockout play no part in the timings."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class QueryTimer:
    """A database execute wrapper: how many queries ran and how long they took, to the microsecond."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def count_queries(path: str, cookie: str | None, host: str, samples: int = 5) -> tuple[int, float]:
    """Queries one request to the page makes, after a first request has warmed any caches, and
    the median milliseconds they took over a few requests."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST=host)
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    first = client.get(path)
    if first.status_code != 200:
        raise RuntimeError(
            f"{path} answered {first.status_code}; the benchmark needs DEBUG off, OTP_REQUIRED=false, "
            "SECURE_SSL_REDIRECT=false and BENCH_FLOOR_ENABLED=true (scripts/bench.sh sets them)"
        )
    timers = []
    for _ in range(samples):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            client.get(path)
        timers.append(timer)
    # The count is the most frequent one; it only varies if a page writes now and then (the
    # sign-out clock records activity once a minute).
    count = statistics.mode(timer.count for timer in timers)
    return count, 1000 * statistics.median(timer.seconds for timer in timers)


# The table ----------------------------------------------------------------------------------------


def format_table(results: list[Result], users: int) -> str:
    floor = next((r for r in results if r.available and r.queries == 0 and r.sequential), None)
    header = (
        f"{'page':<34} {'queries':>7} {'SQL ms':>6} | {'1 user p50':>10} {'p95':>7} {'req/s':>7} | "
        f"{f'{users} users p50':>12} {'p95':>7} {'req/s':>7} | {'p50/floor':>9}"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        if not result.available:
            lines.append(
                f"{result.label:<34} {'-':>7} {'-':>6} | not available: the page does not exist in this version"
            )
            continue
        one, many = result.sequential, result.concurrent
        ratio = f"{one.p50 / floor.sequential.p50:.1f}x" if floor else "n/a"
        if not result.is_target:
            ratio = f"({ratio})"
        errors = f"  ({many.errors} errors)" if many.errors else ""
        lines.append(
            f"{result.label:<34} {result.queries:>7} {result.sql_ms:>6.1f} | "
            f"{one.p50:>8.1f}ms {one.p95:>5.1f}ms {one.per_second:>7.1f} | "
            f"{many.p50:>10.1f}ms {many.p95:>5.1f}ms {many.per_second:>7.1f} | {ratio:>9}{errors}"
        )
    if any(result.available and not result.is_target for result in results):
        lines.append("(ratio): a yardstick beside the floor, not a page held to the target")
    return "\n".join(lines)


def missed_targets(results: list[Result], budget: int) -> list[str]:
    floor = next((r for r in results if r.available and r.queries == 0), None)
    missed = []
    for result in results:
        if not result.available or result is floor or not result.is_target:
            continue
        if result.queries > budget:
            missed.append(f"{result.label}: {result.queries} queries (budget {budget})")
        if floor and result.sequential.p50 > FLOOR_RATIO_TARGET * floor.sequential.p50:
            ratio = result.sequential.p50 / floor.sequential.p50
            missed.append(f"{result.label}: p50 {ratio:.1f}x the floor (target {FLOOR_RATIO_TARGET}x)")
    return missed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the gunicorn to time, e.g. http://127.0.0.1:8123")
    parser.add_argument("--requests", type=int, default=60, help="requests per page for one user (default 60)")
    parser.add_argument("--users", type=int, default=10, help="concurrent users (default 10)")
    parser.add_argument(
        "--concurrent-requests", type=int, default=200, help="requests per page shared by the users (default 200)"
    )
    parser.add_argument("--seconds", type=float, default=20, help="at most this long per page and mode (default 20)")
    args = parser.parse_args(argv)

    address = urlsplit(args.url)
    if address.hostname not in LOOPBACK or address.scheme != "http":
        parser.error("the benchmark only ever loads this machine: use http://127.0.0.1:PORT")

    setup_django()
    from django.conf import settings

    from bench.budget import QUERY_BUDGET
    from bench.pages import benchmark_pages

    if not settings.BENCH_FLOOR_ENABLED:
        # Without them the floor pages have no address, and every page is judged against the floor.
        parser.error("the floor pages need BENCH_FLOOR_ENABLED=true, here and in the server (scripts/bench.sh sets it)")
    pages = benchmark_pages()
    cookies = {username: session_cookie(username) for username in {page.username for page in pages} if username}
    results = []
    for page in pages:
        if page.url is None:
            results.append(Result(page.label, available=False))
            print(f"  {page.label}: not available", file=sys.stderr)
            continue
        cookie = cookies.get(page.username)
        target = Target(address.hostname, address.port, page.url, cookie)
        queries, sql_ms = count_queries(page.url, cookie, address.hostname)
        result = Result(page.label, available=True, is_target=page.is_target, queries=queries, sql_ms=sql_ms)
        # Warm up every gunicorn worker: each compiles templates and opens its connection on first use.
        run_concurrent(target, args.users, 2 * args.users, args.seconds)
        result.sequential = run_sequential(target, args.requests, args.seconds)
        result.concurrent = run_concurrent(target, args.users, args.concurrent_requests, args.seconds)
        print(
            f"  {page.label}: {len(result.sequential.latencies)} + {len(result.concurrent.latencies)} requests",
            file=sys.stderr,
        )
        results.append(result)

    print()
    print(format_table(results, args.users))
    print()
    missed = missed_targets(results, QUERY_BUDGET)
    if missed:
        print("Targets missed (p50 within 5x the floor, at most 10 queries):")
        for line in missed:
            print(f"  - {line}")
    else:
        print("Every page is within 5x the floor's p50 and at most 10 queries.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
