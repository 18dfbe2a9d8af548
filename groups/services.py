"""Every change to a group and its plan: creating it, its details, aims, rules, checklist
answers, documents, team and status. Launching lives in planning.py.

Each function follows docs/architecture.md: keyword-only arguments with `by`, one durable
transaction, the group's row locked first, permission and state asked again of what is in the
database, who and why written on the history copy, and events announced after commit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.text import capfirst

from audit.changes import create_many, delete_change, save_change, stamped
from groups_site import events
from reports.models import CalendarFeed

from .models import Aim, GroupRole, Risk, RiskAssessment, Rule, SupportGroup
from .permissions import can_change_status, can_create_group, can_edit_plan, can_manage_team, may_supervise
from .suggestions import RISK_SEEDS, SUGGESTED_AIMS

Role = GroupRole.Role
Status = SupportGroup.Status

PLAN_REFUSAL = "Only a coordinator of this group can change its plan, and not once the group has closed."
TEAM_REFUSAL = "Only a coordinator of this group can change its team."


def lock_group(group_id: int) -> SupportGroup:
    """The group's row, locked until the transaction ends, with its team read afresh.

    Every service locks the group before anything of it, so two services never wait on each
    other in a circle, and asks its permission questions of this copy, never of the caller's."""
    return (
        SupportGroup.objects.select_for_update()
        .prefetch_related(Prefetch("roles", queryset=GroupRole.objects.select_related("user")))
        .get(pk=group_id)
    )


def _refuse_unless_plan_editable(group, by) -> None:
    if not can_edit_plan(by, group):
        raise PermissionDenied(PLAN_REFUSAL)


# The group and its details ---------------------------------------------------------------------


def create_group(*, group: SupportGroup, by) -> SupportGroup:
    """A new group (unsaved, as a form filled it) starts in planning, with the person who created
    it as its coordinator."""
    with transaction.atomic(durable=True):
        if not can_create_group(by):
            raise PermissionDenied("Only people the organisation has allowed to plan groups can create one.")
        group.status = Status.PLANNING
        group.full_clean()
        save_change(group, by=by, reason="Group created")
        save_change(GroupRole(group=group, user=by, role=Role.COORDINATOR), by=by, reason="Created the group")
        events.announce(events.team_role_added, group_id=group.pk, user_id=by.pk, role=Role.COORDINATOR, by_id=by.pk)
    return group


def _detail_fields() -> list[str]:
    """What a coordinator edits about a group: everything but what the app sets itself (its
    status, launch and closing, which change only through their own services)."""
    return [
        field.name
        for field in SupportGroup._meta.concrete_fields
        if field.editable and not field.primary_key and not field.auto_created
    ]


def save_group_details(*, group: SupportGroup, by) -> SupportGroup:
    """Save the group's details as a coordinator changed them. Only the details are written, so a
    copy loaded before someone paused or closed the group never writes its old status back."""
    with transaction.atomic(durable=True):
        _refuse_unless_plan_editable(lock_group(group.pk), by)
        group.full_clean()
        save_change(group, by=by, reason="Details saved", update_fields=[*_detail_fields(), "updated_at"])
    return group


# Aims and rules --------------------------------------------------------------------------------


def _save_plan_item(item, *, by, noun: str):
    with transaction.atomic(durable=True):
        group = lock_group(item.group_id)
        _refuse_unless_plan_editable(group, by)
        model = type(item)
        if item.pk is not None and not model.objects.select_for_update().filter(pk=item.pk, group=group).exists():
            # Saving would otherwise bring back one removed since the page was opened.
            raise ValidationError(f"This {noun} has been removed from the plan since you opened it.")
        item.full_clean()
        save_change(item, by=by, reason=f"{capfirst(noun)} {'changed' if item.pk else 'added'}")
    return item


