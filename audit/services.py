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
    except the records of erasures: those stay as the proof that a member's request to be erased
    was carried out, but lose the reason a coordinator typed (free text, which could say more
    than it should), keeping what was done, to which member number, and when. Returns how many
    events were deleted."""
    expired = AccessEvent.objects.filter(group=group, at__lt=before)
    erasures = expired.filter(action=AccessEvent.Action.ERASED_MEMBER)
    for erasure in erasures.exclude(detail=""):
        erasure.detail = ""
        erasure.save(update_fields=["detail"])
    deleted, _ = expired.exclude(pk__in=erasures.values("pk")).delete()
    return deleted
