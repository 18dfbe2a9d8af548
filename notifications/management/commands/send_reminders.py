"""Run every 15 minutes (see docs/production.md, "Reminders"): remind people by email of what
needs them, each reminder once, and from 07:00 send the daily digests."""

from django.core.management.base import BaseCommand

from notifications.reminders import DIGEST_TIME, DIGESTS_SENT, Delivery, send_reminders


class Command(BaseCommand):
    help = (
        "Queue the reminders due now (a session to record, a follow-up due or overdue, a debrief past "
        f"its review date, a risk assessment past its review date), each once, and in the morning (the first "
        f"run from {DIGEST_TIME:%H:%M}) the daily digests. Safe to run twice, and on several machines at once. "
        "Prints counts only."
    )

    def handle(self, *args, **options):
        counts = send_reminders()
        # Counts only: this output ends up in logs, so never a name or a word of content.
        self.stdout.write(
            f"Reminders: {counts[Delivery.IMMEDIATELY]} queued to send now, {counts[Delivery.DAILY_DIGEST]} kept "
            f"for a daily digest, {counts[Delivery.NONE]} not sent (reminders turned off); "
            f"{counts[DIGESTS_SENT]} daily digest(s) queued."
        )
