import pytest

from groups.wording import (
    EMPTY_ANSWER_MESSAGE,
    NO_HARM_CONTRACT_ANSWER_WARNING,
    NO_HARM_CONTRACT_JUDGEMENT,
    NO_HARM_CONTRACT_RULE_WARNING,
    NOT_APPLICABLE_REASON_MESSAGE,
    PLACEHOLDER_MESSAGE,
    STOPPING_AIM_WARNING,
    answer_reads_like_no_harm_contract,
    no_harm_contract_findings,
    not_applicable_reason_problem,
    placeholder_problem,
    reads_like_no_harm_contract,
    reads_like_stopping_aim,
)

from .wording_cases import RULES, STOPPING_AIMS

REQUIRED_PRECISION = REQUIRED_RECALL = 0.95


def _scores(check, cases):
    """Precision and recall of `check` on (text, expected) pairs, and the texts it got wrong."""
    flagged_rightly = sum(1 for text, expected in cases if expected and check(text))
    false_alarms = [text for text, expected in cases if not expected and check(text)]
    misses = [text for text, expected in cases if expected and not check(text)]
    precision = flagged_rightly / (flagged_rightly + len(false_alarms)) if flagged_rightly or false_alarms else 0.0
    recall = flagged_rightly / (flagged_rightly + len(misses))
    report = (
        f"{check.__name__} on {len(cases)} labelled texts ({flagged_rightly + len(misses)} to flag): "
        f"precision {precision:.3f}, recall {recall:.3f}; "
        f"false alarms {false_alarms}; misses {misses}"
    )
    return precision, recall, report


@pytest.mark.parametrize(
    "check, cases, minimum_size",
    [(reads_like_no_harm_contract, RULES, 80), (reads_like_stopping_aim, STOPPING_AIMS, 30)],
    ids=["no-harm contracts in rules", "stopping aims"],
)
def test_check_meets_its_precision_and_recall_on_the_labelled_set(check, cases, minimum_size):
    assert len(cases) >= minimum_size
    assert len({text for text, _ in cases}) == len(cases), "a labelled text is listed twice"
    precision, recall, report = _scores(check, cases)
    print(report)
    assert precision >= REQUIRED_PRECISION and recall >= REQUIRED_RECALL, report


@pytest.mark.parametrize(
    "rule",
    [
        "No self-harm while you are a member of the group",
        "Members promise to stay safe between sessions",
        "Anyone who self-harms will be asked to leave the group",
        "Zero tolerance of self-harm",
        "Yes: every member signs a no-harm contract on joining",
    ],
)
def test_the_rules_from_the_issue_are_flagged(rule):
    assert reads_like_no_harm_contract(rule)


@pytest.mark.parametrize(
    "rule",
    [
        # The guidance's own ground rule, and a rule that rejects contracts.
        "We talk about feelings, not self-harm methods",
        "Members are not asked to stop self-harming",
    ],
)
def test_the_guidances_own_ground_rule_and_a_rejection_of_contracts_are_not_flagged(rule):
    assert not reads_like_no_harm_contract(rule)


def test_a_flag_names_the_pattern_and_the_words_that_raised_it():
    [finding] = no_harm_contract_findings("Anyone who self-harms will be asked to leave the group.")
    assert finding.pattern == "a penalty for self-harming"
    assert finding.words == "asked to leave"


def test_the_same_words_are_not_flagged_when_the_clause_rejects_them():
    assert reads_like_no_harm_contract("Members promise to stay safe.")
    assert not reads_like_no_harm_contract("Nobody is asked to promise to stay safe.")
    assert reads_like_no_harm_contract("No-harm contracts are used.")
    assert not reads_like_no_harm_contract("No-harm contracts are not used.")


@pytest.mark.parametrize(
    "answer, holds_members_to_a_contract",
    [
        ("Yes: every member signs a no-harm contract on joining", True),
        ("Yes, but only informally at the first session.", True),
        ("We will ask members to promise to keep themselves safe.", True),
        ("Members will be asked to sign a safety contract.", True),
        ("No. LifeSIGNS suggests not, and we agree: nobody is asked to promise anything.", False),
        ("No: we do not use no-harm contracts.", False),
        ("We will not ask anyone to promise not to hurt themselves.", False),
        ("Members will never be asked to stop self-harming.", False),
    ],
)
def test_an_answer_to_the_no_harm_contract_question_that_says_yes_is_flagged(answer, holds_members_to_a_contract):
    assert answer_reads_like_no_harm_contract(answer) is holds_members_to_a_contract


