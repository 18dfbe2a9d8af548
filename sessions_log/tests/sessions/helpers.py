"""Helpers shared by the sessions pages' tests (the files beside this one, and others)."""

from django.utils import timezone

from groups.models import SupportGroup
from sessions_log.models import Attendance, GroupSession
from sessions_log.tests.records import TODAY, url

Status = Attendance.Status
# Users get Faker names, which a member called "Robin" could share; nobody is called this.
UNMISTAKABLE_NAME = "Quillonelle"


def session_data(**changes) -> dict:
    data = {
        # Today: `active_group` launched just now, and a group holds no session before its launch.
        "date": TODAY().isoformat(),
        "starts_at": "18:30",
        "ends_at": "20:00",
        "format": GroupSession.Format.IN_PERSON,
        "outcome": GroupSession.Outcome.HELD,
        "not_run_reason": "",
        "offered_instead": "",
    }
    data.update(changes)
    return data


def register_data(marks: dict) -> dict:
    return {f"member_{member.pk}": status for member, status in marks.items()}


def register_url(session):
    return url("register", session.group, session_pk=session.pk)


def set_status(group, status):
    SupportGroup.objects.filter(pk=group.pk).update(status=status, launched_at=timezone.now())
    group.refresh_from_db()
    return group
