# A debrief's safeguarding yes/no was seen only by its author and the supervisor; a concern is seen
# by the coordinators who must act on it. Each session whose debriefs said "yes" gets one
# safeguarding concern, linked to the session and left open for a coordinator to close, with what
# was done and who was told copied from those debriefs (several facilitators' answers joined).
# Which member it was about, and when they were told, were never recorded: the concern says so
# by leaving them empty. sessions_log's migration 0007 then removes the debrief's fields.

from django.db import migrations
from django.utils import timezone

MOVED = "Moved from a debrief's safeguarding answer"
NOT_RECORDED = "Recorded in a facilitator's debrief as a safeguarding concern, before concerns were kept apart."
WHO_WAS_TOLD_MAX = 200


def _joined(values, separator):
    return separator.join(dict.fromkeys(value.strip() for value in values if value.strip()))


def concerns_from_debrief_flags(apps, schema_editor):
    Debrief = apps.get_model("sessions_log", "Debrief")
    Concern = apps.get_model("concerns", "Concern")
    HistoricalConcern = apps.get_model("concerns", "HistoricalConcern")
    by_session = {}
    flagged = Debrief.objects.filter(safeguarding_concern=True).select_related("session").order_by("created_at", "pk")
    for debrief in flagged:
        by_session.setdefault(debrief.session_id, []).append(debrief)
    now = timezone.now()
    for debriefs in by_session.values():
        first, session = debriefs[0], debriefs[0].session
        concern = Concern.objects.create(
            group_id=session.group_id,
            kind="safeguarding",
            where="in_session",
            session=session,
            happened_on=session.date,
            what_was_done=_joined([d.safeguarding_action for d in debriefs], "\n\n") or NOT_RECORDED,
            who_was_told=_joined([d.safeguarding_told for d in debriefs], "; ")[:WHO_WAS_TOLD_MAX],
            raised_by_id=first.author_id,
        )
        # Raised when the first debrief said so, not today (auto_now_add stamped today).
        Concern.objects.filter(pk=concern.pk).update(raised_at=first.created_at)
        concern.refresh_from_db()
        HistoricalConcern.objects.create(
            **{field.attname: getattr(concern, field.attname) for field in Concern._meta.concrete_fields},
            history_date=now,
            history_type="+",
            history_change_reason=MOVED,
            history_user_id=None,
        )


def debrief_flags_from_concerns(apps, schema_editor):
    """Undoing: the moved concerns become debrief answers again (on the debrief of the facilitator
    who raised it), and go."""
    Debrief = apps.get_model("sessions_log", "Debrief")
    Concern = apps.get_model("concerns", "Concern")
    HistoricalConcern = apps.get_model("concerns", "HistoricalConcern")
    moved = HistoricalConcern.objects.filter(history_type="+", history_change_reason=MOVED).values("id")
    for concern in Concern.objects.filter(pk__in=moved):
        Debrief.objects.filter(session_id=concern.session_id, author_id=concern.raised_by_id).update(
            safeguarding_concern=True,
            safeguarding_action="" if concern.what_was_done == NOT_RECORDED else concern.what_was_done,
            safeguarding_told=concern.who_was_told,
        )
        HistoricalConcern.objects.filter(id=concern.pk).delete()
        concern.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("concerns", "0001_initial"),
        ("sessions_log", "0008_follow_up_kinds"),
    ]

    operations = [
        migrations.RunPython(concerns_from_debrief_flags, debrief_flags_from_concerns),
    ]
