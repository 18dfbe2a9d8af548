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


def purge_access_log(*, before: datetime.datetime, group) -> int:
    """Delete the access events about `group` (None: about no group) recorded before `before`,
    except the records of erasures: those are the proof that a member's request to be erased
    was carried out, and hold a member's number and a reason, never a name. Returns how many
    went."""
    deleted, _ = (
        AccessEvent.objects.filter(group=group, at__lt=before).exclude(action=AccessEvent.Action.ERASED_MEMBER).delete()
    )
    return deleted
