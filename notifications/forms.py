from django import forms

from groups.forms import template_form_helper

from .models import EmailPreference


class EmailSettingsForm(forms.Form):
    reminders = forms.ChoiceField(
        label="How would you like your reminders?",
        choices=EmailPreference.ReminderDelivery.choices,
        widget=forms.RadioSelect,
        help_text="Reminders are about things that are due: a session to record, a follow-up, a debrief "
        "to review, a risk assessment to look at again. One email a day comes soon after 7 in the morning. "
        "Your dashboard always shows them too, under \u201cWhat needs you\u201d.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()
