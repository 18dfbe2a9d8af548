"""Members' names in text the group's supervisor reads.

Supervisors never see members' names (sessions_log.permissions.can_view_members), so a concern's
and the complaints log's free text must not carry them either: whoever writes it is told, beside
the field, which name they used, and writes "a member" instead. Names are matched as the
subject-access export matches them (sessions_log.subject_access.MemberNames: whole words, any
letter case), so a name that is also an ordinary word ("May") is refused too, and the person
rephrases: a false alarm costs a moment, a leaked name cannot be taken back.
"""

from sessions_log.models import Member
from sessions_log.subject_access import MemberNames


def member_name_finder(group):
    """A function giving the names of the group's members (attending, waiting or left) that a
    text uses, each once, as written in the text. One query, however many texts it reads."""
    names = MemberNames(own=Member.objects.filter(group=group).values_list("display_name", flat=True), others=())

    def names_in(text: str) -> list[str]:
        if not text or not text.strip():
            return []
        return list(dict.fromkeys(piece for piece, kind in names.pieces(text) if kind == MemberNames.OWN))

    return names_in


def member_names_in(text: str, group) -> list[str]:
    return member_name_finder(group)(text)
