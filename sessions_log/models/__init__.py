"""What happens after a group launches: its members, sessions and registers, follow-up of
missed sessions, lessons learnt, and facilitators' debriefs with their supervisor's review."""

from .members import Member, MemberQuerySet, MemberRequest, RecordedName, Signposting, naming_problem
from .reflection import Debrief, DebriefNote, DebriefReview, Lesson
from .sessions import (
    HELD,
    HELD_WITH_REGISTER,
    HELD_WITHOUT_REGISTER,
    AbsencePolicy,
    Attendance,
    FollowUp,
    GroupSession,
    attendance_percentage,
)

__all__ = [
    "HELD",
    "HELD_WITH_REGISTER",
    "HELD_WITHOUT_REGISTER",
    "AbsencePolicy",
    "Attendance",
    "Debrief",
    "DebriefNote",
    "DebriefReview",
    "FollowUp",
    "GroupSession",
    "Lesson",
    "Member",
    "MemberRequest",
    "RecordedName",
    "Signposting",
    "attendance_percentage",
    "MemberQuerySet",
    "naming_problem",
]
