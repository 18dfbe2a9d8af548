"""Changing how someone gets their emails."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .models import EmailPreference


def set_reminder_delivery(*, user, reminders: str, by, reason: str) -> EmailPreference:
    """Set how `user` gets reminders. Only they may change it: signed in (`by` is them), or with
    the unsubscribe link from one of their emails (`by` is None: the signed link is the proof)."""
    if by is not None and by.pk != user.pk:
        raise PermissionDenied("Only the person themselves can change how they get emails.")
    reminders = EmailPreference.ReminderDelivery(reminders)
    with transaction.atomic(durable=True):
        preference, _ = EmailPreference.objects.select_for_update().get_or_create(user=user)
        if preference.reminders != reminders:
            preference.reminders = reminders
            preference.changed_how = reason
            preference.save(update_fields=["reminders", "changed_how", "updated_at"])
    return preference
