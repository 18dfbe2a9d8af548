"""Names and other one-line text must be what people see.

A group's name, a member's name, a rule or a venue is shown in lists, matched when a member is
erased, and written into calendar files and CSVs. A line break in a group's name broke every
facilitator's calendar feed; an invisible character makes two names that look the same differ
(so a member's name is missed when it is taken out of notes); a right-to-left override makes text
read differently from how it is stored. So one-line fields refuse, as they come in:

- control characters (Unicode category Cc): NUL, tab, line feed, carriage return, DEL and the
  C1 controls such as NEXT LINE;
- format characters (Cf), which show as nothing: zero-width space, joiner and non-joiner, word
  joiner, soft hyphen, the byte order mark, and the bidirectional marks, embeddings, overrides
  and isolates. This also refuses emoji built with a zero-width joiner (a family, a rainbow
  flag): a name is better without them than spoofable;
- line and paragraph separators (Zl, Zp), lone surrogates (Cs) and private-use characters (Co),
  which have no agreed look;
- noncharacters (U+FFFE, U+FFFF, U+FDD0 to U+FDEF, and the last two of every plane);
- a few letters and marks that are drawn as nothing (Hangul fillers, the combining grapheme
  joiner, Khmer inherent vowels).

Text of several lines (plan answers, notes) keeps its line breaks; those fields are bounded by
length instead.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_DRAWN_AS_NOTHING = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _is_noncharacter(character: str) -> bool:
    code_point = ord(character)
    return 0xFDD0 <= code_point <= 0xFDEF or (code_point & 0xFFFE) == 0xFFFE


def is_hidden(character: str) -> bool:
    """Whether a character would break a line or show as nothing (see the module's docstring)."""
    return (
        unicodedata.category(character) in _REFUSED_CATEGORIES
        or character in _DRAWN_AS_NOTHING
        or _is_noncharacter(character)
    )


def _describe(character: str) -> str:
    if character in _LINE_BREAKS:
        return "a line break"
    if character == "\t":
        return "a tab"
    return f"an invisible character (U+{ord(character):04X})"


def validate_single_line(value):
    """Refuses line breaks, tabs and characters that show as nothing, naming the first found."""
    hidden = next((character for character in str(value) if is_hidden(character)), None)
    if hidden is not None:
        raise ValidationError(
            "Keep this to one line of visible characters: it has %(what)s in it, perhaps from pasting.",
            code="hidden_character",
            params={"what": _describe(hidden)},
        )


_SPACES = re.compile(r"\s+")


def as_one_line(text: str) -> str:
    """The text with every hidden character turned into a space and runs of spaces made one: for
    writing names stored before they were checked into files that need one line (calendars)."""
    shown = "".join(" " if is_hidden(character) else character for character in text)
    return _SPACES.sub(" ", shown).strip()
