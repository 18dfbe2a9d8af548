"""Giving, renewing and revoking a facilitator's secret calendar address. Each locks the group,
then re-checks that the person may have a feed, so no page or command can skip it.

Feeds keep no history (a feed is a key, not a record of the group's work): revoking deletes it,
renewing replaces its token.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from groups.services import lock_group

from .models import CalendarFeed, new_feed_token
from .permissions import can_subscribe_to_calendar


def _lock_for(group, by):
    locked = lock_group(group.pk)
    if not can_subscribe_to_calendar(by, locked):
        raise PermissionDenied("Only the group's facilitators have a calendar feed of its sessions.")
    return locked


def create_calendar_feed(*, group, by) -> CalendarFeed:
    """Give the facilitator their calendar address for the group, or the one they already have."""
    with transaction.atomic(durable=True):
        feed, _ = CalendarFeed.objects.get_or_create(user=by, group=_lock_for(group, by))
    return feed


def renew_calendar_feed(*, group, by) -> CalendarFeed:
    """A new secret address; the old one stops working at once (for a link that was shared)."""
    with transaction.atomic(durable=True):
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=by, group=_lock_for(group, by))
        if not created:
            feed.token = new_feed_token()
            feed.created_at = timezone.now()
            feed.save(update_fields=["token", "created_at"])
    return feed


def revoke_calendar_feed(*, group, by) -> bool:
    """Stop the facilitator's calendar address working. True if there was one."""
    with transaction.atomic(durable=True):
        deleted, _ = CalendarFeed.objects.filter(user=by, group=_lock_for(group, by)).delete()
    return bool(deleted)


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed behind a secret address, if it exists and its owner is still a facilitator of
    the group; None otherwise, so the address answers "not found"."""
    feed = (
        CalendarFeed.objects.select_related("user", "group")
        .prefetch_related("group__roles")
        .filter(token=token)
        .first()
    )
    if feed is None or not can_subscribe_to_calendar(feed.user, feed.group):
        return None
    return feed
