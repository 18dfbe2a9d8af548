"""What the sessions_log tests share: dates counted back from today, a group page's address,
and looking at what the database holds (for the erasure, retention and subject access tests)."""

import datetime

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from groups.models import SupportGroup
from sessions_log.models import GroupSession, Member
from sessions_log.services import save_register
from sessions_log.tests.factories import GroupSessionFactory

TODAY = timezone.localdate
AUDITED_APPS = ("accounts", "audit", "groups", "sessions_log")


def days_ago(days) -> datetime.date:
    return TODAY() - datetime.timedelta(days=days)


def url(name, group, **kwargs):
    """The address of one of the group's sessions_log pages, by its name in sessions_log/urls.py."""
    return reverse(f"sessions_log:{name}", kwargs={"pk": group.pk, **kwargs})


def history_models():
    """Every django-simple-history table in the project."""
    return [model for model in apps.get_models() if hasattr(model, "instance_type")]


def history_rows_referencing(member_id) -> dict[str, int]:
    """How many rows of each history table point at this member, by its id or a foreign key."""
    found = {}
    for model in history_models():
        lookups = [f"{field.name}_id" for field in model._meta.fields if field.related_model is Member]
        if model.instance_type is Member:
            lookups.append("id")
        for lookup in lookups:
            count = model.objects.filter(**{lookup: member_id}).count()
            if count:
                found[f"{model.__name__}.{lookup}"] = count
    return found


def register_counts(group) -> dict[int, tuple[int, int]]:
    """Each session's (marked, attended) numbers as every page and report reads them."""
    return {
        session.pk: (session.marked_count, session.attended_count)
        for session in GroupSession.objects.filter(group=group).with_register_counts()
    }


def snapshot() -> dict[str, list]:
    """Every row of every table of the project's apps, history tables included."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in AUDITED_APPS
        for model in apps.get_app_config(app).get_models()
    }


def held_session(group, days_ago, facilitators=()):
    return GroupSessionFactory(
        group=group, date=TODAY() - datetime.timedelta(days=days_ago), facilitators_present=list(facilitators)
    )


def take_register(session, marks: dict, by):
    """Save a register through the service, as a facilitator would (history and follow-ups too)."""
    save_register(session=session, marks={member.pk: status for member, status in marks.items()}, by=by)


def close(group, *, days_ago):
    SupportGroup.objects.filter(pk=group.pk).update(
        status=SupportGroup.Status.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    group.refresh_from_db()
    return group
