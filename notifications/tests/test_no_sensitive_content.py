"""Nothing sensitive leaves the app by email: every kind of email, rendered for every demo account
with the demo data, names no member and repeats no word written in a debrief, review, note,
lesson, follow-up or plan."""

import ast
import calendar
import datetime
import inspect
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import timezone

from accounts.models import User
from concerns.models import Concern
from groups.models import GroupRole, RiskAssessment, SupportGroup
from invitations.services import accept_invitation, invite_to_team
from notifications import needs
from notifications.mail import KINDS, build_message
from notifications.models import SentNotification
from notifications.reminders import DAILY_DIGEST, REMINDER_KINDS
from sessions_log.models import Debrief, FollowUp, Member

pytestmark = pytest.mark.django_db
Role = GroupRole.Role
WORD = re.compile(r"[^\W\d_]{6,}")
# Dates are facts an email may give: a weekday or a month a debrief also names is no leak.
CALENDAR_WORDS = {name.lower() for name in [*calendar.day_name, *calendar.month_name] if name}


# So is the role someone is invited to, and what a reminder says needs doing (Need.summary and
# Need.link_text word it for the dashboard and the emails alike), in the app's own words.
def _literal_words(module, *function_names) -> set[str]:
    words = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.FunctionDef) and node.name in function_names:
            for part in ast.walk(node):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    words |= {word.lower() for word in WORD.findall(part.value)}
    return words


OUR_WORDS = {word.lower() for label in GroupRole.Role.labels for word in WORD.findall(label)} | _literal_words(
    needs, "summary", "link_text"
)


def url_words() -> set[str]:
    """Words of the app's own addresses ("/groups/3/members/"): a link is no leak."""
    return {word.lower() for route in every_pattern(get_resolver().url_patterns) for word in WORD.findall(route)}


def every_pattern(patterns, prefix=""):
    for entry in patterns:
        if hasattr(entry, "url_patterns"):
            yield from every_pattern(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern)


# Who gets each kind of email, with realistic ids, from the demo data (moved on in time where a
# reminder needs it: a debrief written ten days ago, a review date passed). A new kind must add
# its own here, so that it is scanned too.


def _team(role):
    return [(group_role.user, group_role.group) for group_role in GroupRole.objects.filter(role=role)]


def _flagged_debriefs(*roles, low_wellbeing=False):
    flagged = Debrief.objects.filter(wellbeing__lte=Debrief.LOW_WELLBEING) if low_wellbeing else Debrief.objects.all()
    return [
        (group_role.user, {"debrief_id": debrief.pk})
        for debrief in flagged.select_related("session")
        for group_role in GroupRole.objects.filter(group_id=debrief.session.group_id, role__in=roles)
    ]


def _concerns():
    return [
        (group_role.user, {"group_id": concern.group_id, "concern_id": concern.pk})
        for concern in Concern.objects.escalating()
        for group_role in GroupRole.objects.filter(
            group_id=concern.group_id, role__in=(Role.SUPERVISOR, Role.COORDINATOR)
        ).select_related("user")
    ]


def _follow_ups_assigned():
    return [
        (follow_up.assignee, {"group_id": follow_up.member.group_id, "session_id": follow_up.session_id})
        for follow_up in FollowUp.objects.open()
        .filter(kind=FollowUp.Kind.MISSED_SESSIONS)
        .select_related("assignee", "member")
    ]


def _check_ins_assigned():
    return [
        (follow_up.assignee, {"group_id": follow_up.member.group_id, "follow_up_id": follow_up.pk})
        for follow_up in FollowUp.objects.open()
        .exclude(kind=FollowUp.Kind.MISSED_SESSIONS)
        .select_related("assignee", "member")
    ]


def _invitation(*, accepted=False):
    coordinator, group = _team(Role.COORDINATOR)[-1]
    invitation = invite_to_team(
        group=group,
        name="Jo Newcomer",
        email=f"jo.{'accepted' if accepted else 'invited'}@example.org",
        role=Role.CO_FACILITATOR,
        by=coordinator,
    )
    if not accepted:
        return [(None, {"invitation_id": invitation.pk})]
    account = User(username="jo", first_name="Jo", last_name="Newcomer")
    account.set_password("a long enough password 2026")
    accept_invitation(token=invitation.issue_token(), account=account, by=None)
    return [(coordinator, {"invitation_id": invitation.pk})]


