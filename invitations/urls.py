from django.urls import path

from . import views

app_name = "invitations"

urlpatterns = [
    # Opened from the email, by someone with no account yet: the token is the proof.
    path("invitations/<str:token>/", views.accept, name="accept"),
    path("groups/<int:pk>/team/invitations/<int:invitation_pk>/resend/", views.resend, name="resend"),
    path("groups/<int:pk>/team/invitations/<int:invitation_pk>/withdraw/", views.withdraw, name="withdraw"),
]
