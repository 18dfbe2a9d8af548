"""Every public service function that changes something takes the person making the change as a
keyword-only `by`, and takes nothing positionally (docs/architecture.md, "One way to change
anything"): so every change can say who made it, and no caller can pass a user in the wrong
place.

A function changes something when its body saves, deletes or creates a model instance, uses a
bulk helper (Django's, simple_history's or audit.changes'), sets, adds to or removes from a
many-to-many relation, or calls another function of the service modules that does. That is read
from the source (AST), as audit/tests/test_no_untracked_writes.py reads it for writes around the
history, so a new service is checked the day it is written.
"""

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "audit", "groups", "sessions_log", "concerns", "reports", "invitations"]
# Modules holding services under another name than services.py.
OTHER_SERVICE_MODULES = [
    "groups.planning",
    "groups.closing",
    "sessions_log.erasure",
    "sessions_log.subject_access",
    "sessions_log.member_requests",
]
# The access log is a log, not a record with a history: an entry says who read something (its
# `user`), and the daily purge deletes old entries with nobody to name.
NOT_CHANGES = {"audit.services.record_access", "audit.services.purge_access_log"}

WRITING_METHODS = {
    "save",
    "delete",
    "create",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "save_without_historical_record",
}
# On a relation (`session.facilitators_present.set(...)`); on a plain name (`seen.add(x)`) they
# are a set's or a list's.
RELATION_METHODS = {"set", "add", "remove", "clear"}
WRITING_HELPERS = {
    "save_change",
    "delete_change",
    "create_many",
    "update_many",
    "bulk_create_with_history",
    "bulk_update_with_history",
}


def service_modules() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("services.py")):
            parts = set(path.relative_to(ROOT).parts)
            if "tests" not in parts and "migrations" not in parts:
                found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found + OTHER_SERVICE_MODULES


def _source(module: str) -> str:
    return (ROOT / Path(*module.split("."))).with_suffix(".py").read_text()


def _writes_directly(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in WRITING_HELPERS:
            return True
        if isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            if method in WRITING_METHODS or method in WRITING_HELPERS:
                return True
            # QuerySet.update() takes keyword arguments only; dict.update(mapping) a positional one.
            if method == "update" and not node.args:
                return True
            if method in RELATION_METHODS and isinstance(receiver, ast.Attribute):
                return True
    return False


def _resolve(module: str, level: int, name: str | None) -> str:
    if not level:
        return name or ""
    base = module.split(".")[:-level]
    return ".".join(base + ([name] if name else []))


class ServiceModule:
    def __init__(self, name: str, source: str):
        self.name = name
        tree = ast.parse(source)
        self.functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        # Local name -> (module, name) for `from x import name`, and local name -> module for
        # `from . import module` / `import x.y as z`; unresolvable ones are simply not services.
        self.imported: dict[str, tuple[str, str]] = {}
        self.modules: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                origin = _resolve(name, node.level, node.module)
                for alias in node.names:
                    local = alias.asname or alias.name
                    self.imported[local] = (origin, alias.name)
                    self.modules[local] = f"{origin}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.modules[alias.asname or alias.name] = alias.name

    def callees(self, function: ast.FunctionDef) -> set[tuple[str, str]]:
        called = set()
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name):
                name = node.func.id
                if name in self.functions:
                    called.add((self.name, name))
                elif name in self.imported:
                    called.add(self.imported[name])
            elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                module = self.modules.get(node.func.value.id)
                if module:
                    called.add((module, node.func.attr))
        return called


def offences(modules: dict[str, str]) -> list[str]:
    """Each public function of these modules (name -> source) that changes something without a
    keyword-only `by`, or that takes arguments positionally."""
    parsed = {name: ServiceModule(name, source) for name, source in modules.items()}
    functions = {(module.name, name): node for module in parsed.values() for name, node in module.functions.items()}
    writing = {key for key, node in functions.items() if _writes_directly(node)}
    calls = {key: parsed[key[0]].callees(node) for key, node in functions.items()}
    while True:
        more = {key for key, called in calls.items() if key not in writing and called & writing}
        if not more:
            break
        writing |= more
    found = []
    for module, name in sorted(writing):
        if name.startswith("_") or f"{module}.{name}" in NOT_CHANGES:
            continue
        arguments = functions[module, name].args
        if "by" not in [argument.arg for argument in arguments.kwonlyargs]:
            found.append(f"{module}.{name} changes something but takes no keyword-only `by`")
        if arguments.posonlyargs or arguments.args or arguments.vararg:
            found.append(f"{module}.{name} takes arguments positionally")
    return found


def test_every_service_module_is_found_and_imports():
    modules = service_modules()
    assert {"groups.services", "sessions_log.services", "reports.services", "audit.services"} <= set(modules)
    for module in modules:
        imported = importlib.import_module(module)
        assert ServiceModule(module, _source(module)).functions.keys() <= set(dir(imported)), module


def test_every_public_service_that_changes_something_takes_by_as_a_keyword():
    assert offences({module: _source(module) for module in service_modules()}) == []


def test_the_check_catches_a_service_without_by():
    sample = {
        "app.services": (
            "from audit.changes import save_change\n"
            "from app.helpers import stamp\n"
            "\n"
            "def saves_without_by(*, member):\n"
            "    member.save()\n"
            "\n"
            "def writes_through_a_private_helper(*, member):\n"
            "    _helper(member)\n"
            "\n"
            "def _helper(member):\n"
            "    save_change(member, by=None, reason='Changed')\n"
            "\n"
            "def sets_a_relation(session, people, *, by):\n"
            "    session.facilitators_present.set(people)\n"
            "\n"
            "def updates_rows(*, group):\n"
            "    group.members.filter(status='active').update(status='exited')\n"
            "\n"
            "def calls_another_module(*, member):\n"
            "    stamp(member=member, by=None)\n"
            "\n"
            "def reads_only(group):\n"
            "    seen = set()\n"
            "    seen.add(group.pk)\n"
            "    options = {}\n"
            "    options.update({'timeout': 20})\n"
            "    return seen\n"
            "\n"
            "def well_behaved(*, member, by):\n"
            "    save_change(member, by=by, reason='Changed')\n"
        ),
        "app.helpers": "def stamp(*, member, by):\n    member.delete()\n",
    }

    assert offences(sample) == [
        "app.services.calls_another_module changes something but takes no keyword-only `by`",
        "app.services.saves_without_by changes something but takes no keyword-only `by`",
        "app.services.sets_a_relation takes arguments positionally",
        "app.services.updates_rows changes something but takes no keyword-only `by`",
        "app.services.writes_through_a_private_helper changes something but takes no keyword-only `by`",
    ]
