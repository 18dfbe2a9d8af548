import re
from pathlib import Path

from groups.checklist import CHECKLIST, CHECKLIST_BY_KEY, SECTIONS, SECTIONS_BY_SLUG, source_document

DOMAIN = Path(__file__).resolve().parents[3] / "shared" / "DOMAIN.md"
# The same references, committed: a clone on its own (CI's `git clone . /tmp/x`) has no shared/.
SNAPSHOT = Path(__file__).with_name("domain_references.txt")
REFERENCE = re.compile(r"^- ((?:LS|GW|FAQ|SS)-[A-Z]*\d+) ", re.MULTILINE)


def _snapshot_references() -> set[str]:
    lines = SNAPSHOT.read_text().splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def domain_references() -> set[str]:
    """The references DOMAIN.md lists. Read from DOMAIN.md itself when it is beside the project,
    and then the committed snapshot must match it; otherwise from the snapshot."""
    snapshot = _snapshot_references()
    if DOMAIN.exists():
        live = set(REFERENCE.findall(DOMAIN.read_text()))
        assert snapshot == live, "groups/tests/domain_references.txt no longer matches shared/DOMAIN.md"
    return snapshot


def test_domain_md_lists_the_references_we_expect_to_cover():
    references = domain_references()
    # 11 concerns, 23 questions, 11 group-work questions, 3 FAQ points, 5 from the study.
    assert len(references) == 53
    assert {"LS-C1", "LS-C11", "LS-Q1", "LS-Q23", "GW-1", "GW-11", "FAQ-3", "SS-5"} <= references


def test_every_domain_reference_is_answered_by_some_checklist_item():
    covered = {reference for item in CHECKLIST for reference in item.sources}
    assert domain_references() - covered == set()


def test_checklist_cites_only_references_that_exist():
    covered = {reference for item in CHECKLIST for reference in item.sources}
    assert covered - domain_references() == set()


def test_checklist_keys_are_unique_and_every_item_is_in_a_known_section():
    assert len(CHECKLIST_BY_KEY) == len(CHECKLIST)
    assert {item.section for item in CHECKLIST} == set(SECTIONS_BY_SLUG)
    assert len(SECTIONS_BY_SLUG) == len(SECTIONS)


def test_every_item_has_a_prompt_help_and_a_named_source_document():
    for item in CHECKLIST:
        assert item.prompt.endswith("?"), item.key
        assert item.sources, item.key
        assert all(source_document(reference) for reference in item.sources)
    assert CHECKLIST_BY_KEY["missed_sessions"].source_names == [
        "LifeSIGNS: Guidance on running or supporting a real-life group"
    ]
