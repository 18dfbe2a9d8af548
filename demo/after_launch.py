"""What the active demo group shows after launch: the team holds a way to reach members who agreed
to it (one has), a member has left with a check-in waiting for the coordinator, and the aims have
been reviewed twice, so the group's page charts them.

Everything goes through the services, so the demo obeys the same rules as real use.
"""

import datetime

from django.utils import timezone

from groups.models import AimReview, AimStanding, SupportGroup
from groups.services import record_aims_review, save_group_details
from sessions_log.models import Member
from sessions_log.services import exit_member, update_member

REVIEWS = [
    # days after launch (None: yesterday), point on the scale, a few words about the group as a whole
    (7, 2, "Early days: people are still getting to know each other."),
    (None, 3, "More members say when they are struggling, in the room and between sessions."),
]


def seed_after_launch(group, *, coordinator, facilitator):
    today = timezone.localdate()
    launched = timezone.localtime(group.launched_at).date()

    details = SupportGroup.objects.get(pk=group.pk)
    details.holds_contact_details = True
    save_group_details(group=details, expected_version=details.version, by=coordinator)

    # Sky, who has missed sessions, agreed to the team holding a phone number.
    sky = Member.objects.get(group=group, display_name="Sky")
    sky.contact_details = "07700 900456"
    sky.contact_consent_on, sky.contact_consent_how = launched, Member.ConsentGiven.PHONE
    update_member(member=sky, by=coordinator)

    # Gus moved on today: a check-in is due in four weeks, and the team holds no contact for him.
    exit_member(
        member=Member.objects.get(group=group, display_name="Gus"),
        exited_on=today,
        reason=Member.ExitReason.MOVED_ON,
        aftercare="A check-in call a month later, and the Thursday drop-in if he wants it.",
        by=coordinator,
    )

    aims = list(group.aims.all())
    for days, scale, words in REVIEWS:
        reviewed_on = launched + datetime.timedelta(days=days) if days is not None else today - datetime.timedelta(1)
        record_aims_review(
            review=AimReview(group=group, reviewed_on=reviewed_on),
            standings=[AimStanding(aim=aim, scale=scale, words=words) for aim in aims],
            by=facilitator,
        )
