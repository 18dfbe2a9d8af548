"""Checks on the words coordinators write, and what the app says when one of them fires.

Three checks, each a pure function of a piece of text, so the launch gate, the forms and the
pages can all ask the same question and get the same answer:

- `reads_like_no_harm_contract(text)`: a rule (or an answer) that asks members never to hurt
  themselves while they belong to the group, which is what LifeSIGNS calls a no-harm contract
  (LS-Q6), whether it is put as a contract, a promise to stay safe, a ban, a penalty or
  exclusion for self-harming, or a condition of joining or staying.
- `reads_like_stopping_aim(text)`: an aim about stopping or reducing self-harm (SR-10).
- `placeholder_problem(text)` and `not_applicable_reason_problem(text)`: whether an answer
  says something (12.2).

How the first two work, so that a flag can be explained and a miss can be mended:

1. The text is lower-cased and its apostrophes straightened.
2. Self-harm mentioned as a topic of conversation ("self-harm methods", "talk about self-harm",
   "pictures of self-harm") is replaced by the word "topic". A rule about what is said is not a
   rule about what members do.
3. The text is cut into clauses at full stops, semicolons, question and exclamation marks, line
   breaks and "but".
4. Each named pattern below is looked for in each clause. A match counts unless the clause
   rejects it: a negative word ("not", "never", "nobody", "no one", "against", "without",
   "rather than", ...) in the eight words before it ("Members are *not* asked to stop
   self-harming"), or straight after it ("No-harm contracts *are not* used").

The patterns are measured against the labelled texts in groups/tests/wording_cases.py, which
print their precision and recall; add a text there before changing a pattern.
"""

import re
from dataclasses import dataclass

# --- What the guidance says, quoted faithfully (no reason it does not give) --------------------

LIFESIGNS_GUIDANCE = "LifeSIGNS: Guidance on running or supporting a real-life group"
GROUP_WORK_GUIDE = "Running self-harm support groups"

# LS-Q6: "Will you enforce a 'no-harm contract' whereby members are never allowed to hurt
# themselves while members of the group? (We would suggest no. LifeSIGNS does not feel no-harm
# contracts are beneficial, and may even be damaging)". The guidance gives no further reason, so
# neither may we.
NO_HARM_CONTRACT_JUDGEMENT = (
    f"\u201c{LIFESIGNS_GUIDANCE}\u201d suggests not enforcing a no-harm contract: LifeSIGNS does not feel "
    "no-harm contracts are beneficial, and says they may even be damaging."
)
NO_HARM_CONTRACT_RULE_WARNING = (
    "This rule reads like a no-harm contract: a rule that members must never hurt themselves while they "
    f"belong to the group, whether put as a promise, a ban or a penalty. {NO_HARM_CONTRACT_JUDGEMENT}"
)
NO_HARM_CONTRACT_ANSWER_WARNING = (
    "This answer reads as if members will be held to a no-harm contract: never to hurt themselves while "
    f"they belong to the group. {NO_HARM_CONTRACT_JUDGEMENT}"
)
# GW-8: "you are likely to be encouraging behaviours like: Better help seeking; Learning to explore
# emotions safely; Managing crisis moments in a healthier way; Recognising and managing triggers".
STOPPING_AIM_GUIDANCE = (
    f"\u201c{GROUP_WORK_GUIDE}\u201d gives as examples aims that encourage better help-seeking, exploring "
    "emotions safely, managing crisis moments in a healthier way, and recognising and managing triggers."
)
STOPPING_AIM_WARNING = (
    "This aim reads as being about stopping or reducing self-harm. Aims are about coping better, not about "
    f"stopping. {STOPPING_AIM_GUIDANCE}"
)

# --- Building blocks ---------------------------------------------------------------------------

_FLAGS = re.IGNORECASE | re.VERBOSE

_REFLEXIVE = r"(?:themselves|themself|yourself|yourselves|ourselves|myself|oneself|himself|herself)"

