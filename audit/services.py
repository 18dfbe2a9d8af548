"""Writing the access log. Callers pass facts, never the content of what was opened."""

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
