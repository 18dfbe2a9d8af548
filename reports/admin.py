from django.contrib import admin

from .models import CalendarFeed


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Lets an administrator see who has a feed and revoke one (by deleting it); the token is
    never shown, as anyone who has it can read the group's dates."""

    list_display = ["group", "user", "created_at"]
    list_select_related = ["group", "user"]
    fields = ["group", "user", "created_at"]
    readonly_fields = ["group", "user", "created_at"]

    def has_add_permission(self, request):
        return False
