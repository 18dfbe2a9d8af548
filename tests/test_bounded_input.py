"""What the app accepts as text: names and other one-line fields are one line of visible
characters (groups_site/validators.py), and every free-text field has a length that fits its
purpose, enforced by the forms and shown on the textarea (maxlength).

Names once took a line break (a group's name with one broke every facilitator's calendar feed)
and invisible characters; text fields took a megabyte (the plan's PDF then took 25 seconds and
the worker was killed).
"""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import escape

from groups.models import ExitStrategy, SupportGroup
from groups.tests.factories import GroupRoleFactory, SupportGroupFactory
from groups.tests.view_helpers import group_form_data
from groups_site.validators import as_one_line, validate_single_line
from sessions_log.models import Member
from tests.access_matrix import sign_in

OUR_APPS = ("accounts", "audit", "groups", "sessions_log", "reports", "notifications", "invitations")

HIDDEN = {
    "line feed": "Riverside\nevening",
    "carriage return": "Riverside\revening",
    "tab": "Riverside\tevening",
    "NUL": "Riverside\x00evening",
    "escape": "Riverside\x1b[31mevening",
    "delete": "Riverside\x7f",
    "C1 next line": "Riverside\x85evening",
    "line separator": "Riverside\u2028evening",
    "zero-width space": "Be\u200ba",
    "zero-width joiner": "Be\u200da",
    "word joiner": "Be\u2060a",
    "byte order mark": "\ufeffBea",
    "soft hyphen": "Be\u00ada",
    "right-to-left override": "\u202eaeB",
    "right-to-left isolate": "\u2067Bea\u2069",
    "left-to-right mark": "Bea\u200e",
    "noncharacter FFFE": "Bea\ufffe",
    "noncharacter FFFF": "Bea\uffff",
    "private use": "Bea\ue000",
    "Hangul filler": "\u3164",
    "combining grapheme joiner": "Be\u034fa",
}
VISIBLE = [
    "Bea",
    "Zoë",
    "Anne-Marie O\u2019Neill",
    "José María",
    "Nguyễn Thị Minh",
    "李小龍",
    "Ngozi 🙂",
    "Riverside group (Tuesdays, 7–9pm)",
    "Room 2 — ring the bell",
]


# The rule ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_line_break_or_invisible_character_is_refused(text):
    with pytest.raises(ValidationError) as refused:
        validate_single_line(text)

    assert refused.value.messages[0].startswith("Keep this to one line of visible characters")


@pytest.mark.parametrize("text", VISIBLE)
def test_names_in_any_script_with_accents_punctuation_or_an_emoji_are_accepted(text):
    validate_single_line(text)


def test_the_message_says_what_was_found():
    def message(text):
        with pytest.raises(ValidationError) as refused:
            validate_single_line(text)
        return refused.value.messages[0]

    assert "a line break" in message("a\nb")
    assert "a tab" in message("a\tb")
    assert "an invisible character (U+200B)" in message("a\u200bb")


def test_text_stored_before_the_rule_is_written_on_one_line():
    assert as_one_line(" Riverside\r\n\x00evening\u200b\tgroup ") == "Riverside evening group"


# Where it applies ---------------------------------------------------------------------------------------

# One-line text the app writes itself, or that is not a name-like thing people type.
NOT_TYPED = {
    ("accounts", "user", "username"),  # Django's own username validator allows letters, digits and @.+-_
    ("accounts", "user", "email"),
    ("accounts", "user", "password"),
    ("audit", "accessevent", "object_type"),
    ("audit", "accessevent", "detail"),
    ("groups", "risk", "source"),  # a guidance reference, filled in from the suggestions
    ("sessions_log", "followup", "action"),  # copied from the absence policy, which is checked
    ("reports", "calendarfeed", "token"),
    ("accounts", "passwordresetemail", "address_key"),  # a keyed hash of an address, made by the app
    ("notifications", "emailpreference", "changed_how"),  # set by the app: the page or an unsubscribe link
}


def _text_fields():
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.get_fields():
                if isinstance(field, (models.CharField, models.TextField)):
                    yield app, model, field


