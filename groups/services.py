"""State changes of a group that need more than a save. Launching lives in planning.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import GroupRole, InvalidStatusTransition, Risk, RiskAssessment, SupportGroup
from .permissions import can_change_status
from .suggestions import RISK_SEEDS


@transaction.atomic
def create_group(*, form, by) -> SupportGroup:
    """A new group starts in planning, with the person who created it as its coordinator."""
    group = form.save()
    GroupRole.objects.create(group=group, user=by, role=GroupRole.Role.COORDINATOR)
    return group


@transaction.atomic
def start_risk_assessment(*, group, by) -> RiskAssessment:
    """Open the group's risk assessment, seeded with the risks the guidance asks every group to weigh."""
    assessment, created = RiskAssessment.objects.get_or_create(group=group, defaults={"updated_by": by})
    if created:
        bulk_create_with_history(
            [Risk(assessment=assessment, source=seed.source, title=seed.title) for seed in RISK_SEEDS],
            Risk,
            default_user=by,
        )
    return assessment


def _change_status(*, group, by, status, allowed_from) -> SupportGroup:
    with transaction.atomic():
        locked = SupportGroup.objects.select_for_update().get(pk=group.pk)
        if not can_change_status(by, locked):
            raise PermissionDenied("Only a coordinator of this group can change its status.")
        if locked.status not in allowed_from:
            # Planning -> active is launching, which has its own gate in planning.launch_group.
            raise InvalidStatusTransition(
                f"A group that is {locked.get_status_display().lower()} cannot become "
                f"{SupportGroup.Status(status).label.lower()} this way."
            )
        locked.move_to(status)
        locked.save(update_fields=["status", "launched_at", "closed_at", "updated_at"])
    return locked


def pause_group(*, group, by) -> SupportGroup:
    return _change_status(
        group=group, by=by, status=SupportGroup.Status.PAUSED, allowed_from={SupportGroup.Status.ACTIVE}
    )


def resume_group(*, group, by) -> SupportGroup:
    return _change_status(
        group=group, by=by, status=SupportGroup.Status.ACTIVE, allowed_from={SupportGroup.Status.PAUSED}
    )


def close_group(*, group, by) -> SupportGroup:
    """Closing is final: a closed group never reopens."""
    return _change_status(
        group=group,
        by=by,
        status=SupportGroup.Status.CLOSED,
        allowed_from=set(SupportGroup.Status) - {SupportGroup.Status.CLOSED},
    )


@transaction.atomic
def save_checklist_section(*, forms, by) -> int:
    """Save a section's answers together (all or none), stamping who changed each one.
    Returns how many answers changed."""
    changed = [form for form in forms if form.has_changed()]
    for form in changed:
        answer = form.save(commit=False)
        answer.updated_by = by
        answer.save()
    return len(changed)


def remove_team_role(*, role) -> None:
    """A group always keeps at least one coordinator, so the last one cannot be removed."""
    with transaction.atomic():
        SupportGroup.objects.select_for_update().filter(pk=role.group_id).get()
        if (
            role.role == GroupRole.Role.COORDINATOR
            and not GroupRole.objects.filter(group_id=role.group_id, role=GroupRole.Role.COORDINATOR)
            .exclude(pk=role.pk)
            .exists()
        ):
            raise ValidationError("A group needs at least one coordinator. Add another before removing this one.")
        role.delete()
