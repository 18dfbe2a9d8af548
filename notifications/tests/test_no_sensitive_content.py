"""Nothing sensitive leaves the app by email: every kind of email, rendered for every demo account
with the demo data, names no member and repeats no word written in a debrief, review, note,
lesson, follow-up or plan."""

import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.template.loader import get_template

from accounts.models import User
from groups.models import SupportGroup
from notifications.mail import KINDS, build_message
from sessions_log.models import Member

pytestmark = pytest.mark.django_db

# Realistic ids for each kind of email, taken from the demo data. A new kind must add its own here,
# so that it is scanned too.
SAMPLES = {
    "password_reset": lambda: {},
}
WORD = re.compile(r"[^\W\d_]{6,}")


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)
    assert Member.objects.count() >= 5


def written_text() -> list[str]:
    """Every piece of free text people wrote about groups, sessions and members."""
    texts = []
    for app in ("groups", "sessions_log"):
        for model in apps.get_app_config(app).get_models():
            fields = [field.name for field in model._meta.fields if isinstance(field, models.TextField)]
            for row in model.objects.values_list(*fields) if fields else []:
                texts += [value for value in row if value]
    return texts


def static_words(kind) -> set[str]:
    """Words our own templates say whatever the facts (so not a leak if written elsewhere too)."""
    words = set()
    for part in ("subject.txt", "body.txt", "body.html"):
        template = get_template(kind.template(part)).template
        words |= set(WORD.findall(template.source.lower()))
        for parent in ("notifications/email/base.txt", "notifications/email/base.html"):
            words |= set(WORD.findall(get_template(parent).template.source.lower()))
    return words


def rendered(message) -> str:
    return "\n".join([message.subject, message.body, *(content for content, _ in message.alternatives)])


def leaks(text: str, *, member_names: set[str], sensitive_words: set[str]) -> list[str]:
    named = [name for name in member_names if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE)]
    repeated = sorted(sensitive_words & {word.lower() for word in WORD.findall(text)})
    return named + repeated


@pytest.fixture
def sensitive(demo):
    """Members' names, and the words of 6 letters or more people wrote, less group names' words:
    a group's name may be shown ("A debrief for Riverside group's session..."), so a purpose or a
    note that repeats it is not a leak."""
    group_name_words = {
        word.lower() for name in SupportGroup.objects.values_list("name", flat=True) for word in WORD.findall(name)
    }
    written_words = {word.lower() for text in written_text() for word in WORD.findall(text)}
    assert len(written_words) > 50  # the demo has debriefs, reviews, lessons and plans to scan
    return set(Member.objects.values_list("display_name", flat=True)), written_words - group_name_words


def test_every_kind_of_email_has_a_sample_here():
    assert set(SAMPLES) == set(KINDS)


def test_no_email_names_a_member_or_repeats_what_anyone_wrote(sensitive):
    member_names, written_words = sensitive
    checked = 0
    for kind in KINDS.values():
        for recipient in User.objects.all():
            message = build_message(kind.name, recipient=recipient, ids=SAMPLES[kind.name]())
            if message is None:
                continue
            checked += 1
            # The person's own username may be shown to them (a demo one, "coordinator", is a word
            # people also write).
            own_words = {word.lower() for word in WORD.findall(recipient.get_username())}
            allowed = static_words(kind) | own_words
            found = leaks(rendered(message), member_names=member_names, sensitive_words=written_words - allowed)
            assert not found, f"A {kind.name} email to {recipient} shows {found}"
    assert checked >= len(KINDS) * 5


def test_the_scan_would_catch_a_members_name_or_a_debriefs_words(sensitive):
    """The scan above is not passing by accident."""
    member_names, written_words = sensitive
    message = build_message("password_reset", recipient=User.objects.get(username="facilitator"), ids={})
    member = Member.objects.first()
    debrief_text = apps.get_model("sessions_log", "Debrief").objects.exclude(how_it_went="").first().how_it_went
    clean = written_words - static_words(KINDS["password_reset"])

    assert leaks(rendered(message) + f"\nAbout {member.display_name}", member_names=member_names, sensitive_words=clean)
    assert leaks(rendered(message) + f"\n{debrief_text}", member_names=member_names, sensitive_words=clean)
