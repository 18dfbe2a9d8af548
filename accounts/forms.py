from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator

from .passwords import request_password_reset


class SignInForm(auth_forms.AuthenticationForm):
    """Django's sign-in form, refusing a username longer than any account's.

    Django's form sets the field's max_length without a validator, so an over-long username
    reaches authenticate(), where django-axes would fail to record the attempt (its column holds
    255 characters) and the page would fail instead of saying what is wrong.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form; the email goes through the task queue, at most a few an hour (see
    accounts.passwords), instead of being sent during the request."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Your email address"
        self.fields["email"].help_text = "The address your organisation has for your account."

    def save(self, *, request=None, **kwargs):
        by = request.user if request is not None and request.user.is_authenticated else None
        request_password_reset(email=self.cleaned_data["email"], by=by)
