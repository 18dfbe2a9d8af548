import pytest

from groups.models import SupportGroup
from sessions_log.models import AbsencePolicy, Attendance, attendance_percentage, naming_problem
from sessions_log.services import consecutive_misses

Status = Attendance.Status
Naming = SupportGroup.NameRecording


@pytest.mark.parametrize(
    ("name", "policy", "ok"),
    [
        ("Jo", Naming.NICKNAME, True),
        ("Mary-Ann", Naming.FIRST_NAME, True),
        ("Jo Bloggs", Naming.FIRST_NAME, False),
        ("Jo Bloggs", Naming.NICKNAME, False),
        ("Jo Bloggs", Naming.FULL_NAME, True),
        ("   ", Naming.FULL_NAME, False),
    ],
)
def test_names_must_fit_the_groups_naming_policy(name, policy, ok):
    assert (naming_problem(name, policy) is None) is ok


@pytest.mark.parametrize(
    ("marks", "apologies_count", "expected"),
    [
        ([Status.ABSENT, Status.ABSENT, Status.PRESENT, Status.ABSENT], False, 2),
        ([Status.PRESENT, Status.ABSENT], False, 0),
        ([Status.ABSENT, Status.APOLOGIES, Status.ABSENT, Status.LATE], False, 2),
        ([Status.ABSENT, Status.APOLOGIES, Status.ABSENT, Status.LATE], True, 3),
        ([Status.LEFT_EARLY, Status.ABSENT], True, 0),
        ([], False, 0),
    ],
)
def test_consecutive_misses_counts_back_to_the_last_attendance(marks, apologies_count, expected):
    policy = AbsencePolicy(apologies_count_as_missed=apologies_count)
    assert consecutive_misses(marks, policy) == expected


@pytest.mark.parametrize(("misses", "step"), [(1, "one"), (2, "two"), (3, "three"), (7, "three")])
def test_three_or_more_misses_share_the_last_step(misses, step):
    policy = AbsencePolicy(after_one_miss="one", after_two_misses="two", after_three_misses="three")
    assert policy.step_for(misses)[0] == step


@pytest.mark.parametrize(("attended", "marked", "expected"), [(8, 10, 80), (2, 3, 67), (0, 4, 0), (0, 0, None)])
def test_attendance_percentage_is_whole_and_absent_when_nothing_was_marked(attended, marked, expected):
    assert attendance_percentage(attended, marked) == expected
