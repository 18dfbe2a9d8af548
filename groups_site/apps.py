from django.contrib.admin.apps import AdminConfig


class OrganisationAdminConfig(AdminConfig):
    """Django's admin, with our site (superusers only) as `admin.site`."""

    default_site = "groups_site.admin.OrganisationAdminSite"
