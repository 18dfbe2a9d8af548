"""Site-wide middleware that is about how responses are handled, not about any one app."""

from django.utils.cache import add_never_cache_headers


class NeverCacheForSignedInMiddleware:
    """Every page a signed-in person sees may carry someone's personal data (members' names,
    debriefs, follow-ups), so none of it may be kept by the browser or a shared cache: after
    signing out on a shared computer, the Back button must not bring a page back.

    Pages for people not signed in (the sign-in form, static files) stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
