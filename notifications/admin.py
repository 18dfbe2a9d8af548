from django.contrib import admin

from .models import EmailPreference


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
