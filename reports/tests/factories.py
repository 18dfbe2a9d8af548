import factory

from accounts.tests.factories import UserFactory
from groups.tests.factories import SupportGroupFactory
from reports.models import CalendarFeed


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(UserFactory)
    group = factory.SubFactory(SupportGroupFactory)