def _due_now(kind):
    """The demo moved on so that reminders of `kind` are due, with their rows in the sent-log."""
    today = timezone.localdate()
    Debrief.objects.filter(reviewed=False).update(created_at=timezone.now() - datetime.timedelta(days=10))
    RiskAssessment.objects.update(review_date=today - datetime.timedelta(days=1))
    overdue = kind in ("follow_up_overdue", DAILY_DIGEST)
    FollowUp.objects.open().update(due_on=today - datetime.timedelta(days=2) if overdue else today)
    return [need for need in needs.needs_now() if kind == DAILY_DIGEST or need.kind == REMINDER_KINDS[kind]]


def _reminders(kind):
    samples = []
    for need in _due_now(kind):
        row, _ = SentNotification.objects.get_or_create(
            kind=kind,
            recipient_id=need.person_id,
            subject_id=need.subject_id,
            occasion=need.on,
            defaults={"delivery": SentNotification.Delivery.IMMEDIATELY},
        )
        samples.append((row.recipient, {"notification_id": row.pk}))
    return samples


def _digests():
    due = _due_now(DAILY_DIGEST)
    samples = []
    for person in User.objects.filter(pk__in={need.person_id for need in due}):
        digest = SentNotification.objects.create(
            kind=DAILY_DIGEST,
            recipient=person,
            subject_id=person.pk,
            occasion=timezone.localdate(),
            delivery="immediately",
        )
        for need in due:
            if need.person_id == person.pk:
                kind = next(kind for kind, of in REMINDER_KINDS.items() if of == need.kind)
                SentNotification.objects.update_or_create(
                    kind=kind,
                    recipient=person,
                    subject_id=need.subject_id,
                    occasion=need.on,
                    defaults={"delivery": "daily_digest", "digest": digest},
                )
        samples.append((person, {"notification_id": digest.pk}))
    return samples


SAMPLES = {
    "password_reset": lambda: [(user, {}) for user in User.objects.all()],
    "debrief_low_wellbeing": lambda: _flagged_debriefs(Role.SUPERVISOR, low_wellbeing=True),
    "safeguarding_concern_raised": _concerns,
    "risk_to_life_concern_raised": _concerns,
    "follow_ups_assigned": _follow_ups_assigned,
    "check_in_assigned": _check_ins_assigned,
    "invitation": _invitation,
    "invitation_accepted": lambda: _invitation(accepted=True),
    "supervision_started": lambda: [(user, {"group_id": group.pk}) for user, group in _team(Role.SUPERVISOR)],
    "supervision_ended": lambda: [(user, {"group_id": group.pk}) for user, group in _team(Role.COORDINATOR)],
    **{kind: (lambda kind=kind: _reminders(kind)) for kind in REMINDER_KINDS},
    DAILY_DIGEST: _digests,
}


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)
    assert Member.objects.count() >= 5


def written_text() -> list[str]:
    """Every piece of free text people wrote about groups, sessions and members."""
    texts = []
    for app in ("groups", "sessions_log", "concerns"):
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
    checked = {}
    for kind in KINDS.values():
        for recipient, ids in SAMPLES[kind.name]():
            message = build_message(kind.name, recipient=recipient, ids=ids)
            if message is None:
                continue
            checked[kind.name] = checked.get(kind.name, 0) + 1
            # The person's own username may be shown to them (a demo one, "coordinator", is a word
            # people also write).
            own_words = {word.lower() for word in WORD.findall(recipient.get_username() if recipient else "")}
            allowed = static_words(kind) | own_words | CALENDAR_WORDS | OUR_WORDS | url_words()
            found = leaks(rendered(message), member_names=member_names, sensitive_words=written_words - allowed)
            assert not found, f"A {kind.name} email to {recipient} shows {found}"
    # Every kind was rendered, for everyone the demo gives it to: none was skipped as not wanted.
    assert set(checked) == set(KINDS)
    assert sum(checked.values()) >= len(KINDS) * 2


def test_the_scan_would_catch_a_members_name_or_a_debriefs_words(sensitive):
    """The scan above is not passing by accident."""
    member_names, written_words = sensitive
    message = build_message("password_reset", recipient=User.objects.get(username="facilitator"), ids={})
    member = Member.objects.first()
    debrief_text = apps.get_model("sessions_log", "Debrief").objects.exclude(how_it_went="").first().how_it_went
    clean = written_words - static_words(KINDS["password_reset"])

    assert leaks(rendered(message) + f"\nAbout {member.display_name}", member_names=member_names, sensitive_words=clean)
    assert leaks(rendered(message) + f"\n{debrief_text}", member_names=member_names, sensitive_words=clean)
