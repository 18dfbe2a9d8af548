import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from groups.checklist import (
    CHECKLIST,
    CHECKLIST_BY_KEY,
    SECOND_READING,
    SECTIONS,
    SECTIONS_BY_SLUG,
    SOURCE_DOCUMENTS,
    admits_under_18s,
    applies_to,
    items_for,
    items_in_section,
    source_documents,
)
from groups.suggestions import RISK_SEEDS, is_starting_risk
from groups.wording import NO_HARM_CONTRACT_JUDGEMENT

DOMAIN = Path(__file__).resolve().parents[3] / "shared" / "DOMAIN.md"
# The same references, committed: a clone on its own (CI's `git clone . /tmp/x`) has no shared/.
SNAPSHOT = Path(__file__).with_name("domain_references.txt")
REFERENCE = re.compile(r"^- ((?:LS|GW|FAQ|SS)-[A-Z]*\d+) ", re.MULTILINE)
SECOND_READING_POINT = re.compile(r"^- \*\*(SR-\d+) ", re.MULTILINE)


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
    assert covered - domain_references() - set(SECOND_READING) == set()


def test_second_reading_points_cited_exist_and_name_the_documents_they_draw_on():
    if DOMAIN.exists():
        assert set(SECOND_READING) <= set(SECOND_READING_POINT.findall(DOMAIN.read_text()))
    assert all(prefix in SOURCE_DOCUMENTS for prefixes in SECOND_READING.values() for prefix in prefixes)


def test_sustainability_is_planned_citing_lifesigns_and_the_study():
    # SR-8: groups fade after an initial flurry; the studied groups lasted with funding, publicity
    # to new members, a venue and practitioners' support.
    item = CHECKLIST_BY_KEY["sustainability"]
    assert item.required and item.sources == ("SR-8",)
    assert item.source_names == [SOURCE_DOCUMENTS["LS"], SOURCE_DOCUMENTS["SS"]]
    text = f"{item.prompt} {item.help_text}"
    for words in ("funding", "new members", "takes over", "initial flurry"):
        assert words in text


def test_checklist_keys_are_unique_and_every_item_is_in_a_known_section():
    assert len(CHECKLIST_BY_KEY) == len(CHECKLIST)
    assert {item.section for item in CHECKLIST} == set(SECTIONS_BY_SLUG)
    assert len(SECTIONS_BY_SLUG) == len(SECTIONS)


def test_every_item_has_a_prompt_help_and_a_named_source_document():
    for item in CHECKLIST:
        assert item.prompt.endswith("?"), item.key
        assert item.sources, item.key
        assert all(source_documents(reference) for reference in item.sources)
    assert CHECKLIST_BY_KEY["missed_sessions"].source_names == [
        "LifeSIGNS: Guidance on running or supporting a real-life group"
    ]


