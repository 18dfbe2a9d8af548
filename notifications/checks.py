from django.conf import settings
from django.core import checks


@checks.register(deploy=True)
def email_settings_are_set(app_configs, **kwargs):
    """Links in emails need the address people reach the site at (production serves HTTPS only),
    and mail servers refuse mail from an address at "localhost"."""
    problems = []
    if not settings.SITE_URL.startswith("https://"):
        problems.append(
            checks.Error(
                "SITE_URL must be the https:// address people reach the site at, for the links in emails.",
                hint="Set SITE_URL, e.g. SITE_URL=https://groups.example.org (see .env.example).",
                id="notifications.E001",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.rstrip(">").endswith("@localhost"):
        problems.append(
            checks.Warning(
                "DEFAULT_FROM_EMAIL is an address at localhost, which mail servers refuse.",
                hint="Set DEFAULT_FROM_EMAIL, e.g. DEFAULT_FROM_EMAIL=Group planner <groups@example.org>.",
                id="notifications.W001",
            )
        )
    return problems