def _remove_plan_item(item, *, by, noun: str) -> None:
    with transaction.atomic(durable=True):
        group = lock_group(item.group_id)
        _refuse_unless_plan_editable(group, by)
        current = type(item).objects.select_for_update().filter(pk=item.pk, group=group).first()
        if current is None:
            raise ValidationError(f"This {noun} has already been removed.")
        delete_change(current, by=by, reason=f"{capfirst(noun)} removed")


def save_aim(*, aim: Aim, by) -> Aim:
    """Add an aim to the group's plan (aim.group says which), or save a change to one."""
    return _save_plan_item(aim, by=by, noun="aim")


def add_suggested_aim(*, group, text: str, by) -> Aim:
    """Add one of the suggested aims (suggestions.SUGGESTED_AIMS), unless the plan has it already."""
    if text not in SUGGESTED_AIMS:
        raise ValidationError("That is not one of the suggested aims.")
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        _refuse_unless_plan_editable(locked, by)
        aim = Aim.objects.filter(group=locked, text=text).first()
        if aim is None:
            aim = save_change(Aim(group=locked, text=text), by=by, reason="Suggested aim added")
    return aim


def remove_aim(*, aim: Aim, by) -> None:
    _remove_plan_item(aim, by=by, noun="aim")


def save_rule(*, rule: Rule, by) -> Rule:
    """Add a rule to the group's plan (rule.group says which), or save a change to one."""
    return _save_plan_item(rule, by=by, noun="rule")


def remove_rule(*, rule: Rule, by) -> None:
    _remove_plan_item(rule, by=by, noun="rule")


# The checklist and the documents ---------------------------------------------------------------


def save_checklist_section(*, group, forms, by) -> int:
    """Save a section's answers together (all or none), stamping who changed each one.
    Returns how many answers changed."""
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        _refuse_unless_plan_editable(locked, by)
        changed = [form for form in forms if form.has_changed()]
        for form in changed:
            answer = form.save(commit=False)
            if answer.group_id != locked.pk:
                raise ValidationError("These answers belong to another group.")
            answer.updated_by = by
            save_change(answer, by=by, reason="Checklist answer saved")
    return len(changed)


def start_risk_assessment(*, group, by) -> RiskAssessment:
    """Open the group's risk assessment, seeded with the risks the guidance asks every group to
    weigh; or return the one already open."""
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        _refuse_unless_plan_editable(locked, by)
        assessment = RiskAssessment.objects.filter(group=locked).first()
        if assessment is None:
            assessment = save_change(
                RiskAssessment(group=locked, updated_by=by), by=by, reason="Risk assessment started"
            )
            create_many(
                Risk,
                [Risk(assessment=assessment, source=seed.source, title=seed.title) for seed in RISK_SEEDS],
                by=by,
                reason="Suggested by the guidance",
            )
    return assessment


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
    name = capfirst(model._meta.verbose_name)
    with transaction.atomic(durable=True):
        # The group's row lock also keeps two first saves of a document from racing each other.
        group = lock_group(document.group_id)
        _refuse_unless_plan_editable(group, by)
        stored = model.objects.select_for_update().filter(group=group).values_list("version", flat=True).first() or 0
        # A document created by someone else meanwhile is never overwritten by a first save.
        if stored != expected_version or (document.pk is None and stored):
            raise ValidationError(PLAN_DOCUMENT_CHANGED, code="changed_since_opened")
        document.version = stored + 1
        document.updated_by = by
        # A real save() (not update()), so the document's history records this version.
        stamped(document, by=by, reason=f"{name} saved")
        form.save()
        if formset is not None:
            _save_risks(formset, by=by)
    return document


def _save_risks(formset, *, by) -> None:
    for risk in formset.save(commit=False):
        save_change(risk, by=by, reason="Risk changed" if risk.pk else "Risk added")
    for risk in formset.deleted_objects:
        delete_change(risk, by=by, reason="Risk removed")


# The team --------------------------------------------------------------------------------------


