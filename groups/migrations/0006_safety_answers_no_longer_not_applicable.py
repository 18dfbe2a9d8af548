"""A safety question can no longer be marked "not applicable" (SR-1): any answer that was is put
back in progress, keeping what was written, before the next migration adds the database
constraint that forbids it.

The keys are copied here rather than imported from groups.checklist, so that this migration does
the same thing whenever it runs. Each changed answer gets its history copy ("changed", by the
system, with a reason), as audit.changes.update_many would write it, so the group's change
history shows why its answer moved.
"""

from django.db import migrations
from django.utils import timezone

SAFETY_CRITICAL_KEYS = (
    "parents_and_consent",
    "no_harm_contract",
    "distress",
    "crisis_and_first_aid",
    "suicidal_intent",
    "confidentiality_limits",
    "safeguarding_policy",
    "child_protection",
    "self_harm_reporting",
)
REASON = "Safety question: needs an answer, so no longer not applicable"
HISTORY_FIELDS = ("id", "group_id", "item_key", "answer", "status", "not_applicable_reason", "updated_by_id", "updated_at")


def reopen_safety_answers(apps, schema_editor):
    ChecklistAnswer = apps.get_model("groups", "ChecklistAnswer")
    HistoricalChecklistAnswer = apps.get_model("groups", "HistoricalChecklistAnswer")
    answers = list(
        ChecklistAnswer.objects.filter(status="not_applicable", item_key__in=SAFETY_CRITICAL_KEYS).order_by("pk")
    )
    if not answers:
        return
    now = timezone.now()
    for answer in answers:
        answer.status = "in_progress"
        answer.updated_at = now
    ChecklistAnswer.objects.bulk_update(answers, ["status", "updated_at"], batch_size=500)
    HistoricalChecklistAnswer.objects.bulk_create(
        [
            HistoricalChecklistAnswer(
                **{field: getattr(answer, field) for field in HISTORY_FIELDS},
                history_date=now,
                history_type="~",
                history_user=None,
                history_change_reason=REASON,
            )
            for answer in answers
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0005_bounded_text_and_names_on_one_line"),
    ]

    # Undoing leaves the answers in progress: nothing is lost, and "not applicable" is no longer
    # an answer these questions can have.
    operations = [migrations.RunPython(reopen_safety_answers, migrations.RunPython.noop)]
