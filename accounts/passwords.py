"""Asking for a password reset: one email per account with the address, limited so that the
form cannot be used to flood an inbox, and saying the same thing whatever happened."""

import datetime
import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from notifications.mail import send_after_commit

from .models import PasswordResetEmail, User

# Rows are needed only for the rate limit's window; a day is plenty whatever the window.
KEEP_FOR = datetime.timedelta(days=1)


def request_password_reset(*, email: str, by=None) -> int:
    """Queue a reset email to each active account with this address that signs in with a
    password, unless PASSWORD_RESET_LIMIT emails already went to the address, or for that
    account, in the last PASSWORD_RESET_LIMIT_WINDOW. The person asking is never told which
    (`by` is whoever asked: nobody, usually, as people ask while signed out). Returns how many
    emails were queued."""
    now = timezone.now()
    since = now - settings.PASSWORD_RESET_LIMIT_WINDOW
    limit = settings.PASSWORD_RESET_LIMIT
    address_key = _address_key(email)
    with transaction.atomic(durable=True):
        PasswordResetEmail.objects.filter(sent_at__lt=now - KEEP_FOR).delete()
        # Locking the accounts makes two requests for one address wait for each other, so that
        # neither slips past the limit.
        accounts = User.objects.select_for_update().filter(email__iexact=email, is_active=True).order_by("pk")
        users = [user for user in accounts if user.has_usable_password() and _same_address(user.email, email)]
        sent_to_address = PasswordResetEmail.objects.filter(address_key=address_key, sent_at__gte=since).count()
        queued = 0
        for user in users:
            if sent_to_address + queued >= limit:
                break
            if user.password_reset_emails.filter(sent_at__gte=since).count() >= limit:
                continue
            PasswordResetEmail.objects.create(user=user, address_key=address_key, sent_at=now)
            send_after_commit("password_reset", to=user)
            queued += 1
    return queued


def reset_link_lifetime() -> str:
    """How long a reset link works, in words ("1 hour")."""
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    hours, rest = divmod(minutes, 60)
    if hours and not rest:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


def _normal(email: str) -> str:
    return unicodedata.normalize("NFKC", email).casefold()


def _same_address(one: str, other: str) -> bool:
    """As Django's PasswordResetForm compares them: iexact in the database is not enough for
    every alphabet."""
    return _normal(one) == _normal(other)


def _address_key(email: str) -> str:
    return salted_hmac("accounts.password_reset.address", _normal(email), algorithm="sha256").hexdigest()
