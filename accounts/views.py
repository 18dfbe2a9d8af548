"""Signing in with a password and a one-time code, and setting the code up.

These are django-two-factor-auth's views with our words on their fields and our name in
authenticator apps. The wizard keeps the package's class name, because django-formtools
prefixes the wizard's fields with it (`login_view-current_step`).
"""

from axes.utils import reset as lift_lockout
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django_otp.forms import OTPAuthenticationFormMixin
from two_factor import views as two_factor_views
from two_factor.forms import AuthenticationTokenForm, BackupTokenForm
from two_factor.utils import get_otpauth_url, totp_digits

from .forms import PasswordResetForm, SignInForm
from .passwords import reset_link_lifetime

# What authenticator apps list the account under, whatever host name the site is reached at.
ISSUER = "Group planner"

CODE_LABEL = "Code from your authenticator app"
CODE_HELP = "The 6-digit number the app shows for Group planner. It changes every 30 seconds."
WRONG_CODE = "That code is not right. Codes change every 30 seconds: enter the one your app shows now."
RECOVERY_CODE_LABEL = "Recovery code"
WRONG_RECOVERY_CODE = "That recovery code is not right, or it has been used already. Each code works once."
# ?with=recovery-code on the sign-in page: after the password, ask for a recovery code instead of
# a code from the app (the link under "Lost your phone?").
WITH_RECOVERY_CODE = "recovery-code"


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

    @property
    def wants_recovery_code(self) -> bool:
        return self.request.GET.get("with") == WITH_RECOVERY_CODE

    def render_next_step(self, form, **kwargs):
        if self.steps.current == self.AUTH_STEP and self.wants_recovery_code and self.has_backup_step():
            return self.render_goto_step(self.BACKUP_STEP)
        return super().render_next_step(form, **kwargs)

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form, **kwargs)
        context["with_recovery_code"] = self.wants_recovery_code
        context["recovery_code_query"] = f"with={WITH_RECOVERY_CODE}"
        return context


class LogoutView(auth_views.LogoutView):
    """Django's sign-out (POST only), saying that it happened on the sign-in page it leads to."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


class ResetLinkFactsMixin:
    """How long a reset link lasts and how many are sent, said on every page of a reset."""

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "valid_for": reset_link_lifetime(),
            "limit": settings.PASSWORD_RESET_LIMIT,
        }


class PasswordResetView(ResetLinkFactsMixin, auth_views.PasswordResetView):
    """Django's view and tokens; the email is queued (accounts.passwords), and the page after it
    says the same whether or not the address has an account, or the limit was reached."""

    form_class = PasswordResetForm


class PasswordResetDoneView(ResetLinkFactsMixin, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(ResetLinkFactsMixin, auth_views.PasswordResetConfirmView):
    """Django's view: the link works once (the token hashes the password it replaces) and for
    PASSWORD_RESET_TIMEOUT. It does not sign the person in, so two-factor is asked as always; every
    session on the old password ends, as its stored password hash no longer matches."""

    def form_valid(self, form):
        response = super().form_valid(form)
        # Wrong guesses at the old password need not keep its owner out once they have a new one.
        lift_lockout(username=form.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view: this browser stays signed in (update_session_auth_hash), and every other
    session of the account ends, as its stored password hash no longer matches."""

    success_url = reverse_lazy("two_factor:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            "Your password is changed. You are still signed in here; anywhere else you were signed in, "
            "you will need the new password.",
        )
        return response


class SetupView(two_factor_views.SetupView):
    def done(self, form_list, **kwargs):
        response = super().done(form_list, **kwargs)
        if self.get_redirect_url():
            # Sent on somewhere (a group, after accepting an invitation) rather than to the page
            # that offers recovery codes: say where they are.
            messages.success(
                self.request,
                "Two-factor sign-in is on. In case you lose your phone, get recovery codes from "
                "Account security, in the menu, and keep them somewhere safe.",
            )
        return response

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