# Hurting oneself, in the words rules use. "Cut" alone counts only where it can mean nothing else
# ("No cutting.", "must not cut while they attend"), not in "cut across someone".
_ACT = rf"""(?:
      self[-\s]?(?:harm|injur|mutilat)\w*
    | (?:hurt|harm|injur|cut|burn)\w*\s+{_REFLEXIVE}
    | (?:harm|hurt|injury|injuries)\s+to\s+{_REFLEXIVE}
    | \bcut(?:s|ting)?(?=\s+(?:while|during|between|again|at\s+all|before|after)\b|\s*[.,;:!?)]|\s*$)
    | (?:attempt|commit)\w*\s+suicide
    | kill\w*\s+{_REFLEXIVE}
    | \bend(?:s|ing)?\s+(?:their|your|his|her|my|our)\s+(?:own\s+)?li(?:fe|ves)
    | act(?:s|ing)?\s+on\s+(?:the\s+|any\s+|their\s+|your\s+)?urges?\s+to\s+(?:self[-\s]?harm\w*|hurt\s+{_REFLEXIVE})
    | \b(?:new|fresh|recent|open)\s+(?:injur(?:y|ies)|wounds?|cuts)
)"""
# After a verb of stopping, "cutting" alone means hurting oneself, unless it cuts something else
# ("stop cutting people off").
_CUTTING = (
    r"\bcutting\b(?!\s+(?:off|across|in|short|down|out|back|people|others|someone|anyone|each|the|a|an|your|their)\b)"
)

# Self-harm as the subject of talk, pictures or judgement rather than something a member does.
_TOPIC_WORD = r"""(?:
      talk\w* | speak\w* | discuss\w* | chat\w* | conversations? | describ\w* | descriptions?
    | details? | detailed | pictures? | images? | photos? | photographs? | videos? | stories | story
    | accounts? | mention\w* | shar(?:e|es|ed|ing) | show(?:s|n|ing)? | judg\w* | ask(?:s|ed|ing)?
    | questions? | language | jokes? | joking | comments? | remarks? | graphic | explicit
    | methods? | ways\s+of | tools? | injur(?:y|ies) | wounds? | scars? | marks? | content | posts?
    | compar\w*
)"""
_TOPIC = re.compile(
    rf"""
      \b{_TOPIC_WORD}\s+
      (?:(?:about|of|on|around|regarding|for|with|how|why|when)\s+)*
      (?:(?:their|your|his|her|our|the|any|someone's|anyone's|members'?|others'|own|they|you|we|people)\s+)*
      {_ACT}\b
    | {_ACT}\b[-\s]+(?:related\s+)?{_TOPIC_WORD}\b
    """,
    _FLAGS,
)

_CLAUSE_BREAK = re.compile(r"[.;!?\n]+|\s+but\s+", re.IGNORECASE)

# Words that turn a demand round: "not asked to", "nobody is", "advises against". "No" counts,
# except in "no-harm" or "no self-harm" (which are the demand) and before a mere topic.
_NEGATOR = re.compile(
    r"""
      \b(?:not|never|nobody|none|neither|nor|cannot|against|no\s+longer)\b
    | n't\b
    | \binstead\s+of\b | \brather\s+than\b
    | \bno\b(?![-\s]+(?:self[-\s]?)?(?:harm\w*|injur\w*|suicide|more|topic)\b)
    | \bwithout\b(?!\s+exception)
    """,
    _FLAGS,
)
_NEGATED_AFTER = re.compile(
    r"""^s?\s+(?:(?:is|are|was|were|will|would|do|does|be)\s+){0,2}(?:not|never)\b
      | ^s?\s+(?:isn't|aren't|wasn't|weren't|won't|don't|doesn't)\b""",
    _FLAGS,
)
_NEGATION_WINDOW_WORDS = 8
_NEGATION_WINDOW_CHARACTERS = 200


@dataclass(frozen=True)
class Finding:
    """One reason a text was flagged: the pattern's name and the words it matched."""

    pattern: str
    words: str


@dataclass(frozen=True)
class _Pattern:
    name: str
    regex: re.Pattern
    # Counts only in a clause that also mentions hurting oneself (for penalties, which are
    # ordinary rules when the offence is lateness or violence).
    needs_act_in_clause: bool = False


def _compile(pattern: str) -> re.Pattern:
    return re.compile(pattern, _FLAGS)


_ACT_IN_CLAUSE = _compile(_ACT)

# --- The no-harm-contract check ------------------------------------------------------------------

