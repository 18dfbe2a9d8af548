"""Where each checklist question's answer is, and whether it settles the question.

A question is answered in one of two places. Most are answered on the checklist's own pages (a
ChecklistAnswer). Some ask what another part of the plan already holds (the group's details, a
plan document, the aims or the rules: `ChecklistItem.answered_by`), and are never asked again:
their page shows that answer, with a link to change it where it lives, and they count as done
when that part is complete.

`answer_elsewhere` decides "answered elsewhere, and complete?" for one question; `questions`
gives every question of a group with its state. Progress, the launch gate, the checklist pages
and the printed plan all read these, so they always agree. Everything here reads only what
`SupportGroup.objects.with_plan()` loads.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Cast
from django.template.defaultfilters import date as format_date
from django.urls import reverse
from django.utils.text import capfirst

from .checklist import ChecklistItem, items_for
from .models import Aim, ChecklistAnswer, Risk, Rule

Status = ChecklistAnswer.Status

# The documents a question can take its answer from: the attribute giving the document (or
# None), its name in a sentence, and the page where it is written.
DOCUMENTS = {
    "risk_assessment": ("risk_assessment_or_none", "the risk assessment", "groups:risk_assessment"),
    "exit_strategy": ("exit_strategy_or_none", "the exit strategy", "groups:exit_strategy"),
    "support_plan": ("support_plan_or_none", "the facilitator-support plan", "groups:support_plan"),
}


@dataclass(frozen=True)
class Shown:
    """One piece of an answer that lives elsewhere, as the checklist page shows it."""

    label: str
    value: str


@dataclass(frozen=True)
class AnswerElsewhere:
    """The part of the plan that answers a question: what it says now, and what it still lacks."""

    place: str  # in a sentence: "the group's details", "the exit strategy"
    fix_url: str
    shown: tuple[Shown, ...]
    missing: tuple[str, ...]
    # Nothing of it has been written yet (a document not started, no aims).
    not_started: bool = False
    # Whether the launch gate already lists what is missing here under its own heading (a
    # document incomplete, no aims, no rules), so the question need not be listed again.
    gated_on_its_own: bool = False

    @property
    def is_complete(self) -> bool:
        return not self.missing


def shown_detail(group, name) -> str:
    """One of the group's details as a page shows it: a choice by its label, a time as 18:30."""
    field = group._meta.get_field(name)
    value = getattr(group, name)
    if field.choices:
        return getattr(group, f"get_{name}_display")()
    if isinstance(field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, models.TimeField):
        return value.strftime("%H:%M") if value else ""
    if value is None or value == "":
        return "No upper limit" if name == "maximum_age" else "None given"
    return str(value)


def _missing_detail(group, name) -> str:
    label = str(group._meta.get_field(name).verbose_name).lower()
    return label if not str(getattr(group, name) or "").strip() else f"a real answer for \u201c{label}\u201d"


def _from_group(group, fields: list[str]) -> AnswerElsewhere:
    meta = group._meta
    needed = [name for name in fields if group.detail_is_needed(name) or str(getattr(group, name) or "").strip()]
    problems = {name: group.detail_problem(name) for name in needed}
    missing = [name for name in needed if problems[name]]
    url = reverse("groups:edit", kwargs={"pk": group.pk})
    return AnswerElsewhere(
        place="the group's details",
        fix_url=f"{url}#id_{missing[0]}" if missing else url,
        shown=tuple(Shown(capfirst(meta.get_field(name).verbose_name), shown_detail(group, name)) for name in needed),
        missing=tuple(_missing_detail(group, name) for name in missing),
    )


def _from_document(group, name: str, parts: list[str]) -> AnswerElsewhere:
    attribute, place, url_name = DOCUMENTS[name]
    document = getattr(group, attribute)
    url = reverse(url_name, kwargs={"pk": group.pk})
    if document is None:
        return AnswerElsewhere(place, url, (), (f"{place} to be started",), not_started=True, gated_on_its_own=True)
    if not parts:  # the whole document: the risk assessment
        risks = list(document.risks.all())
        shown = [Shown("Risks assessed", f"{sum(risk.is_assessed for risk in risks)} of {len(risks)}")]
        if document.review_date:
            shown.append(Shown("Next review", format_date(document.review_date, "j F Y")))
        return AnswerElsewhere(place, url, tuple(shown), tuple(document.missing_parts()), gated_on_its_own=True)
    meta = document._meta
    shown = []
    for part in parts:
        field = meta.get_field(part)
        value = getattr(document, f"get_{part}_display")() if field.choices else getattr(document, part)
        shown.append(Shown(capfirst(field.verbose_name), value or "Not written yet"))
    missing = [document.part_name(part) for part in parts if document.part_problem(part)]
    return AnswerElsewhere(place, url, tuple(shown), tuple(missing), gated_on_its_own=True)


