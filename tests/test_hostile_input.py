"""Hostile input to every form in the app: oversized, empty, markup and script, odd unicode
(right-to-left override, zero-width joiners, emoji, NUL bytes) and values of the wrong type.
Each is refused with a message beside the field or stored, and whatever is stored is shown
escaped; nothing ever causes a server error. Every form also refuses a POST without its CSRF
token.

The forms are not listed by hand: every page of the project is opened as each person on the
team (and signed out), and every <form method="post"> found on them is filled in as a browser
would, then sent again with one field at a time replaced by each hostile value (tests/hostile_forms.py
reads and sends them; test_hostile_input_generated.py sends Hypothesis's text).
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.access_matrix import sign_in
from tests.hostile_forms import ESCAPED_SCRIPT, SCRIPT, _problem, find_every_form, html_of, send
from tests.world import INSIDERS, every_route

pytestmark = pytest.mark.django_db

HOSTILE = {
    "empty": "",
    "only spaces": "   ",
    "script": SCRIPT,
    "attribute break-out": '"><img src=x onerror=alert(1)>',
    # Far past every length limit in the app (the longest is 4,000 characters).
    "oversized": "A" * 20_000,
    "right-to-left override": "\u202eevil\u202c",
    "zero-width joiner and friends": "a\u200db\u200cc\u2060d\ufeff",
    # A group's name with a line break once broke every facilitator's calendar feed.
    "line breaks": "Riverside\nevening\r\ngroup\u2028",
    "C0 and C1 controls": "a\x01b\x1bc\x7fd\x85e\x9bf",
    "bidi isolates": "\u2067Bea\u2069 and \u2066Sky\u2069",
    "noncharacters": "Bea\ufffe\uffff\ufdd0",
    "emoji": "\U0001f642\U0001f469\u200d\U0001f469\u200d\U0001f467\U0001f3f3\ufe0f\u200d\U0001f308",
    "NUL byte": "before\x00after",
    "word for a number": "not-a-number",
    "huge number": "9" * 40,
    "negative number": "-1",
    "float overflow": "1e309",
    "year one": "0001-01-01",
    "year 9999": "9999-12-31",
    "impossible date": "2025-02-30",
    "two values for one field": ["first", "second"],
}
# Typed text is what a page shows back; these are the values that could break a page showing them
# (the invisible and line-breaking ones are refused in one-line fields, kept in text of several).
SHOWN_BACK = {
    "script",
    "attribute break-out",
    "oversized",
    "right-to-left override",
    "zero-width joiner and friends",
    "emoji",
    "line breaks",
    "C0 and C1 controls",
    "bidi isolates",
    "noncharacters",
}
TEXT_KINDS = {"text", "textarea", "email", "search", "password", "url", "tel"}
# Choices, dates, numbers and hidden fields are not typed into: the unicode curiosities only
# matter where text is kept, so they get the rest.
NOT_TYPED_VALUES = {
    label: value for label, value in HOSTILE.items() if label not in SHOWN_BACK - {"script", "oversized"}
}


@pytest.fixture
def every_form(client, world):
    return find_every_form(client, world)


def test_every_kind_of_form_is_found(every_form):
    """The walk finds the forms people actually use; if it silently found none, the tests below
    would pass without testing anything."""
    names = {url_name for url_name, _, _ in every_form}
    assert names >= {
        "groups:create",
        "groups:edit",
        "groups:aims",
        "groups:aim_edit",
        "groups:rules",
        "groups:rule_edit",
        "groups:checklist_section",
        "groups:risk_assessment",
        "groups:exit_strategy",
        "groups:support_plan",
        "groups:choose_supervisor",
        "groups:team",
        "sessions_log:member_add",
        "sessions_log:member_edit",
        "sessions_log:member_exit",
        "sessions_log:member_ask_supervisor",
        "sessions_log:absence_policy",
        "sessions_log:follow_up_close",
        "sessions_log:session_create",
        "sessions_log:session_edit",
        "sessions_log:register",
        "sessions_log:lesson_create",
        "sessions_log:lessons",  # the search form (GET)
        "sessions_log:debrief_write",
        "sessions_log:debrief_review",
        "sessions_log:debrief_note",
        "login",
        "reports:calendar_renew",
    }


def test_the_untouched_forms_are_mostly_accepted(client, world, every_form):
    """The baseline each hostile value is swapped into is a form a person could send: most
    are saved as they stand, so the hostile values reach the code that stores them."""
    accepted = []
    for form in every_form.values():
        sign_in(client, world.people.get(form.role), verified=True)
        if send(client, form, form.data).status == 302:
            accepted.append(form.url_name)
    assert len(accepted) >= 0.6 * len(every_form), sorted(set(every_form) - set(accepted))


FORMSET_ROW = re.compile(r"^(?P<prefix>.+)-(?P<index>\d+)-(?P<field>[^-]+)$")


def fields_to_try(data) -> list[str]:
    """Every field of the form, but of a formset only its first row and its last (the empty one
    for adding): the rows between are the same fields again, and trying every field of a risk
    assessment's eighteen risks would take minutes and find nothing the first row does not."""
    rows = {}
    for name in data:
        if row := FORMSET_ROW.match(name):
            rows.setdefault((row["prefix"], row["field"]), set()).add(int(row["index"]))
    tried = []
    for name in data:
        row = FORMSET_ROW.match(name)
        indexes = rows[(row["prefix"], row["field"])] if row else set()
        if row is None or int(row["index"]) in (min(indexes), max(indexes)):
            tried.append(name)
    return tried


