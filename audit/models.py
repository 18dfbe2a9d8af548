from django.conf import settings
from django.db import models


class AccessEvent(models.Model):
    """A record that someone opened or took away sensitive records: never what they contained.

    Changes to records are kept by django-simple-history on each model; this table records
    reads and exports, which change nothing and so leave no history of their own.
    """

    class Action(models.TextChoices):
        VIEWED_DEBRIEF = "viewed_debrief", "Opened a debrief"
        VIEWED_MEMBER = "viewed_member", "Opened a member's record"
        EXPORTED_MEMBER = "exported_member", "Exported everything held about a member"
        ERASED_MEMBER = "erased_member", "Erased a member on request"
        EXPORTED_REPORT = "exported_report", "Exported a report"
        VIEWED_HISTORY = "viewed_history", "Opened a group's change history"
        VIEWED_CONCERN = "viewed_concern", "Opened a concern about a member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="access_events"
    )
    action = models.CharField(max_length=30, choices=Action)
    group = models.ForeignKey(
        "groups.SupportGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="access_events"
    )
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Facts only (a reason for an erasure, a file format): never any of the record's content.
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["group", "-at"], name="access_group_at")]

    def __str__(self):
        return f"{self.user} {self.get_action_display().lower()} at {self.at:%Y-%m-%d %H:%M}"