def _from_aims(group) -> AnswerElsewhere:
    aims = list(group.aims.all())
    return AnswerElsewhere(
        "the aims",
        reverse("groups:aims", kwargs={"pk": group.pk}),
        tuple(Shown(aim.text, aim.get_progress_charting_display()) for aim in aims),
        () if aims else ("at least one aim",),
        not_started=not aims,
        gated_on_its_own=True,
    )


def _from_rules(group) -> AnswerElsewhere:
    rules = list(group.rules.all())
    missing = [part for rule in rules for part in rule.missing_parts()]
    return AnswerElsewhere(
        "the rules",
        reverse("groups:rules", kwargs={"pk": group.pk}),
        tuple(
            Shown(
                rule.text, f"Shared: {rule.how_shared or 'not said yet'}. Upheld: {rule.how_upheld or 'not said yet'}."
            )
            for rule in rules
        ),
        tuple(missing) if rules else ("at least one rule",),
        not_started=not rules,
        # With no rules at all, the gate says so itself; how each is shared and upheld it does not.
        gated_on_its_own=not rules,
    )


def answer_elsewhere(item: ChecklistItem, group) -> tuple[AnswerElsewhere, ...]:
    """Where the question's answer lives outside the checklist, with what it says and lacks; empty
    when the question is answered on the checklist itself."""
    found = []
    for source in item.answered_by:
        kind, _, detail = source.partition(":")
        if kind == "group":
            found.append(_from_group(group, detail.split(",")))
        elif kind == "document":
            name, _, parts = detail.partition(":")
            found.append(_from_document(group, name, parts.split(",") if parts else []))
        elif kind == "aims":
            found.append(_from_aims(group))
        elif kind == "rules":
            found.append(_from_rules(group))
        else:
            raise ValueError(f"{item.key}: unknown answered_by source {source!r}")
    return tuple(found)


@dataclass(frozen=True)
class Question:
    """One checklist question of a group, wherever its answer is."""

    item: ChecklistItem
    answer: ChecklistAnswer | None
    elsewhere: tuple[AnswerElsewhere, ...]

    @property
    def is_answered_elsewhere(self) -> bool:
        return bool(self.elsewhere)

    @property
    def is_resolved(self) -> bool:
        """Settled: answered elsewhere and that part complete, or answered here and completed or
        marked not applicable as the rules allow (ChecklistAnswer.is_resolved)."""
        if self.elsewhere:
            return all(part.is_complete for part in self.elsewhere)
        return self.answer is not None and self.answer.is_resolved

    @property
    def problem(self) -> str | None:
        """Why an answer marked completed or not applicable does not settle the question (one
        stored before the rules it breaks), or None."""
        return None if self.elsewhere or self.answer is None else self.answer.problem

    @property
    def status(self) -> str:
        """Completed once settled; not started until anything of it is written; otherwise in
        progress (an answer marked completed that breaks a rule is still in progress)."""
        if self.is_resolved:
            return self.answer.status if self.answer and not self.elsewhere else Status.DONE
        if self.elsewhere:
            return Status.NOT_STARTED if all(part.not_started for part in self.elsewhere) else Status.IN_PROGRESS
        if self.answer is None or self.answer.status == Status.NOT_STARTED:
            return Status.NOT_STARTED
        return Status.IN_PROGRESS

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def tone(self) -> str:
        return ChecklistAnswer.STATUS_TONES[self.status]

    @property
    def missing(self) -> list[str]:
        """What the other parts of the plan still lack for this question, in a sentence each."""
        return [f"{part.place}: {', '.join(part.missing)}" for part in self.elsewhere if part.missing]


