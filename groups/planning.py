"""The launch gate: what stops a group opening, and opening it.

A group opens (planning -> active), and a paused one resumes, only through `launch_group`, which
runs the whole gate again each time. Views, the admin and management commands all call it, so
the rule is checked in exactly one place.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from audit.changes import save_change
from groups_site import events

from .answers import Question, load_plans, questions
from .checklist import SECTIONS, SECTIONS_BY_SLUG
from .models import ChecklistAnswer, SupportGroup
from .permissions import can_launch_group

NOT_STARTED = ChecklistAnswer.Status.NOT_STARTED


@dataclass(frozen=True)
class Blocker:
    message: str
    fix_url: str
    # For checklist questions still open: the section and the bare question, so a page can
    # group them instead of repeating the same sentence thirty times, and why it is still open
    # when it was marked settled.
    section: str = ""
    question: str = ""
    reason: str = ""


class LaunchBlocked(Exception):
    """The group cannot launch yet; `.blockers` says why, one sentence per reason, and
    `.with_links` gives each as a Blocker with the page where it is put right."""

    def __init__(self, blockers):
        self.with_links = [blocker if isinstance(blocker, Blocker) else Blocker(blocker, "") for blocker in blockers]
        self.blockers = [blocker.message for blocker in self.with_links]
        super().__init__("; ".join(self.blockers))


@dataclass(frozen=True)
class LaunchWarning:
    """Something in the plan that goes against the guidance's judgement without blocking launch:
    the coordinator must read it, and tick to say so, before the group launches."""

    subject: str  # what it is about: "Rule: “…”"
    reads_like: str  # "a no-harm contract", "an aim about stopping self-harm"
    message: str  # the guidance's judgement (groups.wording)
    fix_url: str


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
    """Each section is completed when all its required questions are settled (answers.Question:
    completed or marked not applicable as the rules allow, or answered elsewhere in the plan and
    that part complete), in progress once any question in it has been started, otherwise not
    started. Only the questions the group must answer count (checklist.items_for)."""
    return _progress(questions(group))


def checklist_progress_of(groups) -> dict[int, list[SectionProgress]]:
    """checklist_progress for many groups, each loaded with SupportGroup.objects.with_documents():
    their answers, aims, rules and risks are read in one query for all of them (load_plans), so a
    list of groups costs one query more whatever its length."""
    groups = list(groups)
    load_plans(groups)
    return {group.pk: checklist_progress(group) for group in groups}


def _progress(all_questions: list[Question]) -> list[SectionProgress]:
    progress = []
    for section in SECTIONS:
        in_section = [question for question in all_questions if question.item.section == section.slug]
        required = [question for question in in_section if question.item.required]
        resolved = sum(1 for question in required if question.is_resolved)
        started = any(question.status != NOT_STARTED for question in in_section)
        if resolved == len(required):
            status = ChecklistAnswer.Status.DONE
        elif started:
            status = ChecklistAnswer.Status.IN_PROGRESS
        else:
            status = ChecklistAnswer.Status.NOT_STARTED
        progress.append(SectionProgress(section.slug, section.title, status, resolved, len(required)))
    return progress


def _document_blockers(document, name, url, *, also_needs="") -> list[Blocker]:
    if document is None:
        return [Blocker(f"The {name} has not been started{also_needs}.", url)]
    return [Blocker(f"The {name} is incomplete: it needs {part}.", url) for part in document.missing_parts()]


def _checklist_blocker(question: Question, pk: int) -> Blocker | None:
    item = question.item
    section = SECTIONS_BY_SLUG[item.section].title
    if question.elsewhere:
        unfinished = [part for part in question.elsewhere if not part.is_complete]
        # A document, the aims or the rules the gate already lists under their own heading.
        if all(part.gated_on_its_own for part in unfinished):
            return None
        first = unfinished[0]
        needs = "; ".join(", ".join(part.missing) for part in unfinished)
        return Blocker(
            section=section,
            question=item.prompt,
            reason=f"answered by {first.place}, which still needs {needs}",
            message=f"Checklist: \u201c{item.prompt}\u201d is answered by {first.place}, which still needs {needs}.",
            fix_url=first.fix_url,
        )
    answer = question.answer
    if answer is not None and answer.status == ChecklistAnswer.Status.NOT_APPLICABLE and item.safety_critical:
        reason = "marked not applicable, but it is about members' safety, so it needs an answer"
    elif answer is not None and answer.status == ChecklistAnswer.Status.NOT_APPLICABLE:
        reason = "marked not applicable without a reason that says why"
    elif answer is not None and answer.status == ChecklistAnswer.Status.DONE:
        reason = "marked completed, but the answer reads like a placeholder"
    else:
        reason = ""
    return Blocker(
        section=section,
        question=item.prompt,
        reason=reason,
        message=f"Checklist: \u201c{item.prompt}\u201d is "
        + (f"{reason}." if reason else "not yet completed or marked not applicable."),
        fix_url=reverse("groups:checklist_section", kwargs={"pk": pk, "section": item.section}) + f"#item-{item.key}",
    )


def plan_gaps(group) -> list[Blocker]:
    """What the plan still lacks, each with the page where it is put right: the documents, the
    aims and rules, the team, and every required checklist question not yet settled. A running
    group's plan page lists these too (a question added since launch, a review now due), and a
    paused group cannot resume until they are done.

    Reads only what SupportGroup.objects.with_plan() loads, so a page can show the list
    without a query per item.
    """
    pk = group.pk
    blockers = []
    # The supervisor is named on the facilitator-support plan (FacilitatorSupportPlan.missing_parts):
    # a group without one has one blocker, there, whether or not the plan has been started.
    no_supervisor = ", and the group needs a named supervisor" if group.supervisor is None else ""
    for document, name, url_name, also_needs in (
        (group.risk_assessment_or_none, "risk assessment", "groups:risk_assessment", ""),
        (group.exit_strategy_or_none, "exit strategy", "groups:exit_strategy", ""),
        (group.support_plan_or_none, "facilitator-support plan", "groups:support_plan", no_supervisor),
    ):
        url = reverse(url_name, kwargs={"pk": pk})
        blockers += _document_blockers(document, name, url, also_needs=also_needs)

    if not group.aims.all():
        blockers.append(Blocker("The group has no aims yet.", reverse("groups:aims", kwargs={"pk": pk})))
    if not group.rules.all():
        blockers.append(Blocker("The group has no rules yet.", reverse("groups:rules", kwargs={"pk": pk})))
    if not group.facilitators:
        blockers.append(
            Blocker("No facilitator has been added to the team.", reverse("groups:team", kwargs={"pk": pk}))
        )
    for question in questions(group):
        if question.item.required and not question.is_resolved:
            blocker = _checklist_blocker(question, pk)
            if blocker:
                blockers.append(blocker)
    return blockers


def launch_blockers_with_links(group) -> list[Blocker]:
    """Everything that stops the group launching (or, paused, resuming), each with the page where
    it is put right: plan_gaps, and the group's status when it is neither in planning nor paused."""
    blockers = []
    if not group.can_move_to(SupportGroup.Status.ACTIVE):
        blockers.append(
            Blocker(
                f"The group is already {group.get_status_display().lower()}; only a group in planning can launch, "
                "and only a paused one can resume.",
                reverse("groups:plan", kwargs={"pk": group.pk}),
            )
        )
    return blockers + plan_gaps(group)


