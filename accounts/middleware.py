"""Rules about a signed-in session: how long it lasts, and that it has passed a one-time code."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from two_factor.utils import default_device

SIGNED_IN_AT = "accounts:signed_in_at"
LAST_ACTIVE_AT = "accounts:last_active_at"
# Recording activity at most once a minute spares most requests a session write; it makes the
# idle limit up to a minute shorter, never longer.
ACTIVITY_RESOLUTION = 60


def now():
    """Seconds since the epoch; a function of its own so tests can move the clock."""
    return time.time()


def start_session_clock(sender, request, user, **kwargs):
    """On every sign-in (a `user_logged_in` receiver), both limits start again from now."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[LAST_ACTIVE_AT] = now()


class SessionTimeoutMiddleware:
    """Sign people out after SESSION_IDLE_TIMEOUT seconds without a request, or
    SESSION_MAX_LIFETIME seconds after they signed in, whichever comes first.

    A phone left unlocked after a meeting, or a shared office computer, should not keep someone's
    access to members' records open.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired_message = self._check_clock(request.session)
            if expired_message:
                logout(request)
                messages.info(request, expired_message)
                # Someone opening the sign-in page needs no detour back to it.
                if request.path_info != reverse("login"):
                    return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _check_clock(session):
        """Return why the session has ended, or record the activity and return None."""
        current = now()
        # Sessions from before this middleware existed start their clocks now.
        signed_in_at = session.setdefault(SIGNED_IN_AT, current)
        last_active_at = session.setdefault(LAST_ACTIVE_AT, current)
        if current - signed_in_at > settings.SESSION_MAX_LIFETIME:
            return (
                f"You were signed out after {_duration(settings.SESSION_MAX_LIFETIME)}, the longest a "
                "session lasts. Please sign in again."
            )
        if current - last_active_at > settings.SESSION_IDLE_TIMEOUT:
            return (
                f"You were signed out after {_duration(settings.SESSION_IDLE_TIMEOUT)} without activity. "
                "Please sign in again."
            )
        if current - last_active_at >= ACTIVITY_RESOLUTION:
            session[LAST_ACTIVE_AT] = current
        return None


class TwoFactorRequiredMiddleware:
    """With OTP_REQUIRED on, a signed-in person who has not given a one-time code in this session
    sees only the pages that let them set one up or give one (and can still sign out).

    Someone with no authenticator yet goes to set one up; someone with one goes to the sign-in
    page to enter its code. Runs as a view middleware, like Django's LoginRequiredMiddleware, so
    it can tell the two-factor pages by their URL names.
    """

    # Pages outside the "two_factor" namespace that an unverified person may still open.
    allowed_url_names = {"login", "logout", "admin:login", "admin:logout"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.OTP_REQUIRED or not request.user.is_authenticated or request.user.is_verified():
            return None
        if self._always_allowed(request):
            return None
        if default_device(request.user) is None:
            return redirect("two_factor:setup")
        messages.info(request, "Sign in with your password and a code from your authenticator app to carry on.")
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('login')}?{query}")

    def _always_allowed(self, request):
        match = request.resolver_match
        return (
            # whitenoise (or runserver) serves static files before any view middleware; this keeps
            # stylesheets reachable if that ever changes.
            request.path_info.startswith(settings.STATIC_URL)
            or match.namespace == "two_factor"
            or match.view_name in self.allowed_url_names
        )


def _duration(seconds):
    hours, minutes = divmod(seconds // 60, 60)
    if hours and not minutes:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{seconds // 60} minutes"