def questions(group, items=None) -> list[Question]:
    """Every question the group must answer (checklist.items_for), or the `items` given, each with
    where its answer is and whether it is settled."""
    answers = group.answers_by_key()
    return [
        Question(item, answers.get(item.key), answer_elsewhere(item, group))
        for item in (items_for(group) if items is None else items)
    ]


# Reading the plans of many groups at once --------------------------------------------------------

_PLAN_ROW = ("kind", "group_id", "pk", "key", "choice", "text", "second", "third", "likelihood", "impact")


def _plan_rows(model, kind: str, group: str, **columns):
    """One model's rows, as the columns every plan row has (_PLAN_ROW), for a UNION ALL."""
    blank = {
        "key": Value("", output_field=models.CharField()),
        "choice": Value("", output_field=models.CharField()),
        "text": Value("", output_field=models.TextField()),
        "second": Value("", output_field=models.TextField()),
        "third": Value("", output_field=models.TextField()),
        # Typed, or PostgreSQL takes a bare NULL for text and refuses to unite it with numbers.
        "likelihood": Cast(Value(None), models.IntegerField()),
        "impact": Cast(Value(None), models.IntegerField()),
    }
    expressions = {
        "kind": Value(kind, output_field=models.CharField()),
        "group_id": F(group),
        "pk": F("pk"),
        **blank,
        **{name: F(field) for name, field in columns.items()},
    }
    return (
        model.objects.order_by()
        .annotate(**{f"row_{name}": expressions[name] for name in _PLAN_ROW})
        .values_list(*(f"row_{name}" for name in _PLAN_ROW))
    )


def load_plans(groups) -> None:
    """Give each group (loaded with SupportGroup.objects.with_documents()) its checklist answers,
    aims, rules and risks, read in one query for all the groups together, as prefetch_related
    would in four: so a list of groups shows their progress for the same few queries whatever
    its length. Everything answers.py and the plan's models read is then already in memory."""
    by_pk = {group.pk: group for group in groups}
    if not by_pk:
        return
    ids = list(by_pk)
    rows = (
        _plan_rows(
            ChecklistAnswer,
            "answer",
            "group_id",
            key="item_key",
            choice="status",
            text="answer",
            second="not_applicable_reason",
        )
        .filter(group_id__in=ids)
        .union(
            _plan_rows(Aim, "aim", "group_id", choice="progress_charting", text="text").filter(group_id__in=ids),
            _plan_rows(Rule, "rule", "group_id", text="text", second="how_shared", third="how_upheld").filter(
                group_id__in=ids
            ),
            _plan_rows(
                Risk,
                "risk",
                "assessment__group_id",
                key="source",
                text="title",
                second="mitigation",
                third="owner",
                likelihood="likelihood",
                impact="impact",
            ).filter(assessment__group_id__in=ids),
            all=True,
        )
    )
    found = {pk: {"answer": [], "aim": [], "rule": [], "risk": []} for pk in by_pk}
    for kind, group_id, pk, key, choice, text, second, third, likelihood, impact in sorted(rows, key=_by_kind_and_pk):
        group = by_pk[group_id]
        if kind == "answer":
            row = ChecklistAnswer(
                pk=pk, group=group, item_key=key, status=choice, answer=text, not_applicable_reason=second
            )
        elif kind == "aim":
            row = Aim(pk=pk, group=group, text=text, progress_charting=choice)
        elif kind == "rule":
            row = Rule(pk=pk, group=group, text=text, how_shared=second, how_upheld=third)
        else:
            row = Risk(
                pk=pk,
                assessment=group.risk_assessment,
                source=key,
                title=text,
                mitigation=second,
                owner=third,
                likelihood=likelihood,
                impact=impact,
            )
        found[group_id][kind].append(row)
    for pk, group in by_pk.items():
        cache = getattr(group, "_prefetched_objects_cache", {})
        cache |= {"checklist_answers": found[pk]["answer"], "aims": found[pk]["aim"], "rules": found[pk]["rule"]}
        group._prefetched_objects_cache = cache
        assessment = group.risk_assessment_or_none
        if assessment is not None:
            assessment._prefetched_objects_cache = {"risks": found[pk]["risk"]}


def _by_kind_and_pk(row):
    return (row[0], row[2])
