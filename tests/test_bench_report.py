"""The benchmark's own logic (bench/run.py): where it may send requests, how it takes turns between
the floor and a page, the interval on each ratio, the cookies it sends back, and the report it
prints. The timing itself runs only under `make bench`."""

import random
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.run import (
    TABLE_WIDTH,
    Browser,
    Result,
    RunFacts,
    Timings,
    bootstrap_ratio_interval,
    client_cpu_summary,
    describe_run,
    format_table,
    git_commit,
    interleave,
    main,
    missed_targets,
    run_concurrent,
)


def _timings(*milliseconds, client_cpu=0.0):
    return Timings(latencies=[ms / 1000 for ms in milliseconds], wall=sum(milliseconds) / 1000, client_cpu=client_cpu)


def _result(label, page_ms, floor_ms=2.0, *, queries=4, is_target=True, interval=None, errors=0):
    """A timed page whose samples all took `page_ms`, in turns with a floor that took `floor_ms`."""
    concurrent = _timings(page_ms * 5, page_ms * 6)
    concurrent.errors = errors
    return Result(
        label,
        available=True,
        is_target=is_target,
        queries=queries,
        sql_ms=1.5,
        page=_timings(page_ms, page_ms, page_ms),
        floor=_timings(floor_ms, floor_ms, floor_ms),
        interval=interval,
        concurrent=concurrent,
    )


@pytest.mark.parametrize("url", ["http://example.org:8000", "http://10.0.0.5:8000", "https://127.0.0.1:8000"])
def test_benchmark_refuses_to_load_anything_but_this_machine_over_http(url):
    with pytest.raises(SystemExit):
        main(["--url", url])


def test_percentiles_are_nearest_rank_in_milliseconds():
    timings = _timings(*range(1, 101))
    assert timings.p50 == pytest.approx(50.5)
    assert timings.p95 == pytest.approx(95)
    assert timings.per_second == pytest.approx(100 / 5.05)


# Taking turns -------------------------------------------------------------------------------------


def _recorder(calls, name, seconds):
    def fetch():
        calls.append(name)
        return seconds

    return fetch


def test_interleave_alternates_floor_and_page_and_keeps_their_samples_apart():
    calls = []
    floor, page = interleave(_recorder(calls, "floor", 0.002), _recorder(calls, "page", 0.009), pairs=3, seconds=60)

    assert calls == ["floor", "page", "floor", "page", "floor", "page"]
    assert floor.latencies == [0.002] * 3
    assert page.latencies == [0.009] * 3
    assert floor.wall == page.wall > 0


def test_interleave_stops_at_the_deadline_with_whole_pairs_and_at_least_one():
    calls = []

    def slow_page():
        calls.append("page")
        time.sleep(0.02)
        return 0.02

    floor, page = interleave(_recorder(calls, "floor", 0.001), slow_page, pairs=1000, seconds=0)

    assert calls == ["floor", "page"]
    assert len(floor.latencies) == len(page.latencies) == 1


# The interval on each ratio -------------------------------------------------------------------------


def test_bootstrap_interval_is_a_point_when_every_pair_has_the_same_ratio():
    floor = [0.001 * (1 + i % 7) for i in range(40)]
    page = [3 * seconds for seconds in floor]

    low, high = bootstrap_ratio_interval(page, floor)

    assert low == pytest.approx(3) and high == pytest.approx(3)


def _noisy_pairs(true_ratio, pairs=100, seed=5):
    """A floor around 2 ms and a page around true_ratio times that, each with its own noise and a
    machine whose speed drifts between pairs, as on a shared machine: the ratio of the medians
    of the two distributions is exactly true_ratio."""
    rng = random.Random(seed)
    floor, page = [], []
    for _ in range(pairs):
        drift = rng.uniform(0.8, 1.25)
        floor.append(drift * rng.lognormvariate(0, 0.2) * 0.002)
        page.append(drift * true_ratio * rng.lognormvariate(0, 0.2) * 0.002)
    return page, floor


def test_bootstrap_interval_on_a_known_sample_is_known_and_holds_the_true_ratio():
    page, floor = _noisy_pairs(true_ratio=3.0)

    low, high = bootstrap_ratio_interval(page, floor, resamples=2000, confidence=0.95, seed=17)

    # Fixed by the seed: the same samples always give this interval.
    assert (round(low, 3), round(high, 3)) == (2.749, 3.214)
    assert low < 3.0 < high