# What each reference is about, in words an item citing it must use in its prompt or help, so that
# a citation cannot be hollow (as LS-Q17, arguments between members, once hung on turn-taking).
# Each word matches at the start of a word: "suicid" matches "suicidal", "argu" matches "argue".
REFERENCE_KEYWORDS = {
    "LS-C1": ["keep hurting", "belong", "noticed"],
    "LS-C2": ["reasons"],
    "LS-C3": ["close", "end", "move on"],
    "LS-C4": ["proof of pain", "attention"],
    "LS-C5": ["competition"],
    "LS-C6": ["continuing to self-harm", "continuing self-harm"],
    "LS-C7": ["recovery"],
    "LS-C8": ["not want to join", "seen at"],
    "LS-C9": ["nobody else understands", "understand"],
    "LS-C10": ["bullying", "target"],
    "LS-C11": ["other difficulties", "abuse", "depression", "anxiety"],
    "LS-Q1": ["led by"],
    "LS-Q2": ["member leaders"],
    "LS-Q3": ["share in running"],
    "LS-Q4": ["refer"],
    "LS-Q5": ["rules"],
    "LS-Q6": ["no-harm contract", "promise not to hurt"],
    "LS-Q7": ["taking over", "dominat", "quieter", "chance to speak"],
    "LS-Q8": ["feelings", "emotions"],
    "LS-Q9": ["trigger"],
    "LS-Q10": ["competition", "scars"],
    "LS-Q11": ["not seem ready", "help themselves"],
    "LS-Q12": ["distress"],
    "LS-Q13": ["suicid", "end their life", "ending their life"],
    "LS-Q14": ["working", "lessons"],
    "LS-Q15": ["new members"],
    "LS-Q16": ["miss"],
    "LS-Q17": ["argu", "dislike"],
    "LS-Q18": ["complain"],
    "LS-Q19": ["increases"],
    "LS-Q20": ["record", "names"],
    "LS-Q21": ["framework", "way of working"],
    "LS-Q22": ["reference materials"],
    "LS-Q23": ["looked after", "debrief", "supervision"],
    "GW-1": ["group work"],
    "GW-2": ["age", "waiting list", "under 18"],
    "GW-3": ["get on", "personalities", "friendship groups"],
    "GW-4": ["want a group"],
    "GW-5": ["room", "circle"],
    "GW-6": ["experience", "training"],
    "GW-7": ["risk assessment", "worst case"],
    "GW-8": ["aims", "progress"],
    "GW-9": ["cannot meet", "cannot run"],
    "GW-10": ["online"],
    "GW-11": ["move on", "leaving"],
    "FAQ-1": ["confidential", "need to know", "needs to know", "need-to-know"],
    "FAQ-2": ["safeguarding", "child protection", "adult protection"],
    "FAQ-3": ["wellbeing", "looked after"],
    "SS-1": ["how often", "regular", "timetable"],
    "SS-2": ["contact each other"],
    "SS-3": ["who is the group for", "age", "gender"],
    "SS-4": ["restated", "again"],
    "SS-5": ["tea", "food", "relax"],
    "SR-8": ["funding", "new members", "takes over"],
}


def test_every_reference_has_its_key_words():
    assert set(REFERENCE_KEYWORDS) == domain_references() | set(SECOND_READING)


def _names_a_key_word(item, reference) -> bool:
    text = f"{item.prompt} {item.help_text}".lower()
    return any(re.search(r"\b" + re.escape(word), text) for word in REFERENCE_KEYWORDS[reference])


def test_every_item_names_what_each_of_its_sources_is_about():
    hollow = [
        f"{item.key} cites {reference} but says none of {REFERENCE_KEYWORDS[reference]}"
        for item in CHECKLIST
        for reference in item.sources
        if not _names_a_key_word(item, reference)
    ]
    assert hollow == []


def test_arguments_between_members_have_their_own_item_and_turn_taking_no_longer_claims_them():
    [item] = [item for item in CHECKLIST if "LS-Q17" in item.sources]
    assert item.key == "arguments_between_members"
    assert "LS-Q17" not in CHECKLIST_BY_KEY["open_discussion"].sources


def test_complaints_help_says_how_to_whom_and_what_happens():
    help_text = CHECKLIST_BY_KEY["complaints"].help_text
    assert "how a member complains" in help_text
    assert "who they complain to" in help_text
    assert "what happens next" in help_text


def test_safeguarding_help_asks_whether_self_harm_itself_must_be_reported():
    assert "requires self-harm itself to be reported" in CHECKLIST_BY_KEY["safeguarding_policy"].help_text


def test_no_harm_contract_help_gives_the_guidances_judgement_and_no_invented_reason():
    help_text = CHECKLIST_BY_KEY["no_harm_contract"].help_text
    assert help_text.startswith(NO_HARM_CONTRACT_JUDGEMENT)
    assert "ask for help" not in help_text
    assert "push people away" not in help_text


