"""Finding the names members of a group were recorded under in free text, without keeping the
names: for redacting other members' names from a member's export, and every member's name from
what supervisors read.

A member's name goes when their records are erased (on request, or by the retention purge), but
notes written about the group may still name them. So each name a member of a group is ever
recorded under is also kept as a keyed hash (RecordedName): enough to recognise the name in a
text, never enough to read it back. The key is derived from SECRET_KEY (and SECRET_KEY_FALLBACKS,
so that a rotated key keeps recognising names hashed under the old one).

A name that is also a common English word (COMMON_WORDS: "Will", "May", "Hope", "and") is taken
for a name only where it is written with a capital letter; every other name in any letter case.
"""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.crypto import salted_hmac

from .models import Member, RecordedName
from .permissions import can_view_members

ANOTHER_MEMBER = "[another member]"
A_MEMBER = "[a member]"
KEY_SALT = "sessions_log.recorded_name"
# A word of a name: letters and digits, joined to the next by an apostrophe, a hyphen or spaces
# ("O'Neill", "Mary-Jane", "Jo  Ann").
WORD = re.compile(r"[^\W_]+")
JOINERS = re.compile(r"[\s'\u2019\-]+")
APOSTROPHES = str.maketrans({"\u2019": "'"})


@cache
def common_words() -> frozenset[str]:
    """The most frequent English words (common_words.txt says where they come from)."""
    path = Path(__file__).with_name("common_words.txt")
    return frozenset(
        line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"
    )


def normalised(name: str) -> str:
    """A name as compared: letter case folded, spaces collapsed, curly apostrophes straightened."""
    return " ".join(name.translate(APOSTROPHES).casefold().split())


def is_common_word(name: str) -> bool:
    """Whether a recorded name is also one of the most common English words: a note that
    contains it may be using the word, not naming the member."""
    return normalised(name) in common_words()


def name_words(name: str) -> int:
    return len(WORD.findall(name))


def name_key(name: str, *, secret=None) -> str:
    """The keyed hash a name is recognised by (RecordedName.key)."""
    return salted_hmac(KEY_SALT, normalised(name), secret=secret, algorithm="sha256").hexdigest()


def _secrets() -> list:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


class Redactor:
    """The names recorded in one group, ready to be found in its texts: members' names as they
    are and were (from the members and their history), and erased members' by their keyed hash."""

    def __init__(self, keys: set[str], longest: int, *, names=(), keep=()):
        self._keys = keys
        self._names = {normalised(name) for name in names if name.strip()}
        # The reader's own names (a member reading their export): never taken out.
        self._keep = {normalised(name) for name in keep if name.strip()}
        self._longest = max([longest, *(name_words(name) for name in [*names, *keep])])
        self._seen: dict[str, bool] = {}

    @classmethod
    def for_group(cls, group_id: int, *, keep=()) -> "Redactor":
        """Every name anyone in the group was ever recorded under (two queries)."""
        rows = RecordedName.objects.filter(group_id=group_id).values_list("key", "words")
        keys, longest = set(), 0
        for key, words in rows:
            keys.add(key)
            longest = max(longest, words)
        now = Member.objects.filter(group_id=group_id).order_by().values_list("display_name", flat=True)
        before = Member.history.filter(group_id=group_id).order_by().values_list("display_name", flat=True)
        return cls(keys, longest, names=set(now.union(before)), keep=keep)

    def _is_recorded(self, candidate: str) -> bool:
        known = normalised(candidate)
        if known in self._names:
            return True
        if known not in self._seen:
            self._seen[known] = any(name_key(candidate, secret=secret) in self._keys for secret in _secrets())
        return self._seen[known]

    def spans(self, text: str) -> list[tuple[int, int, bool]]:
        """(start, end, is_kept) of each recorded name in the text, as whole words, the longest
        first where names overlap ("Jo Ann" before "Jo")."""
        if not text or not (self._keys or self._names or self._keep):
            return []
        words = list(WORD.finditer(text))
        found, index = [], 0
        while index < len(words):
            match = None
            for count in range(min(self._longest, len(words) - index), 0, -1):
                last = words[index + count - 1]
                between = [text[words[i].end() : words[i + 1].start()] for i in range(index, index + count - 1)]
                if any(not JOINERS.fullmatch(gap) for gap in between):
                    continue
                start, end = words[index].start(), last.end()
                candidate = text[start:end]
                if normalised(candidate) in self._keep:
                    match = (start, end, True, count)
                    break
                if is_common_word(candidate) and not candidate[0].isupper():
                    continue  # the ordinary word, written as one
                if self._is_recorded(candidate):
                    match = (start, end, False, count)
                    break
            if match:
                found.append(match[:3])
                index += match[3]
            else:
                index += 1
        return found

    def redacted(self, text: str, replacement: str = ANOTHER_MEMBER) -> str:
        """The text with every recorded name but the kept ones replaced."""
        if not text:
            return text
        pieces, at = [], 0
        for start, end, kept in self.spans(text):
            pieces.append(text[at:start])
            pieces.append(text[start:end] if kept else replacement)
            at = end
        pieces.append(text[at:])
        return "".join(pieces)


def names_hidden_from(user, group) -> Redactor | None:
    """For free text about the group's sessions (lessons, debriefs, reviews, notes, the change
    history), shown to `user`: None for those who see members' names (permissions.can_view_members),
    and for everyone else (the supervisor) the Redactor that takes every member's name out. Every
    page showing such text to a supervisor asks this one question."""
    return None if can_view_members(user, group) else Redactor.for_group(group.pk)


def shown(text: str, hidden_names: Redactor | None) -> str:
    """The text as `hidden_names` (from names_hidden_from) lets it be read."""
    return text if hidden_names is None else hidden_names.redacted(text, A_MEMBER)


def remember_names(group_id: int, names) -> None:
    """Keep the keyed hash of each name (RecordedName), inside the caller's transaction, so the
    name is still recognised once the member is erased."""
    for name in names:
        if name and name.strip():
            RecordedName.objects.get_or_create(
                group_id=group_id, key=name_key(name), defaults={"words": name_words(name)}
            )