def test_bootstrap_interval_is_repeatable_with_a_seed_and_moves_with_another():
    page, floor = _noisy_pairs(true_ratio=3.0)

    first = bootstrap_ratio_interval(page, floor, seed=17)

    assert bootstrap_ratio_interval(page, floor, seed=17) == first
    assert bootstrap_ratio_interval(page, floor, seed=18) != first


def test_bootstrap_interval_narrows_with_more_pairs_and_widens_with_more_confidence():
    few = bootstrap_ratio_interval(*_noisy_pairs(3.0, pairs=20))
    many = bootstrap_ratio_interval(*_noisy_pairs(3.0, pairs=400))
    sure = bootstrap_ratio_interval(*_noisy_pairs(3.0, pairs=20), confidence=0.99)

    assert many[1] - many[0] < few[1] - few[0] < sure[1] - sure[0]


def test_bootstrap_interval_needs_pairs():
    with pytest.raises(ValueError):
        bootstrap_ratio_interval([0.001, 0.002], [0.001])
    with pytest.raises(ValueError):
        bootstrap_ratio_interval([], [])


# Cookies, like a browser ----------------------------------------------------------------------------


class _CookieServer(BaseHTTPRequestHandler):
    """Sets a CSRF cookie on /set, deletes it on /delete as Django does, and records every Cookie
    header it is sent."""

    seen: list[str | None] = []

    def do_GET(self):
        type(self).seen.append(self.headers.get("Cookie"))
        self.send_response(200)
        if self.path == "/set":
            self.send_header("Set-Cookie", "csrftoken=abc123; expires=Fri, 01 Jan 2100 00:00:00 GMT; Path=/; Secure")
        elif self.path == "/delete":
            self.send_header("Set-Cookie", 'csrftoken=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/')
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def cookie_server():
    _CookieServer.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CookieServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_browser_sends_back_the_cookies_the_server_sets_and_forgets_deleted_ones(cookie_server):
    browser = Browser("127.0.0.1", cookie_server.server_address[1], {"sessionid": "s1"})

    browser.fetch("/set")
    browser.fetch("/page")
    browser.fetch("/delete")
    browser.fetch("/page")

    assert _CookieServer.seen == [
        "sessionid=s1",
        "sessionid=s1; csrftoken=abc123",
        "sessionid=s1; csrftoken=abc123",
        "sessionid=s1",
    ]


def test_browser_refuses_an_answer_other_than_200(cookie_server):
    class NotFound(_CookieServer):
        def do_GET(self):
            self.send_error(404)

    cookie_server.RequestHandlerClass = NotFound
    with pytest.raises(RuntimeError, match="404"):
        Browser("127.0.0.1", cookie_server.server_address[1]).fetch("/missing")


# The client's own CPU -------------------------------------------------------------------------------


def test_concurrent_run_measures_the_clients_cpu_against_the_wall_time():
    def waiting():
        time.sleep(0.01)
        return 0.01

    def busy():
        started = time.thread_time()
        while time.thread_time() - started < 0.01:
            pass
        return 0.01

    idle = run_concurrent(waiting, users=4, requests=20, seconds=30)
    working = run_concurrent(busy, users=4, requests=20, seconds=30)

    assert len(idle.latencies) == len(working.latencies) == 20
    # Twenty fetches each burning 10 ms of its thread's CPU: at least 0.2 s (os.times ticks 10 ms).
    assert working.client_cpu >= 0.19
    assert working.client_cpu_share > idle.client_cpu_share
    assert idle.client_cpu_share < 0.5


def test_client_cpu_summary_warns_when_the_client_took_over_half_a_core():
    calm = _result("Calm page", 10)
    calm.concurrent = _timings(100, 100, client_cpu=0.05)
    hungry = _result("Hungry page", 10)
    hungry.concurrent = _timings(100, 100, client_cpu=0.15)

    assert "over half a core" not in client_cpu_summary([calm], cores=2)
    summary = client_cpu_summary([calm, hungry], cores=2)
    assert "0.2 s of CPU in 0.4 s" in summary
    assert "at most 75% on one page" in summary
    assert "the machine has 2" in summary
    assert "over half a core" in summary


