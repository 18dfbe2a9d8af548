from django.contrib import admin

from .models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "role", "invited_by", "sent_at", "expires_at", "accepted_at", "withdrawn_at"]
    list_filter = ["role"]
    search_fields = ["name", "email", "group__name"]
    readonly_fields = ["token_hash"]

    # Coordinators send, resend and withdraw invitations on the team page, through the services
    # that check who may; the admin only looks.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
