import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils.safestring import mark_safe

from groups_site.validators import validate_single_line

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

# The id of the <datalist> of people the team page suggests as a coordinator types a name.
PEOPLE_LIST_ID = "people-with-accounts"

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
            "holds_contact_details",
            "member_names",
            "retention_months",
            "aims_review_months",
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
        _default_when_empty(self, "aims_review_months")
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
            Fieldset(
                "Contact and records",
                "allows_contact_between_sessions",
                "holds_contact_details",
                "member_names",
                "retention_months",
            ),
            Fieldset("After launch", "aims_review_months"),
            "opened_version",
        )


def _default_when_empty(form, name) -> None:
    """A number with a sensible default may be left empty: it then keeps the model's default."""
    field = form.fields[name]
    default = form._meta.model._meta.get_field(name).default
    field.required = False
    field.help_text = f"{field.help_text} Left empty: {default}."

    def clean():
        value = form.cleaned_data.get(name)
        return default if value is None else value

    setattr(form, f"clean_{name}", clean)


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
        # A section has several questions with the same fields: the error summary names which.
        self.error_summary_name = item.prompt
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

    def __init__(self, *args, error_summary_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.error_summary_name = error_summary_name
        if self.instance.is_starting_risk:
            # Its words are the guidance's: shown on the page, never sent back.
            del self.fields["title"]


# At most 100 risks per save: a tampered form count could otherwise make the server build and
# render thousands of empty forms (Django's own ceiling is 2,000, some 20 seconds of work).
class BaseRiskFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        # Each risk's errors are listed in the error summary under its legend on the page.
        existing = index is not None and index < self.initial_form_count()
        name = f"Risk {index + 1}" if existing else "Add a risk"
        return {**super().get_form_kwargs(index), "error_summary_name": name}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A starting risk is never deleted (groups.services._save_risks refuses it too).
        if form.instance.is_starting_risk:
            del form.fields["DELETE"]


RiskFormSet = forms.inlineformset_factory(
    RiskAssessment,
    Risk,
    form=RiskForm,
    formset=BaseRiskFormSet,
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
        fields = [*ExitStrategy.PARTS, "check_in_after_weeks"]
        widgets = {part: forms.Textarea(attrs={"rows": 4}) for part in ExitStrategy.PARTS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _default_when_empty(self, "check_in_after_weeks")
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
    """Who to add, and as what: someone with an account, found by name (the page suggests the
    organisation's active accounts as the coordinator types), or someone new, invited by email.
    Whether they may take the role is groups.services.team_role_refusal's to say."""

    # What the suggestions offer: a person's name with their username, which tells apart two
    # people of the same name ("Dana Smith (dsmith)").
    PICKED = re.compile(r"(?P<name>.*) \((?P<username>[^()]+)\)")

    person = forms.CharField(
        label="Name",
        max_length=320,
        validators=[validate_single_line],
        help_text="Start typing to choose someone who already has an account. For someone new, type their "
        "full name and give their email address.",
    )
    email = forms.EmailField(
        label="Email address, for someone new",
        required=False,
        help_text="We email them a link to make their account and join the team. It works once, for 7 days.",
    )
    role = forms.ChoiceField(choices=GroupRole.Role.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.attrs.update({"list": PEOPLE_LIST_ID, "autocomplete": "off"})
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.helper = template_form_helper()

    @staticmethod
    def suggestion(user) -> str:
        """How an account is offered, and recognised when chosen."""
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("person")
        if not text:
            return cleaned
        cleaned["account"] = self._account_named(text.strip(), cleaned.get("email"))
        if cleaned["account"] is None and not cleaned.get("email") and "email" not in self.errors:
            self.add_error(
                "email",
                "Nobody with an account has that name. To invite someone new, give their email address; "
                "to add someone who has an account, choose them from the suggestions.",
            )
        return cleaned

    def _account_named(self, text: str, email: str | None):
        """The active account chosen from the suggestions, or typed by username or address;
        without an email address for someone new, also the one account with that full name.
        None for someone new."""
        active = get_user_model().objects.filter(is_active=True)
        picked = self.PICKED.fullmatch(text)
        if picked and (account := active.filter(username=picked["username"]).first()):
            return account
        if account := active.filter(username__iexact=text).first():
            return account
        if "@" in text:
            by_address = list(active.filter(email__iexact=text)[:2])
            if len(by_address) > 1:
                # Addresses are not unique: never guess who is meant when adding someone to a
                # confidential group.
                raise forms.ValidationError(
                    {"person": "More than one account uses that email address. Choose one from the suggestions."}
                )
            if by_address:
                return by_address[0]
        if email:
            return None
        named = list(
            active.annotate(full_name=Concat("first_name", Value(" "), "last_name")).filter(full_name__iexact=text)[:2]
        )
        if len(named) > 1:
            # Never guess who is meant when adding someone to a confidential group.
            raise forms.ValidationError(
                {"person": "More than one account has that name. Choose one from the suggestions: they show usernames."}
            )
        return named[0] if named else None


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
