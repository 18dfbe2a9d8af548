"""The 403 page, and the refusals whose own words it may show.

A PermissionDenied can come from anywhere (Django, a library, our own code) with any text, so
the page never shows its message: it says what is usually the case. A `Refusal` is one whose
message was written for the person refused, in our plain words, saying who can help; the page
shows that instead.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token


class Refusal(PermissionDenied):
    """Permission denied, with a message for the person (who decides, and whom to ask)."""


@requires_csrf_token
def permission_denied(request, exception):
    # As Django's own 403 view, but with the reason only when it was written to be shown.
    reason = str(exception) if isinstance(exception, Refusal) else ""
    return HttpResponseForbidden(render_to_string("403.html", {"reason": reason}, request=request))
