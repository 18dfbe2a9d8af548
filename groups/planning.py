"""The launch gate: what stops a group opening, and opening it.

A group opens (planning -> active) only through `launch_group`. Views, the admin and
management commands all call it, so the rule is checked in exactly one place.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.changes import save_change
from groups_site import events

from .checklist import CHECKLIST, SECTIONS, SECTIONS_BY_SLUG, items_in_section
from .models import ChecklistAnswer, SupportGroup
from .permissions import can_launch_group

NOT_STARTED = ChecklistAnswer.Status.NOT_STARTED


class LaunchBlocked(Exception):
    """The group cannot launch yet; `.blockers` says why, one sentence per reason."""

    def __init__(self, blockers):
        self.blockers = list(blockers)
        super().__init__("; ".join(self.blockers))


@dataclass(frozen=True)
class Blocker:
    message: str
    fix_url: str
    # For checklist questions still open: the section and the bare question, so a page can
    # group them instead of repeating the same sentence thirty times.
    section: str = ""
    question: str = ""


@dataclass(frozen=True)
class SectionProgress:
    slug: str
    title: str
    status: str  # one of ChecklistAnswer.Status values, for the whole section
    resolved: int
    required: int

    @property
    def status_label(self):
        return ChecklistAnswer.Status(self.status).label

    @property
    def tone(self) -> str:
        return ChecklistAnswer.STATUS_TONES[self.status]

    @property
    def is_complete(self):
        return self.status == ChecklistAnswer.Status.DONE


@dataclass(frozen=True)
class DocumentProgress:
    """How far one of the three documents has got, in the checklist's words."""

    status: str

    @property
    def label(self) -> str:
        return ChecklistAnswer.Status(self.status).label

    @property
    def tone(self) -> str:
        return ChecklistAnswer.STATUS_TONES[self.status]


def document_progress(document) -> DocumentProgress:
    """Not started while the document does not exist, completed once nothing is missing from it,
    in progress in between."""
    if document is None:
        return DocumentProgress(ChecklistAnswer.Status.NOT_STARTED)
    return DocumentProgress(ChecklistAnswer.Status.DONE if document.is_complete else ChecklistAnswer.Status.IN_PROGRESS)


def checklist_progress(group) -> list[SectionProgress]:
    """Each section is completed when all its required questions are completed or marked not
    applicable, in progress once any question in it has been started, otherwise not started."""
    return _progress({key: answer.status for key, answer in group.answers_by_key().items()})


def checklist_progress_of(groups) -> dict[int, list[SectionProgress]]:
    """checklist_progress for many groups in one query, reading only each answer's status: for
    lists of groups, where loading every answer's text would cost more than the page."""
    statuses: dict[int, dict[str, str]] = {group.pk: {} for group in groups}
    answers = ChecklistAnswer.objects.filter(group__in=list(statuses)).values_list("group_id", "item_key", "status")
    for group_id, key, status in answers:
        statuses[group_id][key] = status
    return {group_id: _progress(by_key) for group_id, by_key in statuses.items()}


def _progress(statuses: dict[str, str]) -> list[SectionProgress]:
    progress = []
    for section in SECTIONS:
        items = items_in_section(section.slug)
        required = [item for item in items if item.required]
        resolved = sum(1 for item in required if statuses.get(item.key) in ChecklistAnswer.RESOLVED_STATUSES)
        started = any(statuses.get(item.key, NOT_STARTED) != NOT_STARTED for item in items)
        if resolved == len(required):
            status = ChecklistAnswer.Status.DONE
        elif started:
            status = ChecklistAnswer.Status.IN_PROGRESS
        else:
            status = ChecklistAnswer.Status.NOT_STARTED
        progress.append(SectionProgress(section.slug, section.title, status, resolved, len(required)))
    return progress


