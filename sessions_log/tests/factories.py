import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from groups.tests.factories import SupportGroupFactory
from reports.summary import months_of_follow_ups, refresh_months
from sessions_log.counters import refresh_register_counts
from sessions_log.models import (
    AbsencePolicy,
    Attendance,
    Debrief,
    DebriefNote,
    DebriefReview,
    FollowUp,
    GroupSession,
    Lesson,
    Member,
)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    group = factory.SubFactory(SupportGroupFactory, active=True)
    display_name = factory.Sequence(lambda n: f"Member{n}")
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))


class GroupSessionFactory(factory.django.DjangoModelFactory):
    """A held session a week ago. Pass `facilitators_present=[user, ...]` to set who ran it."""

    class Meta:
        model = GroupSession
        skip_postgeneration_save = True

    group = factory.SubFactory(SupportGroupFactory, active=True)
    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    starts_at = datetime.time(18, 30)
    ends_at = datetime.time(20, 0)

    @factory.post_generation
    def facilitators_present(self, create, extracted, **kwargs):
        if create and extracted:
            self.facilitators_present.set(extracted)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """A session written straight to the table, counted in the funder report's summary as
        record_session would (reports.summary)."""
        session = super()._create(model_class, *args, **kwargs)
        refresh_months(session.group_id, {session.date})
        return session


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(GroupSessionFactory)
    member = factory.SubFactory(MemberFactory, group=factory.SelfAttribute("..session.group"))
    status = Attendance.Status.PRESENT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """A mark written straight to the table, with the totals the services keep in step as
        save_register would (sessions_log.counters)."""
        mark = super()._create(model_class, *args, **kwargs)
        refresh_register_counts(session_ids=[mark.session_id], member_ids=[mark.member_id])
        refresh_months(mark.session.group_id, {mark.session.date})
        return mark


class AbsencePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AbsencePolicy
        django_get_or_create = ("group",)

    group = factory.SubFactory(SupportGroupFactory, active=True)


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    member = factory.SubFactory(MemberFactory)
    session = factory.SubFactory(GroupSessionFactory, group=factory.SelfAttribute("..member.group"))
    consecutive_misses = 1
    action = "Send a friendly message to say they were missed."
    assignee = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """A follow-up written straight to the table, counted in the funder report's summary as
        the services would (reports.summary)."""
        follow_up = super()._create(model_class, *args, **kwargs)
        refresh_months(follow_up.session.group_id, months_of_follow_ups(FollowUp.objects.filter(pk=follow_up.pk)))
        return follow_up


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    group = factory.SubFactory(SupportGroupFactory, active=True)
    theme = "sessions"
    what_worked = "Starting with a cup of tea and ten minutes of general chat."
    what_to_change = "Agree a signal for needing a break."


class DebriefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debrief
        skip_postgeneration_save = True

    session = factory.SubFactory(GroupSessionFactory)
    author = factory.SubFactory(UserFactory)
    how_it_went = "Warm and open; two quieter members spoke for the first time."
    anything_difficult = "One member found the topic hard and took a break."
    wellbeing = 4

    @factory.post_generation
    def after_concern(self, create, extracted, **kwargs):
        """after_concern=True: a safeguarding concern was raised from the debrief's session, which
        flags every debrief of it (Debrief.needs_attention)."""
        if create and extracted:
            from concerns.tests.factories import ConcernFactory  # which builds on these factories

            ConcernFactory(session=self.session)


class DebriefReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DebriefReview
        skip_postgeneration_save = True

    debrief = factory.SubFactory(DebriefFactory)
    reviewer = factory.SubFactory(UserFactory)
    comments = "Thank you. Good handling of the break."

    @factory.post_generation
    def mark_reviewed(self, create, extracted, **kwargs):
        """As services.review_debrief does: a reviewed debrief says so."""
        if create:
            self.debrief.reviewed = True
            self.debrief.save_without_historical_record(update_fields=["reviewed"])


class DebriefNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DebriefNote

    debrief = factory.SubFactory(DebriefFactory)
    author = factory.SubFactory(UserFactory)
    text = "Followed up with the safeguarding lead; nothing further needed."
