"""Concerns and the complaints log are kept as long as the group's other records (LS-Q20): once a
group has been closed for longer than its retention period, the daily purge
(sessions_log.erasure.purge_expired) erases them with every history copy. While the group runs
they stay, with their member unlinked if that member's records are erased (Concern.member)."""

from .models import Complaint, Concern


def erase_records_of_group(group) -> tuple[int, int, int]:
    """Erase the group's concerns and complaints-log entries, and their history copies. Inside the
    caller's transaction. Returns how many concerns, entries and history copies went."""
    concerns, _ = Concern.objects.filter(group=group).delete()
    complaints, _ = Complaint.objects.filter(group=group).delete()
    # After the deletions, which write a last ("deleted") history copy of each row.
    history_copies = sum(model.history.filter(group_id=group.pk).delete()[0] for model in (Concern, Complaint))
    return concerns, complaints, history_copies
