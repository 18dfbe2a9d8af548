from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .forms import EmailSettingsForm
from .models import EmailPreference
from .services import set_reminder_delivery
from .unsubscribe import InvalidLink, read_unsubscribe_token


@require_http_methods(["GET", "POST"])
def email_settings(request):
    """What the signed-in person gets by email, and how they want their reminders."""
    preference = EmailPreference.for_user(request.user)
    form = EmailSettingsForm(request.POST or None, initial={"reminders": preference.reminders})
    if request.method == "POST" and form.is_valid():
        set_reminder_delivery(
            user=request.user, reminders=form.cleaned_data["reminders"], by=request.user, reason="Email settings"
        )
        messages.success(request, "Your email settings are saved.")
        return redirect("notifications:settings")
    return render(request, "notifications/email_settings.html", {"form": form, "has_email": bool(request.user.email)})


@login_not_required
# A mail program's one-click unsubscribe (RFC 8058) POSTs here with no CSRF token; the signed
# token in the address is what proves the request came from the person's own email.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks; only POST changes anything (mail scanners open links)."""
    try:
        user_id, topic = read_unsubscribe_token(token)
        user = get_user_model().objects.get(pk=user_id, is_active=True)
    except (InvalidLink, get_user_model().DoesNotExist):
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        set_reminder_delivery(
            user=user,
            reminders=EmailPreference.ReminderDelivery.NONE,
            by=None,
            reason="Unsubscribed with the link in an email",
        )
        return render(request, "notifications/unsubscribe_done.html")
    return render(request, "notifications/unsubscribe_confirm.html")