def test_no_hostile_value_in_any_field_of_any_form_causes_a_server_error(client, world, every_form):
    problems, tried = [], 0
    for form in every_form.values():
        sign_in(client, world.people.get(form.role), verified=True)
        for name in fields_to_try(form.data):
            values = HOSTILE if form.kinds.get(name) in TEXT_KINDS else NOT_TYPED_VALUES
            for label, value in values.items():
                data = {**form.data, name: value if isinstance(value, list) else [value]}
                outcome = send(client, form, data, follow=label in SHOWN_BACK)
                tried += 1
                if problem := _problem(form, name, label, value, outcome):
                    problems.append(problem)
    assert tried > 1000
    assert not problems, f"{len(problems)} of {tried} hostile inputs went wrong:\n" + "\n".join(problems)


def test_markup_stored_in_every_text_field_is_shown_escaped_on_every_page(client, world, every_form):
    """Markup typed into every free-text field of every form, then every page opened by everyone
    on the team: the markup appears as text, never as markup."""
    stored = 0
    for form in every_form.values():
        if form.method != "post" or form.role == "anonymous":
            continue
        sign_in(client, world.people[form.role], verified=True)
        text_fields = [name for name, kind in form.kinds.items() if kind in {"text", "textarea"}]
        for name in text_fields:
            # One field at a time, kept, so a rule refusing one field does not lose the others.
            response = client.post(form.url, {**form.data, name: [SCRIPT]})
            stored += response.status_code == 302
    assert stored >= 10

    routes, _ = every_route(world)
    pages_showing_it = set()
    for role in INSIDERS:
        sign_in(client, world.people[role], verified=True)
        for route in routes:
            body = html_of(client.get(route.url))
            assert SCRIPT not in body, f"{route.url} as {role}"
            if ESCAPED_SCRIPT in body:
                pages_showing_it.add(route.name)
    # The plan, aims, rules, members, sessions, lessons and debrief pages all show what was typed.
    assert len(pages_showing_it) >= 8, sorted(pages_showing_it)


def test_every_form_refuses_a_post_without_its_csrf_token(world, every_form):
    strict = Client(enforce_csrf_checks=True)
    refused = []
    for form in every_form.values():
        if form.method != "post":
            continue
        sign_in(strict, world.people.get(form.role), verified=True)
        response = strict.post(form.url, form.data)
        wrong_token = strict.post(form.url, {**form.data, "csrfmiddlewaretoken": "x" * 64})
        refused.append((form.url_name, response.status_code, wrong_token.status_code))
    assert len(refused) >= 20
    assert [row for row in refused if row[1:] != (403, 403)] == []


def test_a_request_body_past_the_size_limit_is_refused_cleanly(client, world):
    sign_in(client, world.people["coordinator"], verified=True)
    url = reverse("groups:rules", kwargs={"pk": world.group.pk})

    too_big = client.post(url, {"text": "A" * 3_000_000, "how_shared": "", "how_upheld": ""})
    too_many = client.post(url, {f"field{n}": "x" for n in range(1_500)})

    assert too_big.status_code == 400
    assert too_many.status_code == 400
    assert not world.group.rules.filter(text__startswith="AAAA").exists()
