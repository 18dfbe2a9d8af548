from django.contrib import admin

from groups_site.admin import ReadOnlyAdminMixin

from .models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: nobody edits or deletes the access log through the app."""

    list_display = ["at", "user", "action", "group", "object_type", "object_id", "detail"]
    list_filter = ["action", "at"]
    search_fields = ["user__username", "group__name", "detail"]
    date_hierarchy = "at"
