"""A change and its history copy, written together, saying who made it and why.

django-simple-history writes a history copy on every save() and delete() of an audited model,
in the same transaction. It takes who made the change from the request (its middleware) and why
from the instance: these helpers stamp both on the instance, so a change made by a service,
a command or the daily purge says who (or "The system", for None) and why on the group's
"Change history" page, however it was reached.

Services call these inside their own transaction; nothing here opens one.
"""

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

# simple_history keeps a reason in 100 characters.
REASON_MAX_LENGTH = 100


def stamped(instance, *, by, reason: str):
    """The instance, marked so that its next history copy records `by` and `reason`."""
    if len(reason) > REASON_MAX_LENGTH:
        raise ValueError(f"A change reason is at most {REASON_MAX_LENGTH} characters: {reason!r}")
    instance._history_user = by if by is not None and by.is_authenticated else None
    instance._change_reason = reason
    return instance


def save_change(instance, *, by, reason: str, update_fields=None):
    """Save the instance; its history copy says who and why."""
    stamped(instance, by=by, reason=reason).save(update_fields=update_fields)
    return instance


def delete_change(instance, *, by, reason: str) -> None:
    """Delete the instance; the history's last copy ("deleted") says who and why."""
    stamped(instance, by=by, reason=reason).delete()


def create_many(model, objects, *, by, reason: str, batch_size: int | None = None) -> list:
    """Insert many rows at once, each with its history copy saying who and why. `batch_size` caps
    the rows per INSERT, for loads as large as the demo's scale data."""
    return bulk_create_with_history(
        list(objects), model, batch_size=batch_size, default_user=_user(by), default_change_reason=reason
    )


def update_many(model, objects, fields, *, by, reason: str) -> int:
    """Update many rows at once, each with its history copy saying who and why."""
    return bulk_update_with_history(list(objects), model, fields, default_user=_user(by), default_change_reason=reason)


def _user(by):
    return by if by is not None and by.is_authenticated else None