def test_every_free_text_field_has_a_maximum_length():
    unbounded = [f"{model.__name__}.{field.name}" for _, model, field in _text_fields() if not field.max_length]

    assert unbounded == []


def test_every_one_line_field_people_type_into_refuses_hidden_characters():
    one_line = [
        (app, model, field)
        for app, model, field in _text_fields()
        if type(field) is models.CharField and not field.choices and field.editable
    ]
    unchecked = [
        f"{model.__name__}.{field.name}"
        for app, model, field in one_line
        if validate_single_line not in field.validators and (app, model._meta.model_name, field.name) not in NOT_TYPED
    ]

    assert len(one_line) >= 20
    assert unchecked == []


# On the forms -----------------------------------------------------------------------------------------


def field_html(html, field_id) -> str:
    start = html.index(f'id="div_id_{field_id}"')
    end = html.find('id="div_id_', start + 1)
    return html[start:end] if end != -1 else html[start:]


@pytest.fixture
def coordinator(db):
    group = SupportGroupFactory(name="Riverside evening group")
    user = GroupRoleFactory(group=group, role="coordinator").user
    return user, group


@pytest.mark.parametrize("name", ["Riverside\nevening group", "Riverside\u200b group", "\u202epuorg"])
def test_a_group_name_with_a_hidden_character_is_refused_beside_the_field_keeping_the_typing(client, coordinator, name):
    user, group = coordinator

    response = sign_in(client, user).post(reverse("groups:edit", kwargs={"pk": group.pk}), group_form_data(name=name))

    group.refresh_from_db()
    assert response.status_code == 200
    assert group.name == "Riverside evening group"
    field = field_html(response.content.decode(), "name")
    assert "Keep this to one line of visible characters" in field
    assert 'aria-invalid="true"' in field
    assert f'value="{escape(name)}"' in field


def test_a_members_name_with_a_zero_width_space_is_refused_beside_the_field(client, coordinator):
    user, group = coordinator
    data = {"display_name": "Be\u200ba", "joined_on": "2026-01-06", "referral_route": Member.Referral.SELF}

    response = sign_in(client, user).post(reverse("sessions_log:member_add", kwargs={"pk": group.pk}), data)

    assert response.status_code == 200
    assert "an invisible character (U+200B)" in field_html(response.content.decode(), "display_name")
    assert not group.members.exists()


def test_a_textarea_shows_its_limit(client, coordinator):
    user, group = coordinator

    html = sign_in(client, user).get(reverse("groups:exit_strategy", kwargs={"pk": group.pk})).content.decode()

    assert 'maxlength="4000"' in field_html(html, "members_leaving")


def test_text_over_its_limit_is_refused_beside_the_field_keeping_the_typing(client, coordinator):
    user, group = coordinator
    too_long = "We stay in touch. " * 250 + "Always."  # 4,507 characters
    data = {"members_leaving": too_long, "group_ending": "Together.", "when_group_cannot_run": ""}
    data["opened_version"] = "0"

    response = sign_in(client, user).post(reverse("groups:exit_strategy", kwargs={"pk": group.pk}), data)

    assert response.status_code == 200
    assert not ExitStrategy.objects.filter(group=group, members_leaving__startswith="We stay").exists()
    field = field_html(response.content.decode(), "members_leaving")
    assert "Ensure this value has at most 4000 characters (it has 4507)." in field
    assert too_long in field


def test_text_stored_before_the_limit_still_opens_on_its_edit_page(client, coordinator):
    """Existing text longer than a new limit is kept and shown whole; saving asks for it shorter."""
    user, group = coordinator
    long_ago = "Written before the limit. " * 400  # 10,400 characters
    ExitStrategy.objects.create(group=group, members_leaving=long_ago)

    page = sign_in(client, user).get(reverse("groups:exit_strategy", kwargs={"pk": group.pk}))

    assert page.status_code == 200
    assert long_ago in page.content.decode()


def test_a_group_name_stored_with_a_line_break_is_still_shown(client, coordinator):
    user, group = coordinator
    SupportGroup.objects.filter(pk=group.pk).update(name="Riverside\nevening")

    assert sign_in(client, user).get(reverse("groups:plan", kwargs={"pk": group.pk})).status_code == 200
