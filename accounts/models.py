from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from groups_site.validators import validate_single_line


class User(AbstractUser):
    """A person who plans, runs or supervises groups.

    A custom model from the first migration, as Django advises, so that fields can be
    added later without a painful switch. What a person may do is decided per group by
    their roles (see groups.models.GroupRole), not here.
    """

    # Django's own fields, refusing line breaks and invisible characters like every other name.
    first_name = models.CharField("first name", max_length=150, blank=True, validators=[validate_single_line])
    last_name = models.CharField("last name", max_length=150, blank=True, validators=[validate_single_line])

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username


class PasswordResetEmail(models.Model):
    """A password reset email that was sent: who to, and when, to limit how many go out.

    The address is kept only as a keyed hash (it is compared, never read), and rows older than a
    day are deleted as new ones are written: they exist only for the rate limit.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_reset_emails")
    address_key = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["address_key", "sent_at"], name="reset_email_address_sent"),
            models.Index(fields=["user", "sent_at"], name="reset_email_user_sent"),
        ]

    def __str__(self):
        return f"Password reset email to user {self.user_id} at {self.sent_at:%Y-%m-%d %H:%M}"
