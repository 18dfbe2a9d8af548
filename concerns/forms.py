from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from groups.forms import template_form_helper
from sessions_log.models import GroupSession, Member

from .models import Complaint, Concern

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_TIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# How many of the group's latest held sessions the form offers.
RECENT_SESSIONS = 12


def _session_label(session) -> str:
    # Every session offered is this group's: its date alone tells them apart, and fits a phone.
    return f"{session.date:%-d %B %Y}"


class RecordRulesOnTop:
    """For a model form showing some of a record's fields: the record's own rules (Model.clean)
    may be about a field the form leaves out, and are then shown at the top of the form rather
    than failing."""

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            placed = {}
            for field, messages in errors.error_dict.items():
                placed.setdefault(field if field in self.fields else NON_FIELD_ERRORS, []).extend(messages)
            errors = ValidationError(placed)
        super()._update_errors(errors)


class ConcernForm(RecordRulesOnTop, forms.ModelForm):
    """Raising a concern. From a session's page the session is fixed (and the form does not ask
    where it came up); from a member's page the member is chosen already."""

    class Meta:
        model = Concern
        fields = ["kind", "member", "where", "session", "happened_on", "what_was_done", "who_was_told", "told_at"]
        widgets = {
            "kind": forms.RadioSelect,
            "where": forms.RadioSelect,
            "happened_on": DATE_INPUT,
            "what_was_done": forms.Textarea(attrs={"rows": 3}),
            "told_at": DATE_TIME_INPUT,
        }
        labels = {"kind": "What kind of concern is it?", "member": "Who is it about?"}

    def __init__(self, *args, group, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.group = group
        self.fields["kind"].choices = Concern.Kind.choices
        self.fields["where"].choices = Concern.Where.choices
        self.fields["told_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        members = self.fields["member"]
        members.queryset = Member.objects.filter(group=group).exclude(status=Member.Status.WAITING_LIST)
        members.empty_label = "Nobody in particular"
        if session is not None:
            # Raised from the session's page: it came up there, on that day.
            self.instance.session, self.instance.where = session, Concern.Where.IN_SESSION
            self.instance.happened_on = session.date
            for name in ("where", "session", "happened_on"):
                del self.fields[name]
        else:
            sessions = self.fields["session"]
            sessions.queryset = (
                GroupSession.objects.filter(group=group).held().order_by("-date", "-starts_at")[:RECENT_SESSIONS]
            )
            sessions.label_from_instance = _session_label
            sessions.empty_label = "Not in a session"
            sessions.help_text = "Only if it came up in one of the group's recent sessions."
            self.fields["happened_on"].initial = timezone.localdate()
        self.helper = template_form_helper()

    def kind_options(self):
        """Each kind's radio button with the guidance it answers to."""
        return [(radio, Concern.GUIDANCE[radio.data["value"]]) for radio in self["kind"]]


class ConcernUpdateForm(RecordRulesOnTop, forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["what_was_done", "who_was_told", "told_at"]
        widgets = {"what_was_done": forms.Textarea(attrs={"rows": 3}), "told_at": DATE_TIME_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["told_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.helper = template_form_helper()


class CloseForm(forms.Form):
    """Closing a concern or an entry of the complaints log (`model`): what came of it, and when.
    The service checks the date and the words against the record (closing_errors)."""

    closed_on = forms.DateField(label="Closed on", widget=DATE_INPUT)

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        outcome = model._meta.get_field("outcome")
        self.fields = {
            "outcome": forms.CharField(
                label="Outcome",
                max_length=outcome.max_length,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=outcome.help_text or "How it ended, in a few words.",
            ),
            **self.fields,
        }
        self.fields["closed_on"].initial = timezone.localdate()
        self.helper = template_form_helper()


class ComplaintForm(RecordRulesOnTop, forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["kind", "happened_on", "summary", "handling"]
        widgets = {
            "kind": forms.RadioSelect,
            "happened_on": DATE_INPUT,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "handling": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.group = group
        self.fields["kind"].choices = Complaint.Kind.choices
        self.fields["happened_on"].initial = timezone.localdate()
        self.helper = template_form_helper()
