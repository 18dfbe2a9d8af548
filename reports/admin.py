from django.contrib import admin

from groups_site.admin import ReadOnlyAdminMixin

from .models import CalendarFeed


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Lets an administrator see who has a feed. The token is never shown, as anyone who has it
    can read the group's dates. Feeds change only through reports.services: the facilitator
    renews or revokes theirs on the group's calendar page, and a feed stops working when its
    owner no longer facilitates the group."""

    list_display = ["group", "user", "created_at"]
    list_select_related = ["group", "user"]
    fields = ["group", "user", "created_at"]
    readonly_fields = ["group", "user", "created_at"]