_CONTRACT_NOUN = r"(?:contract|agreement|pledge|promise|pact|policy|rule|undertaking)s?"
_PERMITTED = r"(?:allowed|permitted|tolerated|accepted|acceptable|ok|okay)\b"
NO_HARM_CONTRACT_PATTERNS = (
    # "no-harm contract", "no self-harm pledge", "safety contract", "keep-safe agreement"
    _Pattern(
        "a no-harm contract by name",
        _compile(
            rf"""\b(?:no|non)[-\s]?(?:self[-\s]?)?(?:harm|injury|suicide)(?:ing)?[-\s]+{_CONTRACT_NOUN}
               | \b(?:safety|harm[-\s]?free|self[-\s]?harm|suicide)[-\s]+(?:contract|pledge|pact)s?\b
               | \bkeep[-\s]safe[-\s]+{_CONTRACT_NOUN}"""
        ),
    ),
    # "Members must not self-harm", "agree never to hurt yourself", "stop self-injuring",
    # "as long as you don't self-harm", "must have stopped self-harming"
    _Pattern(
        "a ban on self-harm",
        _compile(
            rf"""(?:\bnot|\bnever|n't|\bno\s+longer|\bstop(?:s|ped|ping)?|\bquit(?:s|ting)?|\bcease\w*
                  |\bgiv(?:e|es|ing)\s+up|\bgave\s+up|\brefrain\w*\s+from|\babstain\w*\s+from)
               \s+(?:to\s+)?(?:be\s+)?(?:have\s+)?(?:any\s+)?(?:{_ACT}\b|{_CUTTING})
             | \b(?:go|goes|gone|going|went|stay|stays|be|been|remain)\s+(?:\w+\s+){{0,3}}?
                 without\s+(?:any\s+)?{_ACT}\b"""
        ),
    ),
    # "No self-harm while you are a member", "no more self-harm" (but not "no self-harm contract",
    # which is the pattern above, nor "no self-harm talk", which became a topic)
    _Pattern(
        "no self-harm",
        _compile(
            rf"""\bno\s+(?:more\s+|further\s+|deliberate\s+)?{_ACT}\b
                 (?![-\s]*(?:contract|agreement|pledge|promise|pact|polic))"""
        ),
    ),
    # "Zero tolerance of self-harm", "Self-harm will not be tolerated", "strictly forbidden"
    _Pattern(
        "self-harm forbidden",
        _compile(
            rf"""\b(?:zero|no)\s+tolerance\s+(?:of|for|on|to|towards)\s+(?:any\s+)?{_ACT}\b
               | {_ACT}\b\s*[:,-]?\s*zero\s+tolerance
               | {_ACT}\b(?:\s+\w+){{0,4}}?\s+(?:is|are|will\s+be|will)\s+(?:not|never)\s+(?:be\s+)?{_PERMITTED}
               | {_ACT}\b(?:\s+\w+){{0,4}}?\s+(?:isn't|won't\s+be)\s+{_PERMITTED}
               | {_ACT}\b(?:\s+\w+){{0,4}}?\s+(?:is|are|will\s+be)\s+(?:strictly\s+)?
                 (?:forbidden|banned|prohibited|unacceptable)\b
               | \bban(?:ned)?\s+on\s+{_ACT}"""
        ),
    ),
    # "Members promise to stay safe", "agree to keep themselves safe", "You must stay safe"
    _Pattern(
        "a promise to stay safe",
        _compile(
            rf"""\b(?:promis|pledg|vow|swear|swor|commit|undertak|agree|guarantee)\w*\s+
                   (?:(?:to|that|they|you|we|will|they'll|you'll|we'll)\s+){{0,3}}
                   (?:stay|keep|remain|be)(?:ing|s)?\s+(?:{_REFLEXIVE}\s+)?safe\b
               | \b(?:must|have\s+to|has\s+to|needs?\s+to|expected\s+to|required\s+to|asked\s+to|should|will)\s+
                   (?:stay|remain|keep\s+{_REFLEXIVE})\s+safe\b"""
        ),
    ),
    # "Anyone who self-harms will be asked to leave", "you lose your place", "a warning"
    _Pattern(
        "a penalty for self-harming",
        _compile(
            r"""\b(?:asked|told|made|required|expected)\s+to\s+leave\b
              | \b(?:have|has|must)\s+(?:to\s+)?leave\b
              | \b(?:removed|removal|excluded|exclusion|expelled|expulsion|banned|barred|suspended|suspension
                  |dismissed|thrown\s+out|kicked\s+out|sent\s+(?:home|away|out))\b
              | \blos(?:e|es|ing|t)\s+(?:their|your|his|her|a|the)\s+(?:place|membership|seat|spot)\b
              | \b(?:cannot|can't|can\s+not|may\s+not|(?:will\s+)?not\s+be\s+allowed\s+to|won't\s+be\s+allowed\s+to
                  |not\s+allowed\s+to|no\s+longer)\s+(?:be\s+)?(?:come|attend|return|stay|continue|join|take\s+part
                  |welcome|a\s+member)\b
              | \b(?:end|ends|ended|terminat\w*|cancel\w*)\s+(?:\w+\s+){0,2}?membership\b
              | \bmembership\s+(?:\w+\s+){0,2}?(?:ends|ended|end|terminat\w*|cancel\w*|revoked|withdrawn)\b
              | \b(?:break|time\s+(?:off|away))\s+from\s+(?:the\s+)?group\b
              | \b(?:you're|you\s+are|they're|they\s+are)\s+out\b
              | \b(?:punish\w*|penalt\w*|sanction\w*|disciplin\w*|warnings?)\b"""
        ),
        needs_act_in_clause=True,
    ),
    # "Members must be harm-free for three months", "free of self-harm"
    _Pattern(
        "harm-free as a condition",
        _compile(rf"""\bharm[-\s]?free\b | \b(?:free|clean)\s+(?:from|of)\s+(?:any\s+)?{_ACT}\b"""),
    ),
)

