"""The whole plan of a group, arranged for reading on paper.

Everything comes from a group loaded with `SupportGroup.objects.with_plan()`, so building it
runs no queries of its own, however many aims, rules, answers and risks the plan has.
"""

from dataclasses import dataclass

from groups.answers import AnswerElsewhere, Question, questions
from groups.checklist import SECTIONS, ChecklistItem, source_documents
from groups.models import ChecklistAnswer


@dataclass(frozen=True)
class ChecklistLine:
    question: Question

    @property
    def item(self) -> ChecklistItem:
        return self.question.item

    @property
    def answer(self) -> ChecklistAnswer | None:
        return self.question.answer

    @property
    def elsewhere(self) -> tuple[AnswerElsewhere, ...]:
        """Where the answer lives, for a question the plan answers elsewhere (groups.answers)."""
        return self.question.elsewhere

    @property
    def status_label(self) -> str:
        return self.question.status_label

    @property
    def sources(self) -> list[tuple[str, str]]:
        """Each reference the question answers, with the name of the document(s) it comes from."""
        return [(reference, "; ".join(source_documents(reference))) for reference in self.item.sources]


@dataclass(frozen=True)
class ChecklistPart:
    title: str
    summary: str
    lines: list[ChecklistLine]


def checklist_parts(group) -> list[ChecklistPart]:
    """Every checklist question the group must answer (checklist.items_for), section by section,
    with its answer: the group's own, or what the plan holds elsewhere."""
    by_section = {section.slug: [] for section in SECTIONS}
    for question in questions(group):
        by_section[question.item.section].append(ChecklistLine(question))
    return [ChecklistPart(section.title, section.summary, by_section[section.slug]) for section in SECTIONS]


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
