"""The benchmark's own logic (bench/run.py): where it may send requests, what it needs, and how it
judges the targets. The timing itself runs only under `make bench`."""

import pytest

from bench.run import Result, Timings, format_table, main, missed_targets


def _timings(*milliseconds):
    return Timings(latencies=[ms / 1000 for ms in milliseconds], wall=sum(milliseconds) / 1000)


@pytest.mark.parametrize("url", ["http://example.org:8000", "http://10.0.0.5:8000", "https://127.0.0.1:8000"])
def test_benchmark_refuses_to_load_anything_but_this_machine_over_http(url):
    with pytest.raises(SystemExit):
        main(["--url", url])


def test_percentiles_are_nearest_rank_in_milliseconds():
    timings = _timings(*range(1, 101))
    assert timings.p50 == pytest.approx(50.5)
    assert timings.p95 == pytest.approx(95)
    assert timings.per_second == pytest.approx(100 / 5.05)


def test_missed_targets_names_pages_slower_than_five_floors_or_over_budget():
    floor = Result("Floor", available=True, queries=0, sequential=_timings(2, 2, 2))
    quick = Result("Quick page", available=True, queries=10, sequential=_timings(9, 10, 11))
    slow = Result("Slow page", available=True, queries=4, sequential=_timings(11, 12, 13))
    chatty = Result("Chatty page", available=True, queries=11, sequential=_timings(3, 3, 3))
    missing = Result("Missing page", available=False)

    missed = missed_targets([floor, quick, slow, chatty, missing], budget=10)

    assert missed == [
        "Slow page: p50 6.0x the floor (target 5x)",
        "Chatty page: 11 queries (budget 10)",
    ]


def test_table_says_when_a_page_is_not_available():
    floor = Result("Floor", available=True, queries=0, sql_ms=0.0, sequential=_timings(2), concurrent=_timings(4))
    table = format_table([floor, Result("Funder report", available=False)], users=10)
    assert "Funder report" in table
    assert "not available" in table
    assert "1.0x" in table


def test_yardstick_rows_are_shown_with_their_ratio_but_never_judged():
    floor = Result("Floor", available=True, queries=0, sql_ms=0.0, sequential=_timings(2), concurrent=_timings(4))
    yardstick = Result(
        "Floor + 10 queries",
        available=True,
        is_target=False,
        queries=11,
        sql_ms=1.0,
        sequential=_timings(14),
        concurrent=_timings(20),
    )

    assert missed_targets([floor, yardstick], budget=10) == []
    table = format_table([floor, yardstick], users=10)
    assert "(7.0x)" in table
    assert "a yardstick" in table


def test_benchmark_refuses_to_run_without_the_floor_pages(settings, capsys):
    settings.BENCH_FLOOR_ENABLED = False
    with pytest.raises(SystemExit):
        main(["--url", "http://127.0.0.1:8000"])
    assert "BENCH_FLOOR_ENABLED=true" in capsys.readouterr().err
