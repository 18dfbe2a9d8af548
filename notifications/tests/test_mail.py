"""Building an email from a kind, its facts and its templates, and queueing it after commit."""

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from notifications.mail import KINDS, MailKind, build_message, send_after_commit
from notifications.models import EmailPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana():
    return UserFactory(username="dana", email="dana@example.org")


@pytest.fixture
def reminder_kind(settings, tmp_path):
    """A kind that people can unsubscribe from, as reminders will be, with templates of its own."""
    folder = tmp_path / "notifications" / "email" / "test_reminder"
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text("A session to record\n\n")
    (folder / "body.txt").write_text(
        '{% extends "notifications/email/base.txt" %}{% block content %}Record {{ when }}: {{ link }}{% endblock %}'
    )
    (folder / "body.html").write_text(
        '{% extends "notifications/email/base.html" %}{% block content %}<p>Record {{ when }}: '
        '<a href="{{ link }}">open it</a></p>{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    KINDS["test_reminder"] = MailKind(
        name="test_reminder",
        facts=lambda recipient, session_id: {"when": "Tuesday's session", "link": f"https://x.test/{session_id}/"},
        topic="reminders",
    )
    yield "test_reminder"
    del KINDS["test_reminder"]


def parts(message):
    return {"text/plain": message.body, **{mimetype: content for content, mimetype in message.alternatives}}


def test_a_password_reset_email_has_a_plain_text_and_an_html_part_with_absolute_links(dana, settings):
    settings.SITE_URL = "https://groups.example.org"

    message = build_message("password_reset", recipient=dana, ids={})

    assert message.to == ["dana@example.org"]
    assert message.subject == "Reset your Group planner password"
    text, html = parts(message)["text/plain"], parts(message)["text/html"]
    assert "https://groups.example.org/accounts/reset/" in text
    assert 'href="https://groups.example.org/accounts/reset/' in html
    assert 'href="/' not in html
    # Plain text is not HTML-escaped.
    assert "&#x27;" not in text and "&amp;" not in text


def test_an_email_is_queued_only_when_the_change_commits(dana, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_after_commit("password_reset", to=dana)
        assert mailoutbox == []

    assert len(callbacks) == 1
    assert [message.to for message in mailoutbox] == [["dana@example.org"]]


def test_nothing_is_sent_when_the_change_is_rolled_back(dana, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            send_after_commit("password_reset", to=dana)
            transaction.set_rollback(True)

    assert callbacks == []
    assert mailoutbox == []


def test_an_email_is_queued_with_ids_never_text(dana):
    with pytest.raises(TypeError, match="ids"):
        send_after_commit("password_reset", to=dana, note="Found it hard this week")


def test_an_unknown_kind_is_refused(dana):
    with pytest.raises(ValueError, match="kinds.py"):
        send_after_commit("no_such_email", to=dana)


def test_a_facts_function_may_not_hand_a_template_a_record(dana, reminder_kind):
    KINDS[reminder_kind] = MailKind(name=reminder_kind, facts=lambda recipient, **ids: {"user": recipient})

    with pytest.raises(TypeError, match="plain values"):
        build_message(reminder_kind, recipient=dana, ids={})


def test_nobody_without_an_address_or_with_a_closed_account_is_sent_anything(db):
    assert build_message("password_reset", recipient=UserFactory(email=""), ids={}) is None
    assert build_message("password_reset", recipient=UserFactory(is_active=False), ids={}) is None


def test_a_reminder_carries_an_unsubscribe_link_and_one_click_header(dana, reminder_kind, settings):
    settings.SITE_URL = "https://groups.example.org"

    message = build_message(reminder_kind, recipient=dana, ids={"session_id": 7})

    assert message.subject == "A session to record"
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://groups.example.org/accounts/email/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Stop reminder emails: {link}" in message.body
    assert f'href="{link}"' in parts(message)["text/html"]
    assert "Record Tuesday's session: https://x.test/7/" in message.body


def test_no_reminder_goes_to_someone_who_turned_reminders_off(dana, reminder_kind):
    EmailPreference.objects.create(user=dana, reminders=EmailPreference.ReminderDelivery.NONE)

    assert build_message(reminder_kind, recipient=dana, ids={"session_id": 7}) is None


def test_account_emails_go_even_to_someone_who_turned_reminders_off(dana):
    EmailPreference.objects.create(user=dana, reminders=EmailPreference.ReminderDelivery.NONE)

    assert build_message("password_reset", recipient=dana, ids={}) is not None


def test_an_email_to_someone_without_an_account_goes_to_the_address_its_ids_give(dana):
    with pytest.raises(ValueError, match="an address"):
        send_after_commit("password_reset")
    with pytest.raises(ValueError, match="a user"):
        send_after_commit("invitation", to=dana, invitation_id=1)
    # An invitation that is not waiting (here: none) has no address, and is not sent.
    assert build_message("invitation", recipient=None, ids={"invitation_id": 404}) is None


def test_a_digests_lines_may_be_a_tuple_of_plain_values_but_not_of_records(dana, reminder_kind):
    KINDS[reminder_kind] = MailKind(name=reminder_kind, facts=lambda recipient, **ids: {"lines": (("a", "b"),)})
    assert build_message(reminder_kind, recipient=dana, ids={}) is not None

    KINDS[reminder_kind] = MailKind(name=reminder_kind, facts=lambda recipient, **ids: {"lines": ((recipient,),)})
    with pytest.raises(TypeError, match="plain values"):
        build_message(reminder_kind, recipient=dana, ids={})
