from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils.safestring import mark_safe

from .models import (
    Aim,
    ChecklistAnswer,
    ExitStrategy,
    FacilitatorSupportPlan,
    GroupRole,
    Risk,
    RiskAssessment,
    Rule,
    SupportGroup,
)

NO_SELF_HARM_DETAILS = "Write about feelings and arrangements only: never details of anyone's self-harm."


def template_form_helper(*layout) -> FormHelper:
    """Crispy helper for forms whose <form> tag and buttons live in the template (every form in
    this project)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the template's <form> has the token
    if layout:
        helper.layout = Layout(*layout)
    return helper


class OpenedVersionMixin(forms.Form):
    """A plan document's form carries, hidden, the version of the document the editor opened, so
    that groups.services.save_plan_document can tell whether someone else saved it since."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 0: the document did not exist yet when the page was opened.
        self.fields["opened_version"].initial = self.instance.version if self.instance.pk else 0


class SupportGroupForm(OpenedVersionMixin, forms.ModelForm):
    class Meta:
        model = SupportGroup
        fields = [
            "name",
            "purpose",
            "why_group_work",
            "audience",
            "minimum_age",
            "maximum_age",
            "gender_eligibility",
            "eligibility_notes",
            "maximum_size",
            "when_full",
            "referral_route",
            "leadership",
            "leadership_support",
            "format",
            "online_opening_hours",
            "venue",
            "room_notes",
            "meeting_frequency",
            "meeting_weekday",
            "meeting_start",
            "meeting_end",
            "allows_contact_between_sessions",
            "member_names",
            "retention_months",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "why_group_work": forms.Textarea(attrs={"rows": 3}),
            "leadership_support": forms.Textarea(attrs={"rows": 3}),
            "room_notes": forms.Textarea(attrs={"rows": 3}),
            "meeting_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "meeting_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper(
            Fieldset("Purpose", "name", "purpose", "why_group_work"),
            Fieldset(
                "Who the group is for",
                "audience",
                "minimum_age",
                "maximum_age",
                "gender_eligibility",
                "eligibility_notes",
                "maximum_size",
                "when_full",
                "referral_route",
            ),
            Fieldset("Leadership", "leadership", "leadership_support"),
            Fieldset(
                "Where and when",
                "format",
                "online_opening_hours",
                "venue",
                "room_notes",
                "meeting_frequency",
                "meeting_weekday",
                "meeting_start",
                "meeting_end",
            ),
            Fieldset("Contact and records", "allows_contact_between_sessions", "member_names", "retention_months"),
            "opened_version",
        )


class AimForm(forms.ModelForm):
    class Meta:
        model = Aim
        fields = ["text", "progress_charting"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["text", "how_shared", "how_upheld"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class ChecklistAnswerForm(OpenedVersionMixin, forms.ModelForm):
    """One checklist question's answer. A safety question (ChecklistItem.safety_critical) is not
    offered "not applicable"; the page says why. Writing an answer is enough to start a question
    (ChecklistAnswer.clean). The hidden version lets save_checklist_section tell whether someone
    else saved the answer since the page was opened."""

    class Meta:
        model = ChecklistAnswer
        fields = ["answer", "status", "not_applicable_reason"]
        widgets = {
            "answer": forms.Textarea(attrs={"rows": 4}),
            "status": forms.RadioSelect,
        }
        labels = {"not_applicable_reason": "If not applicable, why not?"}

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, prefix=item.key, **kwargs)
        self.item = item
        self.fields["answer"].label = "Your answer"
        self.fields["answer"].help_text = f"{item.help_text} {NO_SELF_HARM_DETAILS}".strip()
        self.fields["status"].label = "Status"
        # What the page showed, sent back hidden, so that only what this person changed counts as
        # changed: a question they left alone is not saved over someone else's newer answer.
        for field in self.fields.values():
            field.show_hidden_initial = not isinstance(field.widget, forms.HiddenInput)
        if not item.may_be_not_applicable:
            self.fields["status"].choices = [
                choice for choice in self.fields["status"].choices if choice[0] != ChecklistAnswer.Status.NOT_APPLICABLE
            ]
            del self.fields["not_applicable_reason"]
        self.helper = template_form_helper()

    def has_changed(self) -> bool:
        """Whether the person changed the answer: the version the page was opened at is not a change."""
        return any(name != "opened_version" for name in self.changed_data)

    def hidden_initials(self) -> str:
        """The hidden copies of what the page showed (crispy does not render them); each is escaped
        by its widget."""
        return mark_safe(
            "".join(bound.as_hidden(only_initial=True) for bound in self if bound.field.show_hidden_initial)
        )


class RiskAssessmentForm(OpenedVersionMixin, forms.ModelForm):
    class Meta:
        model = RiskAssessment
        fields = ["review_date"]
        widgets = {"review_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class RiskForm(forms.ModelForm):
    """One risk. A starting risk (from the guidance) keeps its title and cannot be deleted: the
    service refuses either, and the form does not offer them."""

    RATINGS = [("", "Not rated")] + [(n, str(n)) for n in range(1, 6)]

    likelihood = forms.TypedChoiceField(
        choices=RATINGS, coerce=int, empty_value=None, required=False, help_text="1 = very unlikely, 5 = almost certain"
    )
    impact = forms.TypedChoiceField(
        choices=RATINGS, coerce=int, empty_value=None, required=False, help_text="1 = minor, 5 = severe"
    )

    class Meta:
        model = Risk
        fields = ["title", "likelihood", "impact", "mitigation", "owner"]
        widgets = {"mitigation": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.is_starting_risk:
            # Its words are the guidance's: shown on the page, never sent back.
            del self.fields["title"]


# At most 100 risks per save: a tampered form count could otherwise make the server build and
# render thousands of empty forms (Django's own ceiling is 2,000, some 20 seconds of work).
class RiskBaseFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A starting risk is never deleted (groups.services._save_risks refuses it too).
        if form.instance.is_starting_risk:
            del form.fields["DELETE"]


RiskFormSet = forms.inlineformset_factory(
    RiskAssessment,
    Risk,
    form=RiskForm,
    formset=RiskBaseFormSet,
    extra=1,
    can_delete=True,
    min_num=0,
    max_num=100,
    absolute_max=100,
    validate_max=True,
)


class ExitStrategyForm(OpenedVersionMixin, forms.ModelForm):
    class Meta:
        model = ExitStrategy
        fields = list(ExitStrategy.PARTS)
        widgets = {part: forms.Textarea(attrs={"rows": 4}) for part in ExitStrategy.PARTS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class FacilitatorSupportPlanForm(OpenedVersionMixin, forms.ModelForm):
    class Meta:
        model = FacilitatorSupportPlan
        fields = list(FacilitatorSupportPlan.PARTS)
        widgets = {
            part: forms.Textarea(attrs={"rows": 4})
            for part in FacilitatorSupportPlan.PARTS
            if part != "supervision_frequency"
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class TeamMemberForm(forms.Form):
    """Who to add, and as what. Whether they may be (nobody twice in a role, one supervisor) is
    groups.services.add_team_role's to say."""

    person = forms.CharField(
        label="Username or email address",
        max_length=254,
        help_text="The person needs an account already; ask your administrator to create one.",
    )
    role = forms.ChoiceField(choices=GroupRole.Role.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()

    def clean_person(self):
        value = self.cleaned_data["person"].strip()
        User = get_user_model()
        active = User.objects.filter(is_active=True)
        matches = list(active.filter(username__iexact=value)[:1]) or list(active.filter(email__iexact=value)[:2])
        if not matches:
            raise forms.ValidationError("No active account has that username or email address.")
        if len(matches) > 1:
            # Emails are not unique: never guess who is meant when adding someone to a confidential group.
            raise forms.ValidationError("More than one account uses that email address. Enter the username instead.")
        return matches[0]


class LaunchForm(forms.Form):
    """The launch (or resume) button, with the box that says the coordinator has read the plan's
    warnings (planning.launch_warnings), needed only when there are some."""

    acknowledged_warnings = forms.BooleanField(
        label="I have read these warnings and want to launch the group as it is planned",
        required=False,
    )

    def __init__(self, *args, has_warnings: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acknowledged_warnings"].required = has_warnings
        self.fields["acknowledged_warnings"].error_messages["required"] = (
            "Tick to say you have read the warnings, or change what they are about first."
        )
        if not has_warnings:
            del self.fields["acknowledged_warnings"]
        self.helper = template_form_helper()


class CloseGroupForm(forms.Form):
    """Closing a group for good: the aftercare every member still attending is offered, and the
    group's name typed to confirm (groups.closing.close_group checks both again)."""

    aftercare = forms.CharField(
        label="What every member is offered now the group is closing",
        max_length=1_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Taken from the exit strategy: change it if the offer is different now. It is recorded with "
        f"each member as they leave. {NO_SELF_HARM_DETAILS}",
    )
    typed_name = forms.CharField(label="Type the group's name to confirm", max_length=120)

    def __init__(self, *args, needs_aftercare: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_aftercare:
            del self.fields["aftercare"]
        self.helper = template_form_helper()
