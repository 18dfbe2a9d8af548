"""Time the benchmark's pages over HTTP and print the table. Run by scripts/bench.sh (`make bench`),
which starts PostgreSQL and gunicorn first:

    python -m bench.run --url http://127.0.0.1:PORT --scale 200 --workers 3

Fair to every page, however busy the machine: each page is fetched by one user in turns with the
floor (floor, page, floor, page...), so both see the same moment's load, and its ratio is the
median of its own samples over the median of the floor's samples taken between them, with a
bootstrap interval. A floor measured once at the start drifted 2.5-4.2 ms between pages of one
run, which made a faster build look slower. Then ten users fetch the page at once. Signed-in
pages are opened as production serves them: a session that has passed two-factor (the device is
read on every request), and the cookies the server sets (CSRF) sent back as a browser would.
Query counts and their time are taken separately, in this process, with Django's test client
against the same database.

The load generator is threads and http.client from the standard library, and adds nothing to
install (Locust would bring gevent, Flask and more for features not needed). Ten threads in one
Python process can become the bottleneck on a small machine, so the table says how much CPU the
client itself took while ten users were running.
"""

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# The targets from the issue: each page's median within 5x the floor's, and at most 10 queries.
FLOOR_RATIO_TARGET = 5
# The bootstrap interval on each ratio: fixed, so the same samples always give the same interval.
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_CONFIDENCE = 0.95
BOOTSTRAP_SEED = 17
# Above this share of one core, the client may have held the ten users back (the table says so).
CLIENT_CPU_WARNING = 0.5
# Every line of the table fits a 120-column terminal.
TABLE_WIDTH = 120


@dataclass
class Timings:
    latencies: list[float] = field(default_factory=list)  # seconds
    wall: float = 0.0
    errors: int = 0
    # CPU seconds the client process (this one, all its threads) spent while taking them.
    client_cpu: float = 0.0

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

    @property
    def client_cpu_share(self) -> float:
        """The client's CPU time over the wall time: 1.0 is one core kept busy throughout."""
        return self.client_cpu / self.wall if self.wall else 0.0


@dataclass
class Result:
    label: str
    available: bool
    # False for the floor and the yardsticks (bench/pages.py): their ratio is shown, not judged.
    is_target: bool = True
    queries: int | None = None
    # Time those queries took in the database, in one request made in this process.
    sql_ms: float | None = None
    # One user: the page's samples and the floor's, taken in turns (interleave()).
    page: Timings | None = None
    floor: Timings | None = None
    # The bootstrap interval on page p50 / floor p50 (bootstrap_ratio_interval()).
    interval: tuple[float, float] | None = None
    concurrent: Timings | None = None

    @property
    def ratio(self) -> float:
        return self.page.p50 / self.floor.p50


class Browser:
    """One person's cookies, kept like a browser keeps them: what the server sets (the CSRF token,
    a refreshed session) goes back with every later request. Shared by threads, so locked."""

    def __init__(self, host: str, port: int, cookies: dict[str, str] | None = None):
        self.host, self.port = host, port
        self.cookies = dict(cookies or {})
        self._lock = threading.Lock()

    def fetch(self, path: str) -> float:
        """Fetch `path` once; return the seconds taken, or raise if it did not answer 200."""
        headers = {"Host": self.host, "Connection": "close", "Accept": "text/html"}
        with self._lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status} {response.reason}")
        self.remember(response.headers.get_all("Set-Cookie") or [])
        return elapsed

    def remember(self, set_cookie_headers: list[str]) -> None:
        for header in set_cookie_headers:
            cookie = SimpleCookie()
            cookie.load(header)
            with self._lock:
                for name, morsel in cookie.items():
                    # Django deletes a cookie by setting it empty and already expired.
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)


