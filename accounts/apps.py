from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session_clock

        # Both session limits (idle and absolute) count from the latest sign-in.
        user_logged_in.connect(start_session_clock, dispatch_uid="accounts.start_session_clock")