# --- The stopping-aim check ----------------------------------------------------------------------

_REDUCTION_FILLER = r"""(?:the|in|of|on|their|members'?|number|numbers|frequency|amount|rates?|levels?|incidence
    |severity|incidents?|episodes?|instances?|acts?|how|often|much|times|members|they|people|young|likely
    |to|any|across|among)"""
STOPPING_AIM_PATTERNS = (
    # "Members stop self-harming", "Prevent members from self-harming", "no longer self-harm"
    _Pattern(
        "stopping self-harm",
        _compile(
            rf"""(?:\bstop(?:s|ped|ping)?|\bcease\w*|\bend(?:s|ing)?|\beliminat\w*|\beradicat\w*|\bprevent\w*
                  |\bquit\w*|\bgiv(?:e|es|ing)\s+up|\brefrain\w*\s+from|\babstain\w*\s+from|\bovercom\w*
                  |\bbeat(?:s|ing)?|\bbreak\s+free\s+from|\bget\s+rid\s+of|\bno\s+longer|\bnever\s+again|\bnot)
               \s+(?:(?:members|people|young\s+people|them|anyone)\s+(?:from\s+)?)?(?:to\s+)?(?:any\s+)?
               (?:{_ACT}\b|{_CUTTING})
             | \b(?:go|goes|going|stay|stays|be|remain)\s+(?:\w+\s+){{0,3}}?without\s+(?:any\s+)?{_ACT}\b"""
        ),
    ),
    # "Reduce self-harm to zero", "Fewer incidents of self-harm", "less likely to self-harm"
    _Pattern(
        "reducing self-harm",
        _compile(
            rf"""(?:\breduc\w*|\bdecreas\w*|\blower\w*|\bcut(?:ting)?(?:\s+down)?|\bfewer|\bless|\bminimi[sz]\w*
                  |\bhalv\w*|\bfall|\bdrop|\bdeclin\w*)
               \s+(?:{_REDUCTION_FILLER}\s+)*{_ACT}\b"""
        ),
    ),
    # "Self-harm reduces", "Members self-harm less often", "self-harm reduced to zero"
    _Pattern(
        "self-harm going down",
        _compile(
            rf"""{_ACT}\b\s+(?:\w+\s+)?(?:reduc\w*|decreas\w*|fall\w*|drop\w*|stop\w*|ends?\b|declin\w*|ceas\w*
                  |less\b|fewer\b|to\s+zero|by\s+half)"""
        ),
    ),
    # "Members become harm-free", "free of self-harm", "zero self-harm", "nobody self-harms"
    _Pattern(
        "free of self-harm",
        _compile(
            rf"""\bharm[-\s]?free\b | \b(?:free|clean)\s+(?:from|of)\s+(?:any\s+)?{_ACT}\b
               | \bzero\s+{_ACT}\b | \bno\s+(?:more\s+)?{_ACT}\b
               | \b(?:nobody|no\s+one|no\s+members?|none\s+of\s+(?:the|our)\s+members)\s+(?:\w+\s+){{0,4}}?{_ACT}\b"""
        ),
    ),
)

# --- Running the patterns ------------------------------------------------------------------------


def _clauses(text: str) -> list[str]:
    normalised = (text or "").lower().replace("\u2019", "'").replace("\u2018", "'")
    without_topics = _TOPIC.sub(" topic ", normalised)
    return [clause.strip() for clause in _CLAUSE_BREAK.split(without_topics) if clause.strip()]


