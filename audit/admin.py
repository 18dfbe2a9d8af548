from django.contrib import admin

from .models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """Read-only: nobody edits or deletes the access log through the app."""

    list_display = ["at", "user", "action", "group", "object_type", "object_id", "detail"]
    list_filter = ["action", "at"]
    search_fields = ["user__username", "group__name", "detail"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
