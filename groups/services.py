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

from .checklist import items_for
from .models import (
    Aim,
    AimReview,
    AimStanding,
    ChecklistAnswer,
    GroupRole,
    Risk,
    RiskAssessment,
    Rule,
    SupportGroup,
    aims_review_refusal,
)
from .permissions import (
    can_change_status,
    can_create_group,
    can_edit_plan,
    can_manage_team,
    can_record_aims_review,
    may_supervise,
)
from .planning import launch_group
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


class ChangedSinceOpened(ValidationError):
    """Someone else saved what this person was editing since they opened it, so nothing was saved.
    `current` is what is stored now (the group, or the answers by question), for the page to show
    beside the person's own typing."""

    def __init__(self, message: str, *, current):
        super().__init__(message, code="changed_since_opened")
        self.current = current


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


GROUP_DETAILS_CHANGED = (
    "Someone else saved the group's details since you opened this page, so yours have not been saved. "
    "What they saved is shown below, beside what you typed, which is kept. Save again to keep your version."
)


class ContactDetailsHeld(ValidationError):
    """Turning off "the team may hold a contact detail" while some are held: that erases them,
    which has its own confirmation (sessions_log.erasure.stop_holding_contact_details)."""


def save_group_details(*, group: SupportGroup, expected_version: int, by) -> SupportGroup:
    """Save the group's details as a coordinator changed them, only if nobody else has saved them
    since this person opened them (`expected_version`, SupportGroup.version): of two people
    editing at once, the second is told rather than silently overwriting the first. Only the
    details are written, so a copy loaded before someone paused or closed the group never writes
    its old status back. Holding contact details is not turned off here while any are held: that
    erases them, after a confirmation of its own."""
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        _refuse_unless_plan_editable(locked, by)
        if locked.version != expected_version:
            raise ChangedSinceOpened(GROUP_DETAILS_CHANGED, current=locked)
        if locked.holds_contact_details and not group.holds_contact_details:
            held = locked.members_with_contact_details().count()
            if held:
                raise ContactDetailsHeld(
                    {
                        "holds_contact_details": f"The team holds contact details for {held} "
                        f"member{'s' if held != 1 else ''}. Turning this off erases them: confirm that on its "
                        "own page first. Nothing else has been saved yet."
                    }
                )
        group.full_clean()
        group.version = locked.version + 1
        save_change(group, by=by, reason="Details saved", update_fields=[*_detail_fields(), "version", "updated_at"])
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


# Aims revisited after launch -------------------------------------------------------------------

AIMS_CHANGED = "The group's aims changed since this page was opened. Reload it to review each aim as it is now."


def record_aims_review(*, review: AimReview, standings: list[AimStanding], by) -> AimReview:
    """Record where the group stands against each of its aims (review.group says which): one
    standing for every aim, all saved together or none. No standing may name a member."""
    with transaction.atomic(durable=True):
        group = lock_group(review.group_id)
        if not can_record_aims_review(by, group):
            raise PermissionDenied("Only the group's coordinators and facilitators review where it stands.")
        refusal = aims_review_refusal(group)
        if refusal:
            raise ValidationError(refusal)
        aims = {aim.pk: aim for aim in Aim.objects.select_for_update().filter(group=group)}
        if not aims:
            raise ValidationError("The group has no aims to review yet.")
        if sorted(standing.aim_id for standing in standings) != sorted(aims):
            raise ValidationError(AIMS_CHANGED)
        review.group, review.recorded_by = group, by
        if review.reviewed_on and AimReview.objects.filter(group=group, reviewed_on=review.reviewed_on).exists():
            raise ValidationError({"reviewed_on": "A review is already recorded for this date."})
        review.full_clean(validate_constraints=False)
        for standing in standings:
            standing.aim = aims[standing.aim_id]
            standing.aim.group = group
            standing.full_clean(exclude=["review"])
        save_change(review, by=by, reason="Aims reviewed")
        for standing in standings:
            standing.review = review
        create_many(AimStanding, standings, by=by, reason="Aims reviewed")
        events.announce(events.aims_reviewed, review_id=review.pk, group_id=group.pk, by_id=by.pk)
    return review


# The checklist and the documents ---------------------------------------------------------------