def launch_blockers(group) -> list[str]:
    """Every reason the group cannot launch yet, in words a coordinator understands; empty when ready."""
    return [blocker.message for blocker in launch_blockers_with_links(group)]


def launch_warnings(group) -> list[LaunchWarning]:
    """What in the plan reads against the guidance: each rule that reads like a no-harm contract,
    an answer on no-harm contracts (LS-Q6) that says members will be held to one, and each aim
    about stopping self-harm (SR-10). None blocks launch; the coordinator must read them first.
    Reads only what SupportGroup.objects.with_plan() loads."""
    pk = group.pk
    found = [
        LaunchWarning(
            f"Rule: \u201c{rule.text}\u201d",
            "a no-harm contract",
            rule.warning,
            reverse("groups:rule_edit", kwargs={"pk": pk, "rule_pk": rule.pk}),
        )
        for rule in group.rules.all()
        if rule.warning
    ]
    answer = group.answers_by_key().get("no_harm_contract")
    if answer is not None and answer.warning:
        found.append(
            LaunchWarning(
                f"Checklist answer: \u201c{answer.item.prompt}\u201d",
                "a no-harm contract",
                answer.warning,
                reverse("groups:checklist_section", kwargs={"pk": pk, "section": answer.item.section})
                + f"#item-{answer.item_key}",
            )
        )
    found += [
        LaunchWarning(
            f"Aim: \u201c{aim.text}\u201d",
            "an aim about stopping self-harm",
            aim.warning,
            reverse("groups:aim_edit", kwargs={"pk": pk, "aim_pk": aim.pk}),
        )
        for aim in group.aims.all()
        if aim.warning
    ]
    return found


def _unread(warnings: list[LaunchWarning]) -> list[Blocker]:
    return [
        Blocker(
            f"{warning.subject} reads like {warning.reads_like}. Read the warning, then change it or tick to say "
            "you have read it.",
            warning.fix_url,
        )
        for warning in warnings
    ]


def launch_group(*, group, by, acknowledged_warnings: bool = False) -> SupportGroup:
    """Open a group for its first session, or resume a paused one. Only a coordinator of the group
    may, only when nothing blocks it, and, when the plan has warnings (launch_warnings), only once
    the coordinator has said they read them. Raises PermissionDenied or LaunchBlocked; changes
    nothing if it raises."""
    with transaction.atomic(durable=True):
        # Lock the row so two coordinators pressing Launch at once cannot both pass the checks.
        SupportGroup.objects.select_for_update().filter(pk=group.pk).get()
        locked = SupportGroup.objects.with_plan().get(pk=group.pk)
        if not can_launch_group(by, locked):
            raise PermissionDenied("Only a coordinator of this group can launch it.")
        blockers = launch_blockers_with_links(locked)
        warnings = launch_warnings(locked)
        if warnings and not acknowledged_warnings:
            blockers += _unread(warnings)
        if blockers:
            raise LaunchBlocked(blockers)
        old_status = locked.status
        move = locked.move_to(SupportGroup.Status.ACTIVE)
        reason = move.reason
        if warnings:
            reason += f", the coordinator having read {len(warnings)} warning{pluralize(len(warnings))}"
        update_fields = ["status", "updated_at"]
        if old_status == SupportGroup.Status.PLANNING:
            locked.launched_at = timezone.now()
            update_fields.append("launched_at")
        save_change(locked, by=by, reason=reason, update_fields=update_fields)
        if old_status == SupportGroup.Status.PLANNING:
            events.announce(events.group_launched, group_id=locked.pk, by_id=by.pk)
        events.announce(
            events.group_status_changed,
            group_id=locked.pk,
            by_id=by.pk,
            old_status=old_status,
            new_status=locked.status,
        )
    group.refresh_from_db()
    return locked
