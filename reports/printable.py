"""The whole plan of a group, arranged for reading on paper.

Everything comes from a group loaded with `SupportGroup.objects.with_plan()`, so building it
runs no queries of its own, however many aims, rules, answers and risks the plan has.
"""

from dataclasses import dataclass

from groups.checklist import SECTIONS, ChecklistItem, items_in_section, source_document
from groups.models import ChecklistAnswer


@dataclass(frozen=True)
class ChecklistLine:
    item: ChecklistItem
    answer: ChecklistAnswer | None

    @property
    def status_label(self) -> str:
        status = self.answer.status if self.answer else ChecklistAnswer.Status.NOT_STARTED
        return ChecklistAnswer.Status(status).label

    @property
    def sources(self) -> list[tuple[str, str]]:
        """Each reference the question answers, with the name of the document it comes from."""
        return [(reference, source_document(reference)) for reference in self.item.sources]


@dataclass(frozen=True)
class ChecklistPart:
    title: str
    summary: str
    lines: list[ChecklistLine]


def checklist_parts(group) -> list[ChecklistPart]:
    """Every checklist question, section by section, with the group's answer if it has one."""
    answers = group.answers_by_key()
    return [
        ChecklistPart(
            section.title,
            section.summary,
            [ChecklistLine(item, answers.get(item.key)) for item in items_in_section(section.slug)],
        )
        for section in SECTIONS
    ]


def plan_context(group) -> dict:
    """What the print page and the PDF show."""
    return {
        "group": group,
        "checklist": checklist_parts(group),
        "aims": list(group.aims.all()),
        "rules": list(group.rules.all()),
        "risk_assessment": group.risk_assessment_or_none,
        "exit_strategy": group.exit_strategy_or_none,
        "support_plan": group.support_plan_or_none,
        "coordinators": group.coordinators,
        "facilitators": group.facilitators,
        "supervisor": group.supervisor,
    }
