import factory
from django.utils import timezone

from concerns.models import Complaint, Concern
from groups.tests.factories import SupportGroupFactory
from sessions_log.tests.factories import GroupSessionFactory


class ConcernFactory(factory.django.DjangoModelFactory):
    """A safeguarding concern raised in last week's session, told to the safeguarding lead that
    evening, about nobody in particular. Pass `member=` to link one."""

    class Meta:
        model = Concern

    session = factory.SubFactory(GroupSessionFactory)
    group = factory.SelfAttribute("session.group")
    kind = Concern.Kind.SAFEGUARDING
    where = Concern.Where.IN_SESSION
    happened_on = factory.SelfAttribute("session.date")
    what_was_done = "Followed the safeguarding policy and spoke to the lead that evening."
    who_was_told = "The safeguarding lead"
    told_at = factory.LazyFunction(timezone.now)

    class Params:
        distress = factory.Trait(kind=Concern.Kind.DISTRESS, who_was_told="", told_at=None)
        risk_to_life = factory.Trait(kind=Concern.Kind.RISK_TO_LIFE)
        between_sessions = factory.Trait(
            session=None,
            group=factory.SubFactory(SupportGroupFactory, active=True),
            where=Concern.Where.PHONE_OR_MESSAGE,
            happened_on=factory.LazyFunction(timezone.localdate),
        )
        closed = factory.Trait(
            outcome="Taken forward by the safeguarding lead.", closed_on=factory.LazyFunction(timezone.localdate)
        )


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    group = factory.SubFactory(SupportGroupFactory, active=True)
    kind = Complaint.Kind.RULE_BROKEN
    happened_on = factory.LazyFunction(timezone.localdate)
    summary = "Two members talked over others during the check-in round."
    handling = "Reminded everyone of the rule on turn-taking."
