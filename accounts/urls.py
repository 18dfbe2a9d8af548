"""Signing in and out, passwords, and the two-factor pages.

django-two-factor-auth's views and templates find each other by names in the "two_factor"
namespace, so its pages are listed here under that namespace, at our addresses, rather than
including `two_factor.urls` (which would add a second sign-in page at /account/login/).
Password reset and change are Django's own views, at Django's own addresses and names (its
views and templates refer to each other by those names).
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from two_factor import views as two_factor_views

from . import views

two_factor_patterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("security/", two_factor_views.ProfileView.as_view(), name="profile"),
    path("security/set-up/", views.SetupView.as_view(), name="setup"),
    path("security/set-up/qr-code/", views.QRGeneratorView.as_view(), name="qr"),
    path("security/set-up/done/", two_factor_views.SetupCompleteView.as_view(), name="setup_complete"),
    path("security/recovery-codes/", two_factor_views.BackupTokensView.as_view(), name="backup_tokens"),
    path("security/turn-off/", two_factor_views.DisableView.as_view(), name="disable"),
]

urlpatterns = [
    # The same sign-in wizard under the plain name that LOGIN_URL and redirects use.
    path("login/", views.LoginView.as_view(), name="login"),
    # POST only (Django's LogoutView): ends the session and deletes its data.
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", include((two_factor_patterns, "two_factor"))),
]
