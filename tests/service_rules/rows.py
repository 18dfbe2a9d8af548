"""What a row of tests/test_service_rules.py says about one service, and helpers the rows share."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.models import GroupRole, SupportGroup
from sessions_log.tests.records import close

TODAY = timezone.localdate
Role = GroupRole.Role
Status = SupportGroup.Status


def newest(model, **lookups):
    return model.history.filter(**lookups).latest("history_id")


def set_status(group, status):
    SupportGroup.objects.filter(pk=group.pk).update(status=status)


@dataclass(frozen=True)
class Service:
    name: str
    allowed: str
    # Someone on the team without the right; None where everyone on the team has it.
    refused: str | None
    # Makes the change as `by`.
    change: Callable
    # Arranges what the change needs.
    prepare: Callable = lambda scene: None
    # Puts things where even the allowed person is refused, and the refusal expected then.
    wrong_state: Callable | None = None
    refusal: type[Exception] = ValidationError
    # The history copy the change writes, and the reason it gives.
    history: Callable | None = None
    reason: str = ""

    def __str__(self):
        return self.name


def _closed(scene):
    close(scene.group, days_ago=1)