def interleave(
    floor: Callable[[], float], page: Callable[[], float], pairs: int, seconds: float
) -> tuple[Timings, Timings]:
    """Fetch the floor, then the page, then the floor... `pairs` times each, or fewer whole pairs
    if `seconds` run out first (at least one). Returns the floor's timings and the page's."""
    floor_timings, page_timings = Timings(), Timings()
    deadline = time.monotonic() + seconds
    cpu_started, started = _client_cpu(), time.perf_counter()
    while len(page_timings.latencies) < pairs and (not page_timings.latencies or time.monotonic() < deadline):
        floor_timings.latencies.append(floor())
        page_timings.latencies.append(page())
    wall, cpu = time.perf_counter() - started, _client_cpu() - cpu_started
    for timings in (floor_timings, page_timings):
        timings.wall, timings.client_cpu = wall, cpu
    return floor_timings, page_timings


def median_ratio(numerators: list[float], denominators: list[float]) -> float:
    return statistics.median(numerators) / statistics.median(denominators)


def bootstrap_ratio_interval(
    page: list[float],
    floor: list[float],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    confidence: float = BOOTSTRAP_CONFIDENCE,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """A percentile bootstrap interval on median(page) / median(floor).

    The samples are paired: page[i] and floor[i] were taken one after the other (interleave()),
    so each resample draws pairs, keeping whatever the machine was doing at that moment common
    to both. Its own random generator with a fixed seed: the same samples give the same interval.
    """
    if len(page) != len(floor) or not page:
        raise ValueError("the page and floor samples must be pairs, at least one")
    rng = random.Random(seed)
    indices = range(len(page))
    ratios = []
    for _ in range(resamples):
        drawn = rng.choices(indices, k=len(indices))
        ratios.append(median_ratio([page[i] for i in drawn], [floor[i] for i in drawn]))
    ratios.sort()
    tail = (1 - confidence) / 2
    return ratios[round(tail * (resamples - 1))], ratios[round((1 - tail) * (resamples - 1))]


def run_concurrent(fetch: Callable[[], float], users: int, requests: int, seconds: float) -> Timings:
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
                elapsed = fetch()
            except (OSError, RuntimeError, http.client.HTTPException):
                with lock:
                    timings.errors += 1
                continue
            with lock:
                timings.latencies.append(elapsed)

    cpu_started, started = _client_cpu(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        for _ in range(users):
            pool.submit(user)
    timings.wall = time.perf_counter() - started
    timings.client_cpu = _client_cpu() - cpu_started
    return timings


def _client_cpu() -> float:
    """CPU seconds this process has used, in every thread (user and system)."""
    times = os.times()
    return times.user + times.system


# Django, in this process: signed-in sessions and query counts ---------------------------------------


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groups_site.settings")
    import django

    django.setup()


def signed_in_cookies(username: str) -> dict[str, str]:
    """The cookies of a session signed in as `username` that has passed two-factor, as production
    needs (OTP_REQUIRED): the person has a confirmed authenticator, and the session names it, as
    after giving a code (like tests/world.py's sign_in). Made with the test client's force_login,
    which stores the session in the database like a real sign-in, so the sign-in form, its codes
    and lockout play no part in the timings."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return {settings.SESSION_COOKIE_NAME: session.session_key}


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


def count_queries(path: str, cookies: dict[str, str], host: str, samples: int = 5) -> tuple[int, float]:
    """Queries one request to the page makes, after a first request has warmed any caches, and
    the median milliseconds they took over a few requests."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST=host)
    for name, value in cookies.items():
        client.cookies[name] = value
    # The first request also sets the CSRF cookie, which the client sends back from then on.
    first = client.get(path)
    if first.status_code != 200:
        raise RuntimeError(
            f"{path} answered {first.status_code}; the benchmark needs DEBUG off, SECURE_SSL_REDIRECT=false "
            "and BENCH_FLOOR_ENABLED=true (scripts/bench.sh sets them)"
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


# What the run was: code, data and machine -----------------------------------------------------------


@dataclass
class RunFacts:
    commit: str
    dirty: bool | None
    scale: int | None
    workers: int | None
    two_factor: bool
    cores: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] | None = None


def git_commit(cwd: Path) -> tuple[str, bool | None]:
    """The short commit hash, and whether the work tree has changes not committed (None: no git)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown", None
    return commit, bool(status.strip())


def describe_run(facts: RunFacts) -> str:
    tree = {True: " (with uncommitted changes)", False: "", None: " (no git)"}[facts.dirty]
    scale = f"scale {facts.scale}" if facts.scale is not None else "scale not given"
    workers = f"gunicorn {facts.workers} workers" if facts.workers is not None else "gunicorn"
    load = " ".join(f"{value:.2f}" for value in facts.load_before)
    line = (
        f"Commit {facts.commit}{tree}; {scale}; {facts.cores} cores; {workers}; "
        f"two-factor {'on' if facts.two_factor else 'OFF'}; load average {load} before timing"
    )
    if facts.load_after is not None:
        line += ", " + " ".join(f"{value:.2f}" for value in facts.load_after) + " after"
    return line + "."


# The table ----------------------------------------------------------------------------------------


def format_ratio(result: Result) -> str:
    text = f"{result.ratio:.1f}x"
    if result.interval:
        low, high = result.interval
        text += f" [{low:.1f}-{high:.1f}]"
    return text if result.is_target else f"({text})"


def format_table(results: list[Result], users: int) -> str:
    left = f"{'page':<30} {'queries':>7} {'SQL ms':>6}"
    one = f"{'floor':>6} {'p50':>6} {'p95':>6} {'p50/floor [95% CI]':>19}"
    many = f"{'p50':>6} {'p95':>6} {'req/s':>5} {'client':>6}"
    groups = (
        f"{'':<{len(left)}} | {'1 user, ms: floor and page in turns':<{len(one)}} | "
        f"{f'{users} users at once, ms':<{len(many)}}"
    )
    header = f"{left} | {one} | {many}"
    lines = [groups.rstrip(), header, "-" * len(header)]
    for result in results:
        if not result.available:
            lines.append(f"{result.label:<30} {'-':>7} {'-':>6} | not available: the page is not in this version")
            continue
        errors = f" ({result.concurrent.errors} errors)" if result.concurrent.errors else ""
        lines.append(
            f"{result.label:<30} {result.queries:>7} {result.sql_ms:>6.1f} | "
            f"{result.floor.p50:>6.1f} {result.page.p50:>6.1f} {result.page.p95:>6.1f} {format_ratio(result):>19} | "
            f"{result.concurrent.p50:>6.1f} {result.concurrent.p95:>6.1f} {result.concurrent.per_second:>5.0f} "
            f"{result.concurrent.client_cpu_share:>6.0%}{errors}"
        )
    lines += [
        "floor: the signed-out floor's p50 in this page's turns. p50/floor: the page's median over the floor's,",
        f"  with its {BOOTSTRAP_CONFIDENCE:.0%} bootstrap interval ({BOOTSTRAP_RESAMPLES} resamples of the pairs). "
        "(In brackets): the floor and yardsticks, not judged.",
        f"client: the load generator's CPU time over the wall time while {users} users ran (100% = one core busy).",
    ]
    return "\n".join(lines)


def client_cpu_summary(results: list[Result], cores: int) -> str:
    timed = [r.concurrent for r in results if r.available and r.concurrent]
    cpu, wall = sum(t.client_cpu for t in timed), sum(t.wall for t in timed)
    share = cpu / wall if wall else 0.0
    busiest = max((t.client_cpu_share for t in timed), default=0.0)
    line = (
        f"The client took {cpu:.1f} s of CPU in {wall:.1f} s of ten-user runs ({share:.0%} of one core, at most "
        f"{busiest:.0%} on one page; the machine has {cores})."
    )
    if busiest > CLIENT_CPU_WARNING:
        line += " Where it took over half a core, the ten-user figures partly time the client, not the server."
    return line


def missed_targets(results: list[Result], budget: int) -> list[str]:
    missed = []
    for result in results:
        if not result.available or not result.is_target:
            continue
        if result.queries > budget:
            missed.append(f"{result.label}: {result.queries} queries (budget {budget})")
        if result.ratio > FLOOR_RATIO_TARGET:
            interval = ""
            if result.interval:
                interval = f", {BOOTSTRAP_CONFIDENCE:.0%} interval {result.interval[0]:.1f}-{result.interval[1]:.1f}x"
            missed.append(f"{result.label}: p50 {result.ratio:.1f}x the floor{interval} (target {FLOOR_RATIO_TARGET}x)")
    return missed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the gunicorn to time, e.g. http://127.0.0.1:8123")
    parser.add_argument(
        "--requests", type=int, default=100, help="one user: requests per page, each with one of the floor (100)"
    )
    parser.add_argument("--users", type=int, default=10, help="concurrent users (default 10)")
    parser.add_argument(
        "--concurrent-requests", type=int, default=200, help="requests per page shared by the users (default 200)"
    )
    parser.add_argument("--seconds", type=float, default=20, help="at most this long per page and mode (default 20)")
    parser.add_argument("--scale", type=int, help="the seed_demo --scale the data was made with (for the report)")
    parser.add_argument("--workers", type=int, help="gunicorn's worker count (for the report)")
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
    commit, dirty = git_commit(Path(__file__).resolve().parent.parent)
    facts = RunFacts(
        commit=commit,
        dirty=dirty,
        scale=args.scale,
        workers=args.workers,
        two_factor=settings.OTP_REQUIRED,
        cores=os.cpu_count() or 1,
        load_before=os.getloadavg(),
    )

    pages = benchmark_pages()
    floor_page = pages[0]
    anonymous = Browser(address.hostname, address.port)
    browsers = {
        username: Browser(address.hostname, address.port, signed_in_cookies(username))
        for username in {page.username for page in pages}
        if username
    }

    def floor():
        return anonymous.fetch(floor_page.url)

    results = []
    for page in pages:
        if page.url is None:
            results.append(Result(page.label, available=False))
            print(f"  {page.label}: not available", file=sys.stderr)
            continue
        browser = browsers.get(page.username, anonymous)

        def fetch(browser=browser, url=page.url):
            return browser.fetch(url)

        queries, sql_ms = count_queries(page.url, dict(browser.cookies), address.hostname)
        result = Result(page.label, available=True, is_target=page.is_target, queries=queries, sql_ms=sql_ms)
        # One request alone first: a signed-in page sets the CSRF cookie, which the browser then
        # sends back, as if the person had come from another page. Then warm up every gunicorn
        # worker: each compiles templates and opens its connection on first use.
        fetch()
        run_concurrent(fetch, args.users, 2 * args.users, args.seconds)
        result.floor, result.page = interleave(floor, fetch, args.requests, args.seconds)
        result.interval = bootstrap_ratio_interval(result.page.latencies, result.floor.latencies)
        result.concurrent = run_concurrent(fetch, args.users, args.concurrent_requests, args.seconds)
        print(
            f"  {page.label}: {len(result.page.latencies)} in turns with the floor, "
            f"{len(result.concurrent.latencies)} at once",
            file=sys.stderr,
        )
        results.append(result)
    facts.load_after = os.getloadavg()

    print()
    print(describe_run(facts))
    print()
    print(format_table(results, args.users))
    print(client_cpu_summary(results, facts.cores))
    print()
    missed = missed_targets(results, QUERY_BUDGET)
    if missed:
        print(f"Targets missed (p50 within {FLOOR_RATIO_TARGET}x the floor, at most {QUERY_BUDGET} queries):")
        for line in missed:
            print(f"  - {line}")
    else:
        print(f"Every page is within {FLOOR_RATIO_TARGET}x the floor's p50 and at most {QUERY_BUDGET} queries.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
