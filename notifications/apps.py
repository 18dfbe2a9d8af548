from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self):
        # Every kind of email the app sends registers itself when its module is imported; the
        # alerts connect to the events they listen to (groups_site.events); the deploy check asks
        # for the site's public address, which every email's links need.
        from . import alerts, checks, kinds  # noqa: F401
