from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def site_url_is_set(app_configs, **kwargs):
    """Links in emails need the address people reach the site at; production serves HTTPS only."""
    if not settings.SITE_URL.startswith("https://"):
        return [
            Error(
                "SITE_URL must be the https:// address people reach the site at, for the links in emails.",
                hint="Set SITE_URL, e.g. SITE_URL=https://groups.example.org (see .env.example).",
                id="notifications.E001",
            )
        ]
    return []
