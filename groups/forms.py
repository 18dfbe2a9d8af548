from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth import get_user_model

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
from .permissions import people_who_may_supervise

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


class SupportGroupForm(forms.ModelForm):
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


class ChecklistAnswerForm(forms.ModelForm):
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
        self.helper = template_form_helper()


class OpenedVersionMixin(forms.Form):
    """A plan document's form carries, hidden, the version of the document the editor opened, so
    that groups.services.save_plan_document can tell whether someone else saved it since."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 0: the document did not exist yet when the page was opened.
        self.fields["opened_version"].initial = self.instance.version if self.instance.pk else 0


class RiskAssessmentForm(OpenedVersionMixin, forms.ModelForm):
    class Meta:
        model = RiskAssessment
        fields = ["review_date"]
        widgets = {"review_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class RiskForm(forms.ModelForm):
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


# At most 100 risks per save: a tampered form count could otherwise make the server build and
# render thousands of empty forms (Django's own ceiling is 2,000, some 20 seconds of work).
RiskFormSet = forms.inlineformset_factory(
    RiskAssessment,
    Risk,
    form=RiskForm,
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


class SupervisorForm(forms.Form):
    """The group's supervisor, chosen among the people the organisation allows to supervise
    (groups.permissions.people_who_may_supervise), less the group's coordinators. Whether the
    choice still stands when saved is groups.services.choose_supervisor's to say."""

    supervisor = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        empty_label="Choose a person",
        error_messages={
            "invalid_choice": "Choose one of the people listed: those allowed to supervise who do not coordinate "
            "this group."
        },
        help_text="Only people your organisation allows to supervise groups are listed, and never the group's "
        "coordinators: the supervisor looks after the facilitators and reads their debriefs, independently of "
        "the people running the group. An administrator of the organisation decides who may supervise.",
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = people_who_may_supervise(group)
        if group.supervisor is not None:
            self.fields["supervisor"].queryset = self.fields["supervisor"].queryset.exclude(pk=group.supervisor.pk)
            self.fields["supervisor"].label = "Change the supervisor to"
        self.helper = template_form_helper()

    @property
    def offers_anyone(self) -> bool:
        return self.fields["supervisor"].queryset.exists()


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
