"""The rows for the services of concerns and the complaints log."""

from django.utils import timezone

from concerns.models import Complaint, Concern
from concerns.services import close_complaint, close_concern, raise_concern, record_complaint, update_concern
from concerns.tests.factories import ComplaintFactory, ConcernFactory
from tests.service_rules.rows import TODAY, Service, Status, newest, set_status


def _new_concern(scene, by):
    concern = Concern(
        group=scene.group,
        kind=Concern.Kind.SAFEGUARDING,
        member=scene.member,
        session=scene.session,
        what_was_done="Followed the safeguarding policy.",
        who_was_told="The safeguarding lead",
        told_at=timezone.now(),
    )
    raise_concern(concern=concern, by=by)


def _concern(scene):
    scene.concern = ConcernFactory(session=scene.session, member=scene.member)


def _concern_closed(scene):
    Concern.objects.filter(pk=scene.concern.pk).update(closed_on=TODAY(), outcome="Done.")


def _add_to_concern(scene, by):
    scene.concern.what_was_done = "Followed the policy, and rang the member the next day."
    update_concern(concern=scene.concern, by=by)


def _complaint(scene):
    scene.complaint = ComplaintFactory(group=scene.group)


CONCERN_SERVICES = [
    Service(
        "raise_concern",
        "facilitator",
        "supervisor",
        _new_concern,
        wrong_state=lambda scene: set_status(scene.group, Status.PLANNING),
        history=lambda scene: newest(Concern, group_id=scene.group.pk),
        reason="Raised: safeguarding concern",
    ),
    Service(
        "update_concern",
        "coordinator",
        "supervisor",
        _add_to_concern,
        prepare=_concern,
        wrong_state=_concern_closed,
        history=lambda scene: newest(Concern, id=scene.concern.pk),
        reason="Concern updated",
    ),
    Service(
        "close_concern",
        "coordinator",
        "facilitator",  # a safeguarding concern is the coordinator's to close
        lambda scene, by: close_concern(concern=scene.concern, outcome="Taken forward.", closed_on=TODAY(), by=by),
        prepare=_concern,
        wrong_state=_concern_closed,
        history=lambda scene: newest(Concern, id=scene.concern.pk),
        reason="Closed",
    ),
    Service(
        "record_complaint",
        "facilitator",
        None,  # anyone on the team adds to the log
        lambda scene, by: record_complaint(
            complaint=Complaint(
                group=scene.group,
                kind=Complaint.Kind.RULE_BROKEN,
                happened_on=TODAY(),
                summary="Phones out during the session.",
                handling="Reminded everyone of the rule.",
            ),
            by=by,
        ),
        wrong_state=lambda scene: set_status(scene.group, Status.PLANNING),
        history=lambda scene: newest(Complaint, group_id=scene.group.pk),
        reason="Added to the complaints log",
    ),
    Service(
        "close_complaint",
        "supervisor",
        "facilitator",
        lambda scene, by: close_complaint(complaint=scene.complaint, outcome="Settled.", closed_on=TODAY(), by=by),
        prepare=_complaint,
        wrong_state=lambda scene: Complaint.objects.filter(pk=scene.complaint.pk).update(
            closed_on=TODAY(), outcome="Done."
        ),
        history=lambda scene: newest(Complaint, id=scene.complaint.pk),
        reason="Closed",
    ),
]
