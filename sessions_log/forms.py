from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html

from groups.checklist import SECTIONS
from groups.forms import template_form_helper

from .models import (
    AbsencePolicy,
    Attendance,
    Debrief,
    DebriefNote,
    DebriefReview,
    FollowUp,
    GroupSession,
    Lesson,
    Member,
    Signposting,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MemberForm(forms.ModelForm):
    """Shape of a member's record. The group's naming policy and contact rule are checked by
    Member.clean(), so the form shows them beside the right field. Editing a record, the form
    carries (hidden) the version of it the editor opened, for services.update_member."""

    # Not required: a page opened before versions were kept saves as it always did.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Member
        fields = list(Member.DETAIL_FIELDS)
        widgets = {"joined_on": DATE_INPUT, "contact_consent_on": DATE_INPUT}

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.group = group
        self.fields["display_name"].help_text = f"This group records {group.get_member_names_display().lower()}."
        # Offered where the group's plan holds contact details; and, whatever the plan says now,
        # for a member with a detail still held, so it can be seen and cleared, never a dead end.
        self.shows_contact = group.holds_contact_details or any(
            getattr(self.instance, field) for field in Member.CONTACT_FIELDS
        )
        if self.shows_contact:
            self.fields[
                "contact_consent_on"
            ].help_text = "Ask before keeping a way to reach them, and say here when they agreed and how."
        else:
            for field in Member.CONTACT_FIELDS:
                del self.fields[field]
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version
        else:
            del self.fields["opened_version"]
        self.helper = template_form_helper()

    def opened_afresh(self, version: int) -> None:
        """After a refusal: saving again saves on top of `version`, the one now shown beside it."""
        self.data = self.data.copy()
        self.data["opened_version"] = version


class SignpostingForm(forms.ModelForm):
    class Meta:
        model = Signposting
        fields = ["where_to", "signposted_on"]
        widgets = {"signposted_on": DATE_INPUT}

    def __init__(self, *args, group, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.group, self.instance.member = group, member
        self.helper = template_form_helper()


class MembersForm(forms.Form):
    """Several people joining at once, one name a line. The service checks each name as it checks
    one member's (the group's naming policy), and against those already attending or waiting."""

    MOST_AT_ONCE = 30

    names = forms.CharField(
        label="Names, one a line",
        widget=forms.Textarea(attrs={"rows": 6, "autocapitalize": "words", "spellcheck": "false"}),
        max_length=MOST_AT_ONCE * (Member._meta.get_field("display_name").max_length + 2),
        error_messages={"required": "Enter at least one name."},
    )
    joined_on = forms.DateField(label="Date they joined", widget=DATE_INPUT)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["names"].help_text = (
            f"This group records {group.get_member_names_display().lower()}. "
            "Each is added as having referred themselves: edit anyone's record afterwards to add more."
        )
        self.helper = template_form_helper()

    def clean_names(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["names"].splitlines() if line.strip()]
        if not names:
            raise forms.ValidationError("Enter at least one name.")
        if len(names) > self.MOST_AT_ONCE:
            raise forms.ValidationError(f"Add at most {self.MOST_AT_ONCE} people at a time.")
        return names


class MemberExitForm(forms.Form):
    exited_on = forms.DateField(label="Date they left", widget=DATE_INPUT)
    reason = forms.ChoiceField(choices=Member.ExitReason.choices)
    aftercare = forms.CharField(
        label="Support offered after leaving",
        max_length=Member._meta.get_field("aftercare_offered").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="As the group's exit strategy describes. Never details of anyone's self-harm.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class AbsencePolicyForm(forms.ModelForm):
    class Meta:
        model = AbsencePolicy
        fields = [
            "after_one_miss",
            "after_one_miss_assignee",
            "after_one_miss_needs_contact",
            "after_two_misses",
            "after_two_misses_assignee",
            "after_two_misses_needs_contact",
            "after_three_misses",
            "after_three_misses_assignee",
            "after_three_misses_needs_contact",
            "apologies_count_as_missed",
            "days_to_follow_up",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class FollowUpCloseForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["outcome", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"note": "What happened, briefly. Never details of anyone's self-harm."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].required = True
        self.fields["outcome"].choices = FollowUp.Outcome.choices
        self.helper = template_form_helper()


class GroupSessionForm(forms.ModelForm):
    facilitators_present = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = GroupSession
        fields = [
            "date",
            "starts_at",
            "ends_at",
            "format",
            "facilitators_present",
            "outcome",
            "not_run_reason",
            "offered_instead",
        ]
        widgets = {
            "date": DATE_INPUT,
            "starts_at": TIME_INPUT,
            "ends_at": TIME_INPUT,
            "outcome": forms.RadioSelect,
            "offered_instead": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.group = group
        self.fields["facilitators_present"].queryset = get_user_model().objects.filter(
            pk__in=[user.pk for user in group.facilitators]
        )
        if group.is_paused:
            # A paused group holds no sessions, but still records what members were offered
            # instead of each meeting (services.session_refusal).
            not_run = GroupSession.Outcome.DID_NOT_RUN
            self.fields["outcome"].choices = [(not_run, GroupSession.Outcome(not_run).label)]
            self.initial["outcome"] = not_run
            if not self.initial.get("not_run_reason"):
                self.initial["not_run_reason"] = GroupSession.NotRunReason.GROUP_PAUSED
            self.fields["offered_instead"].required = True
            del self.fields["facilitators_present"]
        self.helper = template_form_helper()


# The colour of each mark's button on the register, repeating its words: attendances are green.
MARK_TONES = {Attendance.Status.ABSENT: "danger", Attendance.Status.APOLOGIES: "secondary"}


@dataclass(frozen=True)
class RegisterChoice:
    id: str
    value: str
    label: str
    tone: str
    checked: bool


@dataclass
class RegisterRow:
    member: object
    name: str
    auto_id: str
    errors: list
    saved_meanwhile: str
    choices: list[RegisterChoice]


class RegisterForm(forms.Form):
    """One radio group per member, all defaulting to present; saved together by save_register.
    It carries (hidden) the register's version the facilitator opened (GroupSession.register_version)."""

    # Not required: a page opened before versions were kept saves as it always did.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, members, initial_marks=None, opened_version=0, **kwargs):
        super().__init__(*args, **kwargs)
        initial_marks = initial_marks or {}
        self.members = list(members)
        self.fields["opened_version"].initial = opened_version
        # After a refusal, each member's mark as someone else saved it meanwhile.
        self.saved_meanwhile: dict[int, str] = {}
        for member in self.members:
            self.fields[self.field_name(member)] = forms.ChoiceField(
                label=member.display_name,
                choices=Attendance.Status.choices,
                initial=initial_marks.get(member.pk, Attendance.Status.PRESENT),
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(member):
        return f"member_{member.pk}"

    def rows(self):
        """(member, their radio buttons, their mark as saved meanwhile by someone else or "")."""
        return [
            (member, self[self.field_name(member)], self.saved_meanwhile.get(member.pk, "")) for member in self.members
        ]

    def register_rows(self) -> list["RegisterRow"]:
        """What the register page shows of each member's marks, worked out here once: the same
        names, ids and choices Django's radio widgets give, without building five widgets per
        member (which cost more than the rest of the page)."""
        rows = []
        for member, field, saved_meanwhile in self.rows():
            chosen = field.value()
            rows.append(
                RegisterRow(
                    member=member,
                    name=field.html_name,
                    auto_id=field.auto_id,
                    errors=field.errors if self.is_bound else [],
                    saved_meanwhile=saved_meanwhile,
                    choices=[
                        RegisterChoice(
                            f"{field.auto_id}_{index}", value, label, MARK_TONES.get(value, "success"), value == chosen
                        )
                        for index, (value, label) in enumerate(Attendance.Status.choices)
                    ],
                )
            )
        return rows

    def marks(self) -> dict[int, str]:
        return {member.pk: self.cleaned_data[self.field_name(member)] for member in self.members}

    def show_saved_meanwhile(self, saved: dict[int, str], version: int) -> None:
        """After a refusal: each member's mark as saved by someone else (shown beside theirs), and
        saving again saves on top of that version, which the facilitator has now seen."""
        labels = dict(Attendance.Status.choices)
        self.saved_meanwhile = {member_id: labels[status] for member_id, status in saved.items()}
        self.data = self.data.copy()
        self.data["opened_version"] = version


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ["session", "theme", "what_worked", "what_to_change", "action", "action_owner"]
        widgets = {
            "what_worked": forms.Textarea(attrs={"rows": 3}),
            "what_to_change": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.group = group
        self.fields["session"].queryset = group.sessions.held()
        self.fields["session"].required = False
        self.fields["action_owner"].queryset = get_user_model().objects.filter(group_roles__group=group).distinct()
        self.helper = template_form_helper()


class LessonFilterForm(forms.Form):
    theme = forms.ChoiceField(choices=[("", "All themes")] + [(s.slug, s.title) for s in SECTIONS], required=False)
    q = forms.CharField(label="Search", required=False, max_length=100)


class DebriefForm(forms.ModelForm):
    class Meta:
        model = Debrief
        # In the order of the page, which the error summary follows.
        fields = ["how_it_went", "anything_difficult", "wellbeing", "support_wanted"]
        widgets = {
            "how_it_went": forms.Textarea(attrs={"rows": 3}),
            "anything_difficult": forms.Textarea(attrs={"rows": 3}),
            "wellbeing": forms.RadioSelect(choices=[(n, str(n)) for n in range(1, 6)]),
            "support_wanted": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class DebriefReviewForm(forms.ModelForm):
    class Meta:
        model = DebriefReview
        fields = ["comments", "agreed_actions"]
        widgets = {"comments": forms.Textarea(attrs={"rows": 3}), "agreed_actions": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class DebriefNoteForm(forms.ModelForm):
    class Meta:
        model = DebriefNote
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class MemberErasureForm(forms.Form):
    """Confirming an erasure: why (kept in the access log), and the member's name typed out, so
    nobody erases the wrong person with one careless click."""

    reason = forms.CharField(
        label="Why are their records being erased?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example \u201cAsked in writing on 3 March to have their records erased\u201d. "
        "This is kept in the access log; their name is not.",
    )
    confirm_name = forms.CharField(label="Type the member's name to confirm", max_length=60)
    # One box per mention of them in a note (subject_access.Mention.key), ticked at first; the
    # template draws each beside the note it is about.
    remove_name_from = forms.MultipleChoiceField(
        label="Notes that name them",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "A note changed after this page was shown, so the list has been read again: "
            "check it and tick the notes again."
        },
    )

    def __init__(self, *args, member_name, mentions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.member_name = member_name
        self.mentions = mentions
        if mentions:
            self.fields["remove_name_from"].choices = [(mention.key, mention.key) for mention in mentions]
            # A name another member had too may be about them: left for the coordinator to tick.
            self.fields["remove_name_from"].initial = [mention.key for mention in mentions if not mention.shared_name]
        else:
            del self.fields["remove_name_from"]
        # Help texts are rendered as HTML, so the name (typed by a person) is escaped here.
        self.fields["confirm_name"].help_text = format_html("Type \u201c{}\u201d exactly as it is shown.", member_name)
        self.helper = template_form_helper("reason", "confirm_name")

    def mention_boxes(self) -> list[dict]:
        """Each mention, and whether its box is ticked: as sent, or else as first shown."""
        ticked = set(self["remove_name_from"].value() or ()) if self.mentions else set()
        return [{"mention": mention, "ticked": mention.key in ticked} for mention in self.mentions]

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"].strip()
        if typed != self.member_name.strip():
            raise forms.ValidationError("That is not the member's name as recorded. Type it exactly as shown.")
        return typed
