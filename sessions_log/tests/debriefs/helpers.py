"""Helpers shared by the debrief pages' tests (the files beside this one, and others)."""

from groups.models import GroupRole
from sessions_log.tests.records import url

Role = GroupRole.Role

SECRET = "I felt shaken after the break and did not sleep."


def debrief_data(**changes) -> dict:
    data = {
        "how_it_went": "Warm and open.",
        "anything_difficult": "",
        "wellbeing": "4",
        "support_wanted": "",
    }
    data.update(changes)
    return data


def debrief_url(name, scene, **kwargs):
    return url(name, scene.group, **kwargs)
