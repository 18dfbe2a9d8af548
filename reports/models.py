import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from groups.models import SupportGroup


def new_feed_token() -> str:
    """32 random bytes, URL-safe: the only thing that stands between the feed and the world."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A facilitator's secret calendar address for one group's upcoming sessions.

    The address works without signing in (calendar apps cannot sign in), so the token is the
    secret. Revoking deletes the row; renewing gives it a new token, so the old address stops
    working at once.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="one_calendar_feed_per_person_and_group")]

    def __str__(self):
        return f"Calendar feed of {self.group} for {self.user}"

    def get_absolute_url(self):
        return reverse("reports:calendar_feed", kwargs={"token": self.token})
