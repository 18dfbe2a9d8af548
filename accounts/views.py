"""Signing in with a password and a one-time code, and setting the code up.

These are django-two-factor-auth's views with our words on their fields and our name in
authenticator apps. The wizard keeps the package's class name, because django-formtools
prefixes the wizard's fields with it (`login_view-current_step`).
"""

from django import forms
from django_otp.forms import OTPAuthenticationFormMixin
from two_factor import views as two_factor_views
from two_factor.forms import AuthenticationTokenForm, BackupTokenForm
from two_factor.utils import get_otpauth_url, totp_digits

from .forms import SignInForm

# What authenticator apps list the account under, whatever host name the site is reached at.
ISSUER = "Group planner"

CODE_LABEL = "Code from your authenticator app"
CODE_HELP = "The 6-digit number the app shows for Group planner. It changes every 30 seconds."
WRONG_CODE = "That code is not right. Codes change every 30 seconds: enter the one your app shows now."
RECOVERY_CODE_LABEL = "Recovery code"
WRONG_RECOVERY_CODE = "That recovery code is not right, or it has been used already. Each code works once."


class LoginView(two_factor_views.LoginView):
    form_list = (
        (two_factor_views.LoginView.AUTH_STEP, SignInForm),
        (two_factor_views.LoginView.TOKEN_STEP, AuthenticationTokenForm),
        (two_factor_views.LoginView.BACKUP_STEP, BackupTokenForm),
    )

    def get_form(self, step=None, **kwargs):
        form = super().get_form(step=step, **kwargs)
        step = step or self.steps.current
        if step == self.TOKEN_STEP:
            _reword_code_field(form, label=CODE_LABEL, help_text=CODE_HELP, wrong=WRONG_CODE)
            form.fields["otp_token"].widget.attrs["inputmode"] = "numeric"
        elif step == self.BACKUP_STEP:
            _reword_code_field(form, label=RECOVERY_CODE_LABEL, help_text="", wrong=WRONG_RECOVERY_CODE)
        return form


class SetupView(two_factor_views.SetupView):
    def get_form(self, step=None, **kwargs):
        form = super().get_form(step=step, **kwargs)
        if "token" in form.fields:
            # A plain text box (not a number spinner) that phones fill from the authenticator app.
            form.fields["token"].widget = forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
            )
            form.fields["token"].label = CODE_LABEL
            form.fields["token"].help_text = "The 6-digit number the app shows after you add the account."
            form.error_messages = {**form.error_messages, "invalid_token": WRONG_CODE}
        return form

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form, **kwargs)
        if "secret_key" in context:
            key = context["secret_key"]
            # In fours, as authenticator apps show keys, to make typing it in easier.
            context["secret_key_in_fours"] = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
            context["issuer"] = ISSUER
            context["otpauth_url"] = get_otpauth_url(
                self.request.user.get_username(), context["secret_key"], ISSUER, totp_digits()
            )
        return context


class QRGeneratorView(two_factor_views.QRGeneratorView):
    def get_issuer(self):
        return ISSUER


def _reword_code_field(form, *, label, help_text, wrong):
    field = form.fields["otp_token"]
    field.label = label
    field.help_text = help_text
    form.otp_error_messages = {**OTPAuthenticationFormMixin.otp_error_messages, "invalid_token": wrong}