def test_safety_questions_can_never_be_marked_not_applicable():
    safety_critical = {item.key for item in CHECKLIST if item.safety_critical}
    assert safety_critical == {
        "distress",  # LS-Q12
        "suicidal_intent",  # LS-Q13
        "confidentiality_limits",  # LS-Q13
        "safeguarding_policy",  # FAQ-2
        "no_harm_contract",  # LS-Q6
        "crisis_and_first_aid",  # GW-7
        "child_protection",  # SR-4, FAQ-2
        "parents_and_consent",  # SR-4
        "self_harm_reporting",  # SR-4, FAQ-2
    }
    for key in safety_critical:
        item = CHECKLIST_BY_KEY[key]
        assert item.required and not item.may_be_not_applicable, key


def test_crisis_and_first_aid_asks_who_gives_first_aid_urgent_care_and_crisis_lines():
    item = CHECKLIST_BY_KEY["crisis_and_first_aid"]
    assert item.section == "safety"
    assert {"GW-7", "LS-Q12", "LS-Q13"} <= set(item.sources)
    text = f"{item.prompt} {item.help_text}"
    for words in ("first aid", "urgent care", "crisis lines"):
        assert words in text


UNDER_18_KEYS = {"child_protection", "parents_and_consent", "school_and_camhs", "self_harm_reporting"}


def test_the_under_18_items_are_required_and_marked():
    assert {item.key for item in CHECKLIST if item.for_under_18} == UNDER_18_KEYS
    assert all(CHECKLIST_BY_KEY[key].required for key in UNDER_18_KEYS)
    assert "designated lead" in CHECKLIST_BY_KEY["child_protection"].prompt
    assert "parents or carers" in CHECKLIST_BY_KEY["parents_and_consent"].prompt
    assert "CAMHS" in CHECKLIST_BY_KEY["school_and_camhs"].prompt
    assert "self-harm itself to be reported" in CHECKLIST_BY_KEY["self_harm_reporting"].prompt


@pytest.mark.parametrize(
    "minimum_age, under_18_items_apply", [(0, True), (11, True), (17, True), (18, False), (25, False)]
)
def test_under_18_items_apply_only_when_the_minimum_age_is_under_18(minimum_age, under_18_items_apply):
    assert admits_under_18s(minimum_age) is under_18_items_apply
    keys = {item.key for item in items_for(minimum_age)}
    assert (UNDER_18_KEYS <= keys) is under_18_items_apply
    assert not (UNDER_18_KEYS & keys) or under_18_items_apply
    # Every other item applies whatever the age.
    assert {item.key for item in CHECKLIST if not item.for_under_18} <= keys
    assert all(applies_to(item, minimum_age) == (item.key in keys) for item in CHECKLIST)


def test_items_for_takes_a_group_and_keeps_checklist_order():
    young = SimpleNamespace(minimum_age=16)
    adult = SimpleNamespace(minimum_age=18)
    assert items_for(young) == CHECKLIST
    assert items_for(adult) == tuple(item for item in CHECKLIST if not item.for_under_18)
    assert items_in_section("safety", adult) == tuple(item for item in items_for(adult) if item.section == "safety")
    assert {item.key for item in items_in_section("safety", young)} >= UNDER_18_KEYS - {"parents_and_consent"}
    # Without a group, a section lists every item it has (for pages about the checklist itself).
    assert items_in_section("access") == tuple(item for item in CHECKLIST if item.section == "access")


def test_every_starting_risk_names_its_source_and_the_worst_cases_are_among_them():
    assert all(seed.source in domain_references() for seed in RISK_SEEDS)
    assert len({(seed.source, seed.title) for seed in RISK_SEEDS}) == len(RISK_SEEDS)
    worst_cases = [seed.title for seed in RISK_SEEDS if seed.source == "GW-7"]
    for words in ("first aid or urgent care", "in crisis between sessions", "discloses abuse", "dies by suicide"):
        assert any(words in title for title in worst_cases), words
    assert any("facilitator cannot carry on" in title for title in worst_cases)


def test_a_starting_risk_is_one_with_a_source():
    assert is_starting_risk(SimpleNamespace(source="GW-7"))
    assert not is_starting_risk(SimpleNamespace(source=""))