SUPERVISOR_NOT_ALLOWED = (
    "{user} is not among the people the organisation allows to supervise groups. An administrator "
    "of the organisation can allow them."
)
COORDINATOR_CANNOT_SUPERVISE = (
    "{user} coordinates this group, so cannot also supervise it: the supervisor oversees how the group "
    "is run, its debriefs and its change history, independently of the people running it."
)
SUPERVISOR_CANNOT_COORDINATE = (
    "{user} supervises this group, so cannot also coordinate it: the supervisor oversees the people "
    "running the group, independently of them."
)


def _refuse_unless_team_manager(group, by) -> None:
    if not can_manage_team(by, group):
        raise PermissionDenied(TEAM_REFUSAL)


def _refuse_as_supervisor(group, user, *, field: str) -> None:
    """Separation of duties: a supervisor is someone the organisation allows to supervise, and
    never one of the group's coordinators (GroupRole's constraint says so to the database too)."""
    if not may_supervise(user):
        raise ValidationError({field: SUPERVISOR_NOT_ALLOWED.format(user=user)})
    if Role.COORDINATOR in group.roles_of(user):
        raise ValidationError({field: COORDINATOR_CANNOT_SUPERVISE.format(user=user)})


def add_team_role(*, group, user, role: str, by) -> GroupRole:
    """Give a person a role in the group. Nobody holds the same role twice; a group has one
    supervisor (choose_supervisor changes who), chosen among the people allowed to supervise;
    and nobody both coordinates and supervises the group."""
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        _refuse_unless_team_manager(locked, by)
        if role not in Role.values:
            raise ValidationError({"role": "Choose one of the roles."})
        if not user.is_active:
            raise ValidationError({"person": "That account is not active."})
        if role in locked.roles_of(user):
            raise ValidationError({"role": f"{user} already has this role in the group."})
        if role == Role.SUPERVISOR:
            if locked.supervisor is not None:
                raise ValidationError(
                    {
                        "role": f"{locked.supervisor} is already the supervisor. Change the supervisor on the "
                        "facilitator-support plan."
                    }
                )
            _refuse_as_supervisor(locked, user, field="person")
        if role == Role.COORDINATOR and Role.SUPERVISOR in locked.roles_of(user):
            raise ValidationError({"role": SUPERVISOR_CANNOT_COORDINATE.format(user=user)})
        added = save_change(GroupRole(group=locked, user=user, role=role), by=by, reason="Added to the team")
        _announce_added(added, by=by)
        if role == Role.SUPERVISOR:
            events.announce(
                events.supervisor_changed, group_id=locked.pk, old_user_id=None, new_user_id=user.pk, by_id=by.pk
            )
    return added


def choose_supervisor(*, group, user, by) -> GroupRole:
    """Make `user` the group's supervisor, in place of whoever supervised it (if anyone), in one
    change: only a coordinator may, only among the people allowed to supervise (may_supervise),
    never one of the group's coordinators. The history keeps who left and who came; the old and
    the new supervisor are told (events.supervisor_changed; their dashboards say so at once)."""
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        _refuse_unless_team_manager(locked, by)
        old = next((role for role in locked.roles.all() if role.role == Role.SUPERVISOR), None)
        if old is not None and old.user_id == user.pk:
            raise ValidationError({"supervisor": f"{user} already supervises this group."})
        if not user.is_active:
            raise ValidationError({"supervisor": "That account is not active."})
        _refuse_as_supervisor(locked, user, field="supervisor")
        if old is not None:
            _remove_role(old, group=locked, by=by, reason="Supervisor changed: replaced")
        added = save_change(
            GroupRole(group=locked, user=user, role=Role.SUPERVISOR),
            by=by,
            reason="Supervisor changed: chosen" if old else "Chosen as supervisor",
        )
        _announce_added(added, by=by)
        events.announce(
            events.supervisor_changed,
            group_id=locked.pk,
            old_user_id=old.user_id if old else None,
            new_user_id=user.pk,
            by_id=by.pk,
        )
    return added


