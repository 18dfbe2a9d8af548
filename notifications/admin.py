from django.contrib import admin

from .models import EmailPreference, SentNotification


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "reminders", "changed_how", "updated_at"]
    list_filter = ["reminders"]
    search_fields = ["user__username"]

    # People choose for themselves (Email settings, or an unsubscribe link); the admin only looks.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SentNotification)
class SentNotificationAdmin(admin.ModelAdmin):
    """The sent-log: which alert or reminder went to whom about what (ids and dates only), so an
    administrator can see that a reminder was decided, and how it went (the email itself is under
    "Task results")."""

    list_display = ["kind", "recipient", "subject_id", "occasion", "delivery", "created_at"]
    list_filter = ["kind", "delivery"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
