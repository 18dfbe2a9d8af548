"""No figure under 5 can be worked out from two reports over overlapping periods (issue 13): every
count is shown rounded to the nearest 5 (or as "fewer than 5"), and periods are whole months.

June's count is the January-to-June count less the January-to-May one. Rounded, each shown
count is within 2 of the true one, so a reader who subtracts two shown counts knows the true
difference only to within a range 8 wide: whatever was shown, it never narrows to one number
under 5."""

import datetime

import pytest

from reports.forms import FunderReportForm
from reports.funder import FEWER_THAN_5, suppress

LARGEST = 300


def could_have_been(shown) -> range:
    """Every true count that is shown as `shown`."""
    return range(5) if shown == FEWER_THAN_5 else range(max(5, shown - 2), shown + 3)


def test_each_shown_count_is_within_2_of_the_true_one_or_says_fewer_than_5():
    for count in range(LARGEST):
        shown = suppress(count)
        assert count in could_have_been(shown)
        assert shown == FEWER_THAN_5 or (shown % 5 == 0 and abs(shown - count) <= 2)


def test_two_overlapping_periods_never_give_away_a_difference_under_5():
    # For every pair of true counts, larger period first, what a reader of both reports could
    # conclude about the difference (the count of the months only the larger period has).
    for larger in range(LARGEST):
        for smaller in range(larger + 1):
            difference = larger - smaller
            if difference >= 5:
                continue
            possible = {
                a - b for a in could_have_been(suppress(larger)) for b in could_have_been(suppress(smaller)) if a >= b
            }
            assert difference in possible
            assert len(possible) > 1, (larger, smaller, possible)


@pytest.mark.parametrize(
    ("asked", "counted"),
    [
        (("2026-03-15", "2026-05-10"), (datetime.date(2026, 3, 1), datetime.date(2026, 5, 31))),
        (("2026-02-01", "2026-02-01"), (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))),
        (("2025-12-31", "2026-01-01"), (datetime.date(2025, 12, 1), datetime.date(2026, 1, 31))),
    ],
)
def test_a_period_is_widened_to_whole_calendar_months(asked, counted):
    form = FunderReportForm({"from": asked[0], "to": asked[1]}, groups=[])

    assert form.is_valid(), form.errors
    assert (form.cleaned_data["from"], form.cleaned_data["to"]) == counted