def _announce_added(role: GroupRole, *, by) -> None:
    events.announce(events.team_role_added, group_id=role.group_id, user_id=role.user_id, role=role.role, by_id=by.pk)


def remove_team_role(*, role: GroupRole, by) -> None:
    """Take a role away. A group always keeps at least one coordinator, so the last one cannot be
    removed. Someone who no longer facilitates the group loses their calendar address for it."""
    with transaction.atomic(durable=True):
        locked = lock_group(role.group_id)
        _refuse_unless_team_manager(locked, by)
        current = GroupRole.objects.filter(pk=role.pk, group=locked).first()
        if current is None:
            raise ValidationError("That person no longer has this role in the group.")
        if current.role == Role.COORDINATOR and not any(
            other.role == Role.COORDINATOR and other.pk != current.pk for other in locked.roles.all()
        ):
            raise ValidationError("A group needs at least one coordinator. Add another before removing this one.")
        _remove_role(current, group=locked, by=by, reason="Removed from the team")
        if current.role == Role.SUPERVISOR:
            events.announce(
                events.supervisor_changed,
                group_id=locked.pk,
                old_user_id=current.user_id,
                new_user_id=None,
                by_id=by.pk,
            )


def _remove_role(current: GroupRole, *, group, by, reason: str) -> None:
    """Inside the caller's transaction, with the group locked: delete the role, and the person's
    calendar address for the group if they no longer facilitate it, so that adding them again
    later gives a new address and never brings the old one back."""
    still_facilitates = any(
        other.user_id == current.user_id and other.pk != current.pk and other.role in Role.FACILITATING
        for other in group.roles.all()
    )
    feeds = CalendarFeed.objects.none()
    if current.role in Role.FACILITATING and not still_facilitates:
        feeds = CalendarFeed.objects.select_for_update().filter(group=group, user_id=current.user_id)
    if feeds.exists():
        # Feeds keep no history of their own (a feed is a key): the role's history says it went.
        reason = f"{reason}; calendar address withdrawn"
        feeds.delete()
    delete_change(current, by=by, reason=reason)
    events.announce(
        events.team_role_removed, group_id=group.pk, user_id=current.user_id, role=current.role, by_id=by.pk
    )


# Status ----------------------------------------------------------------------------------------

# The status buttons' names, from SupportGroup.ALLOWED_TRANSITIONS: launching has its own gate.
STATUS_ACTIONS = {
    move.action: move.to_status
    for moves in SupportGroup.ALLOWED_TRANSITIONS.values()
    for move in moves.values()
    if not move.has_own_gate
}


def status_changes_for(group) -> list:
    """The status buttons open to the group as it is now (launching is not one of them)."""
    return [move for move in group.status_moves if not move.has_own_gate]


def change_group_status(*, group, action: str, by) -> SupportGroup:
    """Pause, resume or close a group, as SupportGroup.ALLOWED_TRANSITIONS allows. Only its
    coordinators may; closing is final. Raises InvalidStatusTransition, worded from the table."""
    if action not in STATUS_ACTIONS:
        raise ValidationError(f"There is no status change called \u201c{action}\u201d.")
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        if not can_change_status(by, locked):
            raise PermissionDenied("Only a coordinator of this group can change its status.")
        old_status = locked.status
        move = locked.move_to(STATUS_ACTIONS[action], action=action)
        save_change(locked, by=by, reason=move.reason, update_fields=["status", "closed_at", "updated_at"])
        events.announce(
            events.group_status_changed,
            group_id=locked.pk,
            by_id=by.pk,
            old_status=old_status,
            new_status=locked.status,
        )
    return locked


def pause_group(*, group, by) -> SupportGroup:
    return change_group_status(group=group, action="pause", by=by)


def resume_group(*, group, by) -> SupportGroup:
    return change_group_status(group=group, action="resume", by=by)


def close_group(*, group, by) -> SupportGroup:
    return change_group_status(group=group, action="close", by=by)