def test_the_warnings_cite_the_guidances_judgement_and_invent_no_other_reason():
    assert NO_HARM_CONTRACT_JUDGEMENT == (
        "\u201cLifeSIGNS: Guidance on running or supporting a real-life group\u201d suggests not enforcing a "
        "no-harm contract: LifeSIGNS does not feel no-harm contracts are beneficial, and says they may even "
        "be damaging."
    )
    for warning in (NO_HARM_CONTRACT_RULE_WARNING, NO_HARM_CONTRACT_ANSWER_WARNING):
        assert warning.endswith(NO_HARM_CONTRACT_JUDGEMENT)
        # The first version said "it can stop people asking for help": the guidance says no such thing.
        assert "help" not in warning.lower()
        assert "because" not in warning.lower()
    assert "\u201cRunning self-harm support groups\u201d" in STOPPING_AIM_WARNING
    assert "managing crisis moments in a healthier way" in STOPPING_AIM_WARNING


# Every "done" answer the launch gate would see: (text, refused?).
ANSWERS = [
    # Empty, and punctuation only.
    ("", True),
    ("   ", True),
    ("-", True),
    ("\u2026", True),
    ("...", True),
    ("?", True),
    (" -- ", True),
    ("!?", True),
    # Stock non-answers, in any capitals and with punctuation around them.
    ("n/a", True),
    ("N/A", True),
    (" n/a. ", True),
    ("N.A.", True),
    ("na", True),
    ("NA", True),
    ("x", True),
    ("X.", True),
    ("tbc", True),
    ("TBC!", True),
    ("tbd", True),
    ("see above", True),
    ("See above.", True),
    ("As above", True),
    ("(as above)", True),
    ("yes", True),
    ("Yes.", True),
    ("NO", True),
    ("none", True),
    ("Nothing.", True),
    ("todo", True),
    ("TODO:", True),
    ("Not applicable", True),
    ("to be confirmed", True),
    ("Not sure yet", True),
    ("Yes, definitely!", True),
    ("x x x", True),
    ("asdf asdf", True),
    # One word, however real.
    ("Fortnightly", True),
    ("Self-referral.", True),
    # A note to come back to it later.
    ("TBC: ask the venue about the room.", True),
    ("tbd - depends on funding", True),
    # Answers that say something.
    ("Weekly meetings", False),
    ("Self-referral and through the school nurse.", False),
    ("A quiet room next door; the co-facilitator stays with them until they feel ready.", False),
    ("No. We follow LifeSIGNS and do not use no-harm contracts.", False),
    ("Yes: see the safeguarding policy, section 4.", False),
    ("The safeguarding lead is the deputy head.", False),
    ("Members are told at their first session and reminded each term.", False),
    ("  Every Tuesday, 6 to 8pm, in the community centre.  ", False),
    ("To do this, the facilitator rings the member the next day.", False),
    ("N/A for the online sessions; in person, a first-aider is always on site.", False),
]


@pytest.mark.parametrize("text, refused", ANSWERS)
def test_a_completed_answer_must_say_something(text, refused):
    assert (placeholder_problem(text) is not None) is refused


def test_the_answer_table_is_big_enough_and_covers_both_outcomes():
    assert len(ANSWERS) >= 40
    assert {refused for _, refused in ANSWERS} == {True, False}


def test_the_messages_say_what_a_real_answer_covers():
    assert placeholder_problem("") == EMPTY_ANSWER_MESSAGE
    assert placeholder_problem("n/a") == PLACEHOLDER_MESSAGE
    for message in (EMPTY_ANSWER_MESSAGE, PLACEHOLDER_MESSAGE):
        assert "what will happen, who does it and when" in message


@pytest.mark.parametrize(
    "reason, refused",
    [
        ("", True),
        ("n/a", True),
        ("N/A.", True),
        ("x", True),
        ("Not applicable", True),
        ("Not relevant to our group", True),
        ("Doesn't apply here.", True),
        ("See above", True),
        ("Online only", True),
        ("TBC: check with the coordinator", True),
        ("The group meets only online.", False),
        ("Members are all over 18, so no parental consent is needed.", False),
        ("We have no premises: sessions are held by video call.", False),
    ],
)
def test_a_not_applicable_reason_must_be_a_sentence(reason, refused):
    problem = not_applicable_reason_problem(reason)
    assert (problem is not None) is refused
    if refused:
        assert problem == NOT_APPLICABLE_REASON_MESSAGE