CHECKLIST_CHANGED = (
    "Someone else saved {count} of these answers since you opened this page, so nothing has been saved. "
    "Their answer is shown beside yours, which is kept. Save again to keep your version."
)


def save_checklist_section(*, group, forms, by) -> int:
    """Save a section's answers together (all or none), stamping who changed each one, only if
    nobody else has saved any of the changed answers since this person opened the page (each
    form's `opened_version`); otherwise nothing is saved and ChangedSinceOpened says whose answers
    are newer. Each answer is checked again against the rules (ChecklistAnswer.clean: safety
    questions are never "not applicable", answers and reasons say something), and only questions
    the group is asked on the checklist may be answered. Returns how many answers changed."""
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        _refuse_unless_plan_editable(locked, by)
        asked = {item.key for item in items_for(locked) if not item.is_answered_elsewhere}
        changed = [form for form in forms if form.has_changed()]
        for form in changed:
            if form.item.key not in asked:
                raise ValidationError(
                    f"\u201c{form.item.prompt}\u201d is not asked on the checklist for this group: "
                    "its answer lives elsewhere in the plan, or it applies only to groups for people under 18."
                )
        stored = {
            answer.item_key: answer
            for answer in ChecklistAnswer.objects.select_for_update().filter(
                group=locked, item_key__in=[form.item.key for form in changed]
            )
        }
        newer = {
            form.item.key: stored.get(form.item.key)
            for form in changed
            if getattr(stored.get(form.item.key), "version", 0) != form.cleaned_data["opened_version"]
        }
        if newer:
            raise ChangedSinceOpened(CHECKLIST_CHANGED.format(count=len(newer)), current=newer)
        for form in changed:
            answer = form.save(commit=False)
            if answer.group_id != locked.pk:
                raise ValidationError("These answers belong to another group.")
            answer.group = locked
            answer.full_clean()
            answer.version = getattr(stored.get(answer.item_key), "version", 0) + 1
            answer.updated_by = by
            save_change(answer, by=by, reason="Checklist answer saved")
    return len(changed)


