import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from groups.models import GroupRole, SupportGroup
from groups_site.validators import validate_single_line


def hash_token(token: str) -> str:
    """What is stored of an invitation link's token: its SHA-256, so that the database never holds
    a working link. The token is 256 random bits, so a plain hash is enough (no salt or slow hash:
    there is nothing to guess)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor withdrawn: waiting for the person, or expired unaccepted (a
        coordinator can still resend it)."""
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True)

    def pending(self, now=None):
        """Open and not yet expired: the link in the last email sent works."""
        return self.open().filter(expires_at__gt=now or timezone.now())

    def for_token(self, token: str):
        """The invitation whose newest link carries this token, whatever its state."""
        return self.filter(token_hash=hash_token(token))


class Invitation(models.Model):
    """An invitation for someone with no account yet to join a group's team in a role.

    The email carries a single-use link that works for LIFETIME from when it was last sent. The
    person sets their password (and then their authenticator app), and the role is granted as
    they accept: through groups.services, so the team's rules apply then, on the authority of the
    coordinator who invited them.
    """

    LIFETIME = datetime.timedelta(days=7)
    UNKNOWN_LINK = (
        "This invitation link does not work. If you were sent more than one email, use the link in the "
        "newest; otherwise ask the coordinator who invited you to send it again."
    )

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=GroupRole.Role)
    name = models.CharField(
        "Their name", max_length=150, validators=[validate_single_line], help_text="As the coordinator typed it."
    )
    email = models.EmailField("Their email address", max_length=254)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The SHA-256 of the token in the last link sent (hash_token), made when the email is built by
    # the worker, so the token is never stored and never waits on the queue. Empty until then.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # When the last email was sent, and when its link stops working (LIFETIME later).
    sent_at = models.DateTimeField(editable=False)
    expires_at = models.DateTimeField(editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The account made when the invitation was accepted.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvitationQuerySet.as_manager()
    # The token's hash changes with every email; the history records the sends (sent_at) instead.
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            # A second invitation to the same address would leave two links to one seat.
            models.UniqueConstraint(
                Lower("email"),
                "group",
                condition=Q(accepted_at__isnull=True, withdrawn_at__isnull=True),
                name="one_open_invitation_per_address_per_group",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(withdrawn_at__isnull=True),
                name="invitation_accepted_or_withdrawn_not_both",
            ),
        ]

    def __str__(self):
        return f"Invitation to {self.name} to join {self.group}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None

    @property
    def has_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        """The link in the last email works: open and not expired."""
        return self.is_open and not self.has_expired

    def link_refusal(self, token: str | None = None) -> str | None:
        """Why the link (with `token`, when given) no longer lets anyone join, in words for the
        person who opened it; None while it does."""
        if token is not None and self.token_hash != hash_token(token):
            return self.UNKNOWN_LINK
        if self.accepted_at is not None:
            return "This invitation has been used already. Sign in with the account you made with it."
        if self.withdrawn_at is not None:
            return f"This invitation was withdrawn. If you think it should not have been, ask {self.invited_by}."
        if self.has_expired:
            return (
                f"This invitation expired on {timezone.localtime(self.expires_at):%-d %B %Y}. "
                f"Ask {self.invited_by} to send it again."
            )
        return None

    def issue_token(self) -> str:
        """A new token for the link in the email being built. Only its hash is stored, replacing
        the last one's, so only the newest email's link works and the database never holds a
        working link. The history records sends by `sent_at`, not this."""
        token = new_token()
        self.token_hash = hash_token(token)
        self.save_without_historical_record(update_fields=["token_hash"])
        return token

    @property
    def first_name_guess(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def last_name_guess(self) -> str:
        parts = self.name.split(" ", 1)
        return parts[1] if len(parts) > 1 else ""
