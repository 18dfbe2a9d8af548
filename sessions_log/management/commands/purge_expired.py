"""Run daily (see README, "Retention"): erase what each group's plan says is no longer kept."""

from django.core.management.base import BaseCommand, CommandError

from sessions_log.erasure import PurgeIncomplete, purge_expired


class Command(BaseCommand):
    help = (
        "Erase members' records kept longer than their group's retention period (after they left, or "
        "after the group closed), with every history copy, keeping sessions' attendance numbers; and "
        "the debriefs, concerns and complaints log of groups closed for longer than that; and access "
        "log records older than ACCESS_LOG_RETENTION_MONTHS or their group's retention period, whichever "
        "is longer (records of erasures stay, without their reason). Each group is purged on its own: "
        "one that fails is left as it was, the others are purged, and the command ends with an error "
        "naming the failed groups by id. Prints counts and ids only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show how much would be erased, and change nothing.")

    def handle(self, *args, dry_run=False, **options):
        try:
            counts = purge_expired(by=None, dry_run=dry_run)
        except PurgeIncomplete as incomplete:
            self._report(incomplete.counts, dry_run)
            # A non-zero exit, so cron or the scheduler says the run failed; the next run tries again.
            raise CommandError(f"{incomplete} They are left as they were; the next run tries them again.") from None
        self._report(counts, dry_run)

    def _report(self, counts, dry_run):
        # Counts only: this output ends up in logs and emails, so never a name or a word of content.
        verb = "Would erase" if dry_run else "Erased"
        self.stdout.write(
            f"{verb}: {counts.members} member record(s), {counts.attendance_marks} attendance mark(s) "
            f"(kept as session totals), {counts.follow_ups} follow-up(s), {counts.debriefs} debrief(s), "
            f"{counts.concerns} concern(s) and {counts.complaints} complaints-log entr(ies) of closed groups, "
            f"{counts.history_copies} history copies, {counts.access_events} access log "
            f"record(s) past their retention period."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
