"""The organisation administrator's site: Django's admin, for superusers only.

The admin is where the organisation's administrator manages people (accounts, who may plan
groups, two-factor devices, lockouts) and looks at records. Everything else changes on the app's
own pages, through the service functions that hold the rules (the launch gate, the last
coordinator, document versions, the history's reason), so the records that carry those rules are
read-only here: `ReadOnlyAdminMixin`.
"""

from django.contrib import admin


class OrganisationAdminSite(admin.AdminSite):
    def has_permission(self, request):
        # Superusers only, not every staff account: Django's per-model view permissions would let
        # a staff account read every group, team and access record of the organisation with no
        # role in any of them, beside the app's rule that only a group's team sees it.
        return request.user.is_active and request.user.is_superuser


class ReadOnlyAdminMixin:
    """For a ModelAdmin or an inline: the records can be looked at, never added, changed or
    deleted here (even by a superuser), because their changes carry rules the admin's plain
    forms would skip. They change on the app's pages, through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
