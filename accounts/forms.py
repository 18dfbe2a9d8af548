from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator


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