def start_risk_assessment(*, group, by) -> RiskAssessment:
    """Open the group's risk assessment, seeded with the risks the guidance asks every group to
    weigh; or, for one already open, put back any of those starting risks it lacks (deleted before
    they could no longer be)."""
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        _refuse_unless_plan_editable(locked, by)
        assessment = RiskAssessment.objects.select_for_update().filter(group=locked).first()
        if assessment is None:
            assessment = save_change(
                RiskAssessment(group=locked, updated_by=by), by=by, reason="Risk assessment started"
            )
            seeds, reason = RISK_SEEDS, "Suggested by the guidance"
        else:
            seeds, reason = assessment.missing_starting_risks(), "Starting risk put back"
        create_many(
            Risk,
            [Risk(assessment=assessment, source=seed.source, title=seed.title) for seed in seeds],
            by=by,
            reason=reason,
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


STARTING_RISK_KEPT = (
    "The risks the assessment starts with come from the guidance and cannot be removed. If one is unlikely "
    "for your group, rate it low and say why in its mitigation."
)


def _save_risks(formset, *, by) -> None:
    """Save the assessment's risks. A starting risk (suggestions.is_starting_risk) keeps its title
    and is never deleted: it can be rated low, with a reason (SR-1)."""
    saved = formset.save(commit=False)
    if any(risk.is_starting_risk for risk in formset.deleted_objects) or any(
        risk.is_starting_risk and "title" in fields for risk, fields in formset.changed_objects
    ):
        raise ValidationError(STARTING_RISK_KEPT, code="starting_risk_kept")
    for risk in saved:
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


def _supervisor_refusal(group, user) -> str | None:
    """Separation of duties: a supervisor is someone the organisation allows to supervise, and
    never one of the group's coordinators (GroupRole's constraint says so to the database too)."""
    if not may_supervise(user):
        return SUPERVISOR_NOT_ALLOWED.format(user=user)
    if Role.COORDINATOR in group.roles_of(user):
        return COORDINATOR_CANNOT_SUPERVISE.format(user=user)
    return None


def _refuse_as_supervisor(group, user, *, field: str) -> None:
    if refusal := _supervisor_refusal(group, user):
        raise ValidationError({field: refusal})


def team_role_refusal(group, role: str, user=None) -> dict | None:
    """Why `user` cannot take `role` in the group as its team is now, as messages by form field;
    None when they can. Nobody holds the same role twice; a group has one supervisor
    (choose_supervisor changes who), chosen among the people allowed to supervise; and nobody both
    coordinates and supervises the group. With no user (someone invited, who has no account yet),
    what can be known without one."""
    if role not in Role.values:
        return {"role": "Choose one of the roles."}
    if user is not None:
        if not user.is_active:
            return {"person": "That account is not active."}
        if role in group.roles_of(user):
            return {"role": f"{user} already has this role in the group."}
    if role == Role.SUPERVISOR:
        if group.supervisor is not None:
            return {
                "role": f"{group.supervisor} is already the supervisor. Change the supervisor on the "
                "facilitator-support plan."
            }
        if user is not None and (refusal := _supervisor_refusal(group, user)):
            return {"person": refusal}
    if role == Role.COORDINATOR and user is not None and Role.SUPERVISOR in group.roles_of(user):
        return {"role": SUPERVISOR_CANNOT_COORDINATE.format(user=user)}
    return None


def add_team_role(*, group, user, role: str, by) -> GroupRole:
    """Give a person a role in the group, as team_role_refusal allows."""
    with transaction.atomic(durable=True):
        return _add_team_role(lock_group(group.pk), user=user, role=role, by=by, reason="Added to the team")


def _add_team_role(locked, *, user, role: str, by, reason: str) -> GroupRole:
    """add_team_role's body, inside the caller's transaction with the group locked: accepting an
    invitation composes it, granting the role on the authority of the coordinator who invited."""
    _refuse_unless_team_manager(locked, by)
    refusal = team_role_refusal(locked, role, user)
    if refusal:
        raise ValidationError(refusal)
    added = save_change(GroupRole(group=locked, user=user, role=role), by=by, reason=reason)
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

# The status buttons' names, from SupportGroup.ALLOWED_TRANSITIONS: launching and resuming go
# through the launch gate (planning.launch_group), closing through its confirmation
# (groups.closing.close_group).
STATUS_ACTIONS = {
    move.action: move.to_status
    for moves in SupportGroup.ALLOWED_TRANSITIONS.values()
    for move in moves.values()
    if not move.has_own_gate
}


def status_changes_for(group) -> list:
    """The status buttons open to the group as it is now (launching, resuming and closing are not
    among them)."""
    return [move for move in group.status_moves if not move.has_own_gate]


def change_group_status(*, group, action: str, by) -> SupportGroup:
    """Pause a group, as SupportGroup.ALLOWED_TRANSITIONS allows. Only its coordinators may.
    Raises InvalidStatusTransition, worded from the table."""
    if action not in STATUS_ACTIONS:
        raise ValidationError(f"There is no status change called \u201c{action}\u201d.")
    with transaction.atomic(durable=True):
        locked = lock_group(group.pk)
        if not can_change_status(by, locked):
            raise PermissionDenied("Only a coordinator of this group can change its status.")
        _move_group(locked, to=STATUS_ACTIONS[action], action=action, by=by)
    return locked


def _move_group(locked, *, to: str, action: str, by) -> None:
    """Inside the caller's transaction, with the group locked and the caller's checks made: move it
    to `to` as SupportGroup.ALLOWED_TRANSITIONS allows (raising InvalidStatusTransition if not),
    with the move's reason on the history, and announce it. Pausing and closing use it."""
    old_status = locked.status
    move = locked.move_to(to, action=action)
    save_change(locked, by=by, reason=move.reason, update_fields=["status", "closed_at", "updated_at"])
    events.announce(
        events.group_status_changed, group_id=locked.pk, by_id=by.pk, old_status=old_status, new_status=locked.status
    )


def pause_group(*, group, by) -> SupportGroup:
    return change_group_status(group=group, action="pause", by=by)


def resume_group(*, group, by, acknowledged_warnings: bool = False) -> SupportGroup:
    """Resume a paused group: through the launch gate again, as the plan may have changed while it
    was paused (or the guidance it is checked against)."""
    return launch_group(group=group, by=by, acknowledged_warnings=acknowledged_warnings)
