"""Helpers shared by the member record pages' tests (the files beside this one)."""

from django.urls import reverse

from sessions_log.models import Attendance

Status = Attendance.Status


def url(name, things, member=None):
    return reverse(f"sessions_log:{name}", kwargs={"pk": things.group.pk, "member_pk": (member or things.robin).pk})


def erase_data(things):
    return {"reason": "Asked in writing on 3 March.", "confirm_name": things.robin.display_name}