def _document_blocker(document, name, url, *, also_needs=""):
    if document is None:
        return Blocker(f"The {name} has not been started{also_needs}.", url)
    missing = document.missing_parts()
    if missing:
        return Blocker(f"The {name} is incomplete: it needs {', '.join(missing)}.", url)
    return None


def launch_blockers_with_links(group) -> list[Blocker]:
    """Everything that stops the group launching, each with the page where it is put right.

    Reads only what SupportGroup.objects.with_plan() loads, so a page can show the list
    without a query per item.
    """
    pk = group.pk
    blockers = []
    if not group.is_planning:
        blockers.append(
            Blocker(
                f"The group is already {group.get_status_display().lower()}; only a group in planning can launch.",
                reverse("groups:plan", kwargs={"pk": pk}),
            )
        )
    # The supervisor is named on the facilitator-support plan, which needs one: a group without a
    # supervisor has one blocker, there, whether or not the plan has been started.
    no_supervisor = ", and the group needs a named supervisor" if group.supervisor is None else ""
    for document, name, url_name, also_needs in (
        (group.risk_assessment_or_none, "risk assessment", "groups:risk_assessment", ""),
        (group.exit_strategy_or_none, "exit strategy", "groups:exit_strategy", ""),
        (group.support_plan_or_none, "facilitator-support plan", "groups:support_plan", no_supervisor),
    ):
        blocker = _document_blocker(document, name, reverse(url_name, kwargs={"pk": pk}), also_needs=also_needs)
        if blocker:
            blockers.append(blocker)

    if not group.aims.all():
        blockers.append(Blocker("The group has no aims yet.", reverse("groups:aims", kwargs={"pk": pk})))
    if not group.rules.all():
        blockers.append(Blocker("The group has no rules yet.", reverse("groups:rules", kwargs={"pk": pk})))
    if not group.facilitators:
        blockers.append(
            Blocker("No facilitator has been added to the team.", reverse("groups:team", kwargs={"pk": pk}))
        )
    answers = group.answers_by_key()
    for item in CHECKLIST:
        answer = answers.get(item.key)
        if item.required and not (answer and answer.is_resolved):
            blockers.append(
                Blocker(
                    section=SECTIONS_BY_SLUG[item.section].title,
                    question=item.prompt,
                    message=f"Checklist: \u201c{item.prompt}\u201d is not yet completed or marked not applicable.",
                    fix_url=reverse("groups:checklist_section", kwargs={"pk": pk, "section": item.section})
                    + f"#item-{item.key}",
                )
            )
    return blockers


def launch_blockers(group) -> list[str]:
    """Every reason the group cannot launch yet, in words a coordinator understands; empty when ready."""
    return [blocker.message for blocker in launch_blockers_with_links(group)]


def launch_group(*, group, by) -> SupportGroup:
    """Open a group for its first session. Only a coordinator of the group may, and only when
    nothing blocks it. Raises PermissionDenied or LaunchBlocked; changes nothing if it raises."""
    with transaction.atomic(durable=True):
        # Lock the row so two coordinators pressing Launch at once cannot both pass the checks.
        SupportGroup.objects.select_for_update().filter(pk=group.pk).get()
        locked = SupportGroup.objects.with_plan().get(pk=group.pk)
        if not can_launch_group(by, locked):
            raise PermissionDenied("Only a coordinator of this group can launch it.")
        blockers = launch_blockers(locked)
        if blockers:
            raise LaunchBlocked(blockers)
        move = locked.move_to(SupportGroup.Status.ACTIVE, action="launch")
        locked.launched_at = timezone.now()
        save_change(locked, by=by, reason=move.reason, update_fields=["status", "launched_at", "updated_at"])
        events.announce(events.group_launched, group_id=locked.pk, by_id=by.pk)
        events.announce(
            events.group_status_changed,
            group_id=locked.pk,
            by_id=by.pk,
            old_status=SupportGroup.Status.PLANNING,
            new_status=locked.status,
        )
    group.refresh_from_db()
    return locked
