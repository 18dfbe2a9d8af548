"""Give every existing risk assessment the worst cases of GW-7 as starting risks (SR-2).

New assessments get them from groups.suggestions.RISK_SEEDS. The seeds are copied here rather
than imported, so that this migration does the same thing whenever it runs. An assessment that
already has a risk with the same source and title is left alone, so running it twice adds
nothing. Each added risk gets its history copy ("created", by the system, with a reason), as
audit.changes.create_many would write it, so the group's change history shows where it came from.
"""

from django.db import migrations
from django.utils import timezone

WORST_CASES = (
    ("GW-7", "A member is injured on the premises and needs first aid or urgent care"),
    ("GW-7", "A member is in crisis between sessions"),
    ("GW-7", "A member discloses abuse, to the group or to a facilitator"),
    ("GW-7", "A member dies by suicide, and the group and facilitators need support afterwards"),
    ("GW-7", "A facilitator cannot carry on partway through a session"),
)
REASON = "Starting risk added: a worst case from the guidance (GW-7)"


def add_worst_cases(apps, schema_editor):
    RiskAssessment = apps.get_model("groups", "RiskAssessment")
    Risk = apps.get_model("groups", "Risk")
    HistoricalRisk = apps.get_model("groups", "HistoricalRisk")
    sources = {source for source, _ in WORST_CASES}
    existing = set(Risk.objects.filter(source__in=sources).values_list("assessment_id", "source", "title"))
    new_risks = [
        Risk(assessment_id=assessment_id, source=source, title=title)
        for assessment_id in RiskAssessment.objects.order_by("pk").values_list("pk", flat=True)
        for source, title in WORST_CASES
        if (assessment_id, source, title) not in existing
    ]
    if not new_risks:
        return
    created = Risk.objects.bulk_create(new_risks, batch_size=500)
    now = timezone.now()
    HistoricalRisk.objects.bulk_create(
        [
            HistoricalRisk(
                id=risk.pk,
                assessment_id=risk.assessment_id,
                source=risk.source,
                title=risk.title,
                likelihood=None,
                impact=None,
                mitigation="",
                owner="",
                history_date=now,
                history_type="+",
                history_user=None,
                history_change_reason=REASON,
            )
            for risk in created
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0003_checklist_items_for_safety_conflict_and_under_18s"),
    ]

    # Undoing leaves the added risks in place: by then coordinators may have rated them, and a
    # starting risk is never deleted.
    operations = [migrations.RunPython(add_worst_cases, migrations.RunPython.noop)]
