"""Helpers shared by the members pages' tests (the files beside this one)."""

from django.urls import reverse

from sessions_log.models import AbsencePolicy, Member
from sessions_log.tests.records import TODAY


def member_data(**changes) -> dict:
    data = {
        "display_name": "Kit",
        "joined_on": TODAY().isoformat(),
        "referral_route": Member.Referral.SELF,
        "referring_organisation": "",
    }
    data.update(changes)
    return data


def members_url(group):
    return reverse("sessions_log:members", kwargs={"pk": group.pk})


def _exit_data(things):
    return {"exited_on": TODAY().isoformat(), "reason": Member.ExitReason.MOVED_ON, "aftercare": "A call in a month."}


POLICY_DATA = {
    "after_one_miss": "Text to say we missed them.",
    "after_one_miss_assignee": AbsencePolicy.Assignee.LEAD_FACILITATOR,
    "after_two_misses": "Phone them.",
    "after_two_misses_assignee": AbsencePolicy.Assignee.LEAD_FACILITATOR,
    "after_three_misses": "Meet to talk about whether the group suits them.",
    "after_three_misses_assignee": AbsencePolicy.Assignee.COORDINATOR,
    "days_to_follow_up": "2",
}
