"""Work the funder report's summary out again from the records, for every group.

The services keep the summary up to date; this is for records written some other way (a bulk
import, a fix in the database shell). It only replaces what the kept records count: what erased
members' records counted before they went stays as it is (reports.summary).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from groups.models import SupportGroup
from reports.summary import rebuild


class Command(BaseCommand):
    help = "Work the funder report's summary out again from the records, for every group."

    def handle(self, *args, **options):
        group_ids = list(SupportGroup.objects.values_list("pk", flat=True))
        with transaction.atomic():
            rebuild(group_ids)
        self.stdout.write(f"The funder report's summary was worked out again for {len(group_ids)} groups.")
