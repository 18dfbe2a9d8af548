"""Writing the access log, and deleting it once kept for its stated time. Callers pass facts,
never the content of what was opened."""

import datetime

from .models import AccessEvent


def record_access(*, user, action, obj=None, group=None, detail="") -> AccessEvent:
    return AccessEvent.objects.create(
        user=user if user and user.is_authenticated else None,
        action=action,
        group=group,
        object_type=obj._meta.label if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        detail=detail,
    )


def purge_access_log(*, before: datetime.datetime) -> int:
    """Delete the access events recorded before `before`; return how many went."""
    deleted, _ = AccessEvent.objects.filter(at__lt=before).delete()
    return deleted
