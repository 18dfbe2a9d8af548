"""Checks on the words coordinators write."""

import re

# A no-harm contract asks members to promise not to hurt themselves. The guidance advises
# against them (LifeSIGNS), so we warn, but a rule is the coordinator's to write.
_NO_HARM_CONTRACT = re.compile(
    r"""
    \bno[-\s]?harm\b
    | \bharm[-\s]free\b
    | \b(?:safety|no[-\s]?suicide)\s+contract\b
    | \b(?:not|never|no\s+longer|stop|refrain\s+from|abstain\s+from)\s+(?:to\s+)?
      (?:self[-\s]?harm\w*
        | self[-\s]?injur\w*
        | (?:hurt|harm)(?:ing)?\s+(?:themselves|themself|yourself|yourselves|ourselves|myself|oneself)
        | cut(?:ting)?\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def reads_like_no_harm_contract(text: str) -> bool:
    """True when a rule seems to ask members to promise not to hurt themselves."""
    return bool(_NO_HARM_CONTRACT.search(text or ""))