def _is_negated(clause: str, start: int, end: int) -> bool:
    # Only the last few words matter; looking back a bounded stretch keeps long answers cheap.
    words_before = clause[max(0, start - _NEGATION_WINDOW_CHARACTERS) : start].split()[-_NEGATION_WINDOW_WORDS:]
    return bool(_NEGATOR.search(" ".join(words_before)) or _NEGATED_AFTER.search(clause[end:]))


# Every pattern needs one of these stems; a clause without any is passed over unread.
_COULD_MATCH = re.compile(r"harm|hurt|injur|mutilat|cut|burn|suicid|kill|li(?:fe|ves)|safe|wound", re.IGNORECASE)


def _findings(text: str, patterns) -> list[Finding]:
    findings = []
    for clause in _clauses(text):
        if not _COULD_MATCH.search(clause):
            continue
        for pattern in patterns:
            if pattern.needs_act_in_clause and not _ACT_IN_CLAUSE.search(clause):
                continue
            for match in pattern.regex.finditer(clause):
                if not _is_negated(clause, match.start(), match.end()):
                    findings.append(Finding(pattern.name, match.group().strip()))
    return findings


def no_harm_contract_findings(text: str) -> list[Finding]:
    """Why a text reads like a no-harm contract: each pattern that matched, with its words."""
    return _findings(text, NO_HARM_CONTRACT_PATTERNS)


def reads_like_no_harm_contract(text: str) -> bool:
    """True when a rule asks members never to hurt themselves while they belong to the group: a
    no-harm contract, a promise to stay safe, a ban on self-harm, a penalty or exclusion for
    self-harming, or being harm-free as a condition of joining or staying. Rules that only mention
    self-harm, methods, injuries or promises, and rules that reject contracts, are not flagged."""
    return bool(no_harm_contract_findings(text))


# An answer to "Will members be asked to promise not to hurt themselves?" that starts with a yes.
_AFFIRMATIVE_START = re.compile(
    r"""^\W*(?:yes|yeah|yep|yup|definitely|absolutely|of\s+course
          |(?:we|they|members|everyone)\s+will(?!\s+not\b|\s+never\b)(?=\s+(?:be\s+asked|sign|promise|agree)))\b""",
    _FLAGS,
)


def answer_reads_like_no_harm_contract(text: str) -> bool:
    """True when an answer to the checklist question on no-harm contracts (LS-Q6) says members will
    be held to one: it starts with a yes, or it reads like a no-harm contract itself."""
    return bool(_AFFIRMATIVE_START.search(text or "")) or reads_like_no_harm_contract(text)


def stopping_aim_findings(text: str) -> list[Finding]:
    """Why an aim reads as being about stopping or reducing self-harm."""
    return _findings(text, STOPPING_AIM_PATTERNS)


def reads_like_stopping_aim(text: str) -> bool:
    """True when an aim is about stopping or reducing self-harm ("Members stop self-harming",
    "Reduce self-harm to zero") rather than about coping better ("Members find healthier ways
    through crisis moments"). Aims that mention self-harm without aiming to end it are not flagged."""
    return bool(stopping_aim_findings(text))


# --- Answers that say something ------------------------------------------------------------------

PLACEHOLDER_MESSAGE = (
    "This reads like a placeholder, not an answer. A real answer says, in a sentence or two, what will "
    "happen, who does it and when. If you cannot answer yet, leave the question in progress."
)
EMPTY_ANSWER_MESSAGE = (
    "Write an answer before marking this completed: a sentence or two saying what will happen, who does it and when."
)
NOT_APPLICABLE_REASON_MESSAGE = (
    "Say in a sentence why this question does not apply to the group: for example \u201cThe group meets "
    "only online, so there is no room to arrange.\u201d"
)

