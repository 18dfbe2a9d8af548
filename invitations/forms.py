from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model

from groups.forms import template_form_helper
from groups_site.validators import validate_single_line


class AcceptInvitationForm(auth_forms.UserCreationForm):
    """The account someone invited makes for themselves: their name as the team will see it, the
    username they sign in with (no two alike, whatever the case) and a password, checked by
    Django's validators (12 characters or more, not common, not all digits, not like their name
    or address). The address is the invitation's."""

    class Meta(auth_forms.UserCreationForm.Meta):
        model = get_user_model()
        fields = ("first_name", "last_name", "username")
        field_classes = {"username": auth_forms.UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
            self.fields[name].validators.append(validate_single_line)
        self.fields["first_name"].label = "Your first name"
        self.fields["last_name"].label = "Your last name"
        self.fields["username"].label = "Choose a username"
        self.fields["username"].help_text = "You sign in with it. Letters, digits and @ . + - _ only."
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["password1"].label = "Choose a password"
        self.fields[
            "password1"
        ].help_text = "At least 12 characters. A few words you will remember, with spaces, make a good one."
        self.fields["password2"].label = "Type the password again"
        self.fields["password2"].help_text = ""
        self.helper = template_form_helper()