# What the run was ---------------------------------------------------------------------------------


def test_run_description_names_the_commit_data_machine_and_load():
    facts = RunFacts(
        commit="abc1234",
        dirty=True,
        scale=200,
        workers=3,
        two_factor=True,
        cores=2,
        load_before=(1.5, 0.75, 0.5),
        load_after=(2.25, 1.0, 0.6),
    )

    line = describe_run(facts)

    assert line == (
        "Commit abc1234 (with uncommitted changes); scale 200; 2 cores; gunicorn 3 workers; two-factor on; "
        "load average 1.50 0.75 0.50 before timing, 2.25 1.00 0.60 after."
    )


def test_git_commit_says_whether_the_tree_has_uncommitted_changes(tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "file.txt").write_text("one")
    git("add", "file.txt")
    git("-c", "user.name=Bench", "-c", "user.email=bench@example.org", "commit", "-q", "-m", "first")

    commit, dirty = git_commit(tmp_path)
    assert len(commit) >= 7 and dirty is False

    (tmp_path / "file.txt").write_text("two")
    assert git_commit(tmp_path) == (commit, True)


def test_git_commit_outside_a_repository_is_unknown(tmp_path):
    assert git_commit(tmp_path / "nowhere") == ("unknown", None)


# The table and the targets --------------------------------------------------------------------------


def test_table_shows_each_ratio_with_its_interval_and_brackets_the_yardsticks():
    floor = _result("Floor (signed out, no queries)", 2.0, queries=0, is_target=False, interval=(0.9, 1.1))
    signed_in = _result("Floor signed in (base.html)", 4.0, queries=3, is_target=False, interval=(1.8, 2.3))
    page = _result("Supervision queue (supervisor)", 26.0, interval=(12.1, 14.2), errors=2)

    table = format_table([floor, signed_in, page, Result("Funder report", available=False)], users=10)

    assert "(1.0x [0.9-1.1])" in table
    assert "(2.0x [1.8-2.3])" in table
    assert " 13.0x [12.1-14.2] " in table
    assert "(2 errors)" in table
    assert "Funder report" in table and "not available" in table
    assert "10 users at once" in table


def test_table_fits_in_120_columns_with_the_longest_labels_and_numbers():
    slow = _result("Supervision queue (supervisor)", 9999.9, floor_ms=99.9, queries=1234, interval=(99.9, 120.5))
    slow.concurrent = _timings(99999.9, 99999.9, client_cpu=150.0)

    table = format_table([slow, Result("Funder report (coordinator)", available=False)], users=10)

    assert max(len(line) for line in table.splitlines()) <= TABLE_WIDTH


def test_table_columns_line_up_under_their_headings():
    table = format_table([_result("Plan page (coordinator)", 10.0, interval=(4.8, 5.2))], users=10).splitlines()
    header, row = table[1], table[3]

    assert row.index("|") == header.index("|")
    assert row.rindex("|") == header.rindex("|")
    # Numbers are right-aligned: each ends where its heading ends.
    assert row.index("5.0x [4.8-5.2]") + len("5.0x [4.8-5.2]") == header.index("]") + 1


def test_missed_targets_names_pages_slower_than_five_floors_or_over_budget_with_the_interval():
    floor = _result("Floor", 2.0, queries=0, is_target=False)
    quick = _result("Quick page", 10.0, queries=10)
    slow = _result("Slow page", 12.0, interval=(5.5, 6.4))
    chatty = _result("Chatty page", 3.0, queries=11)
    yardstick = _result("Floor + 10 queries", 14.0, queries=11, is_target=False)
    missing = Result("Missing page", available=False)

    missed = missed_targets([floor, quick, slow, chatty, yardstick, missing], budget=10)

    assert missed == [
        "Slow page: p50 6.0x the floor, 95% interval 5.5-6.4x (target 5x)",
        "Chatty page: 11 queries (budget 10)",
    ]


def test_benchmark_refuses_to_run_without_the_floor_pages(settings, capsys):
    settings.BENCH_FLOOR_ENABLED = False
    with pytest.raises(SystemExit):
        main(["--url", "http://127.0.0.1:8000"])
    assert "BENCH_FLOOR_ENABLED=true" in capsys.readouterr().err