# Whole answers that say nothing, however they are dressed up in capitals and punctuation.
STOCK_NON_ANSWERS = frozenset(
    {
        "n/a", "na", "x", "tbc", "tbd", "tba", "see above", "as above", "same as above", "see below", "yes", "no",
        "none", "nothing", "todo", "to do", "not applicable", "not known", "unknown", "not sure", "don't know",
        "ok", "done", "ditto", "nil", "to be confirmed", "to be decided", "to be agreed", "not yet",
    }
)  # fmt: skip
# Words that carry no answer on their own: an answer made only of these is a placeholder.
_FILLER_WORDS = STOCK_NON_ANSWERS | frozenset(
    {
        "a", "an", "the", "is", "are", "be", "to", "as", "of", "it", "it's", "this", "that", "we", "i", "they",
        "see", "above", "below", "same", "etc", "okay", "fine", "sure", "maybe", "perhaps", "later", "pending",
        "yet", "not", "applicable", "confirmed", "decided", "agreed", "discussed", "sorted", "will", "do",
        "don't", "know", "idk", "dunno", "unsure", "null", "nope", "yep", "yeah", "definitely", "absolutely",
        "course", "answer", "here", "test", "testing", "asdf", "blah", "lorem", "ipsum", "xx",
        "xxx", "again", "still", "tbh", "something", "stuff", "whatever", "anything",
    }
)  # fmt: skip
# ...and a reason for "not applicable" made only of these and the words above gives no reason.
_REASON_FILLER_WORDS = _FILLER_WORDS | frozenset(
    {"apply", "applies", "doesn't", "does", "relevant", "irrelevant", "needed", "necessary", "us", "our",
     "group", "for", "in", "case", "one", "required", "needs"}
)  # fmt: skip
# An answer that opens with one of these is a note to come back later, whatever follows.
_DEFERRAL_START = re.compile(r"^\W*(?:tbc|tbd|tba|todo|placeholder|fill\s+in\s+later|xx+)\b", re.IGNORECASE)
_STRIP = "".join(sorted(set(".,;:!?()[]{}\"'`*_-\u2013\u2014\u2026\u2018\u2019\u201c\u201d/\\")))
_REASON_MIN_WORDS = 3


def _words(text: str) -> list[str]:
    words = []
    for raw in (text or "").lower().replace("\u2019", "'").split():
        word = raw.strip(_STRIP).replace(".", "")
        if any(character.isalnum() for character in word):
            words.append(word)
    return words


def _says_something(words: list[str], filler: frozenset, min_words: int) -> bool:
    meaningful = [word for word in words if word not in filler and len(word) > 1]
    return (
        len(words) >= min_words
        and len(set(words)) >= 2
        and " ".join(words) not in STOCK_NON_ANSWERS
        and bool(meaningful)
    )


def placeholder_problem(text: str) -> str | None:
    """What is wrong with a "completed" answer that says nothing, or None when it says something.

    The rule: an answer says something when it has at least two different words and at least one
    of them is more than a stock non-answer or filler. So these are refused, in any capitals and
    with any spaces or punctuation around them: an empty answer; punctuation alone ("-", "...",
    "\u2026", "?"); a single word ("x", "fortnightly"); a stock non-answer ("n/a", "na", "tbc", "tbd",
    "see above", "as above", "yes", "no", "none", "nothing", "todo"); words that are all filler
    ("to be confirmed", "not sure yet", "yes definitely"); and an answer that opens with a note to
    come back to it ("TBC: ask the venue").
    """
    if not (text or "").strip():
        return EMPTY_ANSWER_MESSAGE
    if _DEFERRAL_START.search(text) or not _says_something(_words(text), _FILLER_WORDS, min_words=2):
        return PLACEHOLDER_MESSAGE
    return None


def not_applicable_reason_problem(text: str) -> str | None:
    """What is wrong with a reason for marking a question "not applicable", or None when it gives one.

    The rule: a reason is a sentence, at least three words of which at least one says why (not
    only "n/a", "not applicable", "not relevant to our group" or "doesn't apply here"); the
    placeholders refused for answers are refused here too.
    """
    if _DEFERRAL_START.search(text or "") or not _says_something(
        _words(text), _REASON_FILLER_WORDS, min_words=_REASON_MIN_WORDS
    ):
        return NOT_APPLICABLE_REASON_MESSAGE
    return None


NAME_MESSAGE = (
    "Write it out: a name or a role, a place or a short phrase, not a placeholder such as \u201cx\u201d or "
    "\u201ctbc\u201d."
)


def name_problem(text: str) -> str | None:
    """What is wrong with a short entry that names something (a risk's owner, a venue, how a rule
    is shared), or None when it names something.

    The rule: one real word is enough ("Alice", "Library"), but not a stock non-answer ("x", "n/a",
    "tbc", "see above"), a single character, or punctuation alone; an empty entry is left to the
    caller, as some of these may wait."""
    words = _words(text)
    if not words:
        return NAME_MESSAGE if (text or "").strip() else None
    if _DEFERRAL_START.search(text) or " ".join(words) in STOCK_NON_ANSWERS or max(map(len, words)) < 2:
        return NAME_MESSAGE
    return None
