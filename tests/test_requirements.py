"""The two locked package sets: requirements.txt is what the app runs on, and must not carry test
tools into production; requirements-dev.txt adds them. Both are compiled by `make lock`."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Tools whose only job is testing or development, whatever requirements-dev.in calls them.
TEST_TOOLS = {"pytest", "ruff", "hypothesis", "playwright", "factory-boy", "faker", "pip-tools"}


def _normalise(name):
    """PyPI's rule: case and runs of '-', '_' and '.' do not tell package names apart."""
    return re.sub(r"[-_.]+", "-", name).lower()


def named_in(in_file):
    """The packages a .in file asks for, without versions, extras or options (-c, -r)."""
    names = set()
    for line in (ROOT / in_file).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_normalise(re.match(r"[A-Za-z0-9._-]+", line).group()))
    return names


def locked_in(txt_file):
    """Package name -> pinned version in a file pip-compile wrote."""
    return {
        _normalise(match["name"]): match["version"]
        for match in re.finditer(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)", (ROOT / txt_file).read_text(), re.M)
    }


def test_the_runtime_set_installs_no_test_tool():
    runtime = set(locked_in("requirements.txt"))

    assert not runtime & TEST_TOOLS
    assert not {name for name in runtime if name.startswith("pytest")}
    assert not runtime & named_in("requirements-dev.in"), "a development package is in the runtime lock"


def test_every_package_asked_for_is_locked():
    # Fails when a .in file was edited without running `make lock`.
    assert named_in("requirements.in") <= set(locked_in("requirements.txt"))
    assert named_in("requirements-dev.in") <= set(locked_in("requirements-dev.txt"))


def test_packages_in_both_sets_are_locked_at_the_same_version():
    runtime, development = locked_in("requirements.txt"), locked_in("requirements-dev.txt")

    assert {name: development[name] for name in runtime.keys() & development.keys()} == {
        name: runtime[name] for name in runtime.keys() & development.keys()
    }
