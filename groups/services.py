"""State changes of a group that need more than a save. Launching lives in planning.py."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import GroupRole, InvalidStatusTransition, Risk, RiskAssessment, SupportGroup
from .permissions import can_change_status, can_edit_plan
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


@dataclass(frozen=True)
class StatusChange:
    """A way a coordinator may change a running group's status. Launching (planning -> active)
    is not one of them: it has its own gate, planning.launch_group."""

    action: str
    label: str
    from_statuses: frozenset
    to_status: str


Status = SupportGroup.Status
STATUS_CHANGES = {
    change.action: change
    for change in (
        StatusChange("pause", "Pause the group", frozenset({Status.ACTIVE}), Status.PAUSED),
        StatusChange("resume", "Resume the group", frozenset({Status.PAUSED}), Status.ACTIVE),
        StatusChange(
            "close",
            "Close the group for good",
            frozenset({Status.PLANNING, Status.ACTIVE, Status.PAUSED}),
            Status.CLOSED,
        ),
    )
}


def status_changes_for(group) -> list[StatusChange]:
    """The status changes open to the group as it is now."""
    return [change for change in STATUS_CHANGES.values() if group.status in change.from_statuses]


def change_group_status(*, group, action, by) -> SupportGroup:
    """Pause, resume or close a group. Only its coordinators may; closing is final."""
    change = STATUS_CHANGES[action]
    with transaction.atomic():
        locked = SupportGroup.objects.select_for_update().get(pk=group.pk)
        if not can_change_status(by, locked):
            raise PermissionDenied("Only a coordinator of this group can change its status.")
        if locked.status not in change.from_statuses:
            raise InvalidStatusTransition(
                f"A group that is {locked.get_status_display().lower()} cannot become "
                f"{Status(change.to_status).label.lower()} this way."
            )
        locked.move_to(change.to_status)
        locked.save(update_fields=["status", "launched_at", "closed_at", "updated_at"])
    return locked


def pause_group(*, group, by) -> SupportGroup:
    return change_group_status(group=group, action="pause", by=by)


def resume_group(*, group, by) -> SupportGroup:
    return change_group_status(group=group, action="resume", by=by)


def close_group(*, group, by) -> SupportGroup:
    return change_group_status(group=group, action="close", by=by)


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


PLAN_DOCUMENT_CHANGED = (
    "Someone else changed this document since you opened it. Your changes have not been saved: "
    "copy anything you need, then reload."
)


def save_plan_document(*, form, expected_version: int, by, formset=None):
    """Save a plan document (risk assessment, exit strategy or facilitator-support plan) only if
    nobody else has saved it since this editor opened it, so the second of two people editing at
    once is told instead of silently overwriting the first. `expected_version` is the version the
    editor opened (0 for a document that did not exist yet). The risks of a risk assessment
    (`formset`) are saved with it, all or nothing."""
    document = form.instance
    model = type(document)
    with transaction.atomic():
        if not can_edit_plan(by, document.group):
            raise PermissionDenied("Only a coordinator of this group can change its plan.")
        if document.pk is None:
            # Creating: the group's row lock keeps two first saves from racing each other.
            SupportGroup.objects.select_for_update().filter(pk=document.group_id).get()
            stored = model.objects.filter(group_id=document.group_id).values_list("version", flat=True).first() or 0
        else:
            stored = model.objects.select_for_update().filter(pk=document.pk).values_list("version", flat=True).get()
        # A document created by someone else meanwhile is never overwritten by a first save.
        if stored != expected_version or (document.pk is None and stored):
            raise ValidationError(PLAN_DOCUMENT_CHANGED, code="changed_since_opened")
        document.version = stored + 1
        document.updated_by = by
        # A real save() (not update()), so the document's history records this version.
        form.save()
        if formset is not None:
            formset.save()
    return document
