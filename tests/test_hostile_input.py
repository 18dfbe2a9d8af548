"""Hostile input to every form in the app: oversized, empty, markup and script, odd unicode
(right-to-left override, zero-width joiners, emoji, NUL bytes) and values of the wrong type.
Each is refused with a message beside the field or stored, and whatever is stored is shown
escaped; nothing ever causes a server error. Every form also refuses a POST without its CSRF
token.

The forms are not listed by hand: every page of the project is opened as each person on the
team (and signed out), and every <form method="post"> found on them is filled in as a browser
would, then sent again with one field at a time replaced by each hostile value.
"""

import datetime
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import icalendar
import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups.models import SupportGroup
from groups_site.validators import as_one_line, is_hidden
from reports.models import CalendarFeed
from tests.access_matrix import sign_in
from tests.world import INSIDERS, every_route

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

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

# Fillers for fields the page leaves empty, so the untouched form is one a person could send.
FILLERS = {
    "text": "Robin",
    "textarea": "Talked about feelings and coping.",
    "email": "robin@example.org",
    "number": "1",
    "password": "correct-horse-battery",
    "time": "18:30",
}
# Fields whose value must name something real.
NAMED_FILLERS = {"person": "nadia", "username": "alice"}
# Submitting these forms ends the session or leaves the app; there is nothing in them to fuzz.
NOT_FUZZED = {"logout"}
# Where "not found" is the right answer to a value that names nothing.
NOT_FOUND_IS_RIGHT = {
    # Only the listed suggestions can be added this way.
    ("groups:aim_add_suggestion", "text"),
    # A group the person has no role in does not exist for them.
    ("reports:funder_report", "group"),
}


# Reading forms out of pages ----------------------------------------------------------------------


@dataclass
class Input:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str = ""
    checked: bool = False
    options: list = field(default_factory=list)  # (value, selected) for selects
    multiple: bool = False
    required: bool = False


@dataclass
class Form:
    method: str
    action: str
    inputs: list[Input] = field(default_factory=list)
    disabled: bool = False


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None
        self._disabled_fieldsets = 0
        self._fieldsets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = Form(method=(attrs.get("method") or "get").lower(), action=attrs.get("action") or "")
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "fieldset":
            disabled = "disabled" in attrs
            self._fieldsets.append(disabled)
            self._disabled_fieldsets += disabled
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            self._add(
                Input(name, kind, attrs.get("value") or "", checked="checked" in attrs, required="required" in attrs),
                disabled="disabled" in attrs,
            )
        elif tag == "button" and name and (attrs.get("type") or "submit") == "submit":
            # The button pressed is sent with the form; the first named one stands for it.
            if not any(item.kind == "submit" for item in self._form.inputs):
                self._add(Input(name, "submit", attrs.get("value") or ""), disabled="disabled" in attrs)
        elif tag == "textarea" and name:
            self._textarea = Input(name, "textarea", required="required" in attrs)
            self._add(self._textarea, disabled="disabled" in attrs)
        elif tag == "select" and name:
            self._select = Input(name, "select", multiple="multiple" in attrs, required="required" in attrs)
            self._add(self._select, disabled="disabled" in attrs)
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "selected" in attrs, ""]
            self._select.options.append(self._option)

    def _add(self, field_input, *, disabled):
        if self._disabled_fieldsets or disabled:
            self._form.disabled = True
        self._form.inputs.append(field_input)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "fieldset" and self._fieldsets:
            self._disabled_fieldsets -= self._fieldsets.pop()
        elif tag == "textarea":
            # HTML drops the newline that starts a textarea's content; Django writes one.
            if self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None


def baseline(form: Form) -> dict:
    """The form as a browser would send it untouched, with empty fields filled in plainly."""
    data: dict[str, list[str]] = {}
    radios_seen = set()
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    for item in form.inputs:
        if item.name == "csrfmiddlewaretoken":
            continue
        if item.kind == "checkbox":
            data.setdefault(item.name, [])
            if item.checked or item.required:
                data[item.name].append(item.value or "on")
        elif item.kind == "radio":
            if item.name not in radios_seen:
                radios_seen.add(item.name)
                data[item.name] = [item.value]  # the first choice, unless one is checked below
            if item.checked:
                data[item.name] = [item.value]
        elif item.kind == "select":
            options = [
                (value if value is not None else text.strip(), selected) for value, selected, text in item.options
            ]
            chosen = [value for value, selected in options if selected]
            if not chosen or (item.required and chosen == [""]):
                chosen = [next((value for value, _ in options if value), "")] if options else [""]
            data[item.name] = chosen
        else:
            value = item.value
            # Free text is filled in even where optional, as rules often ask for some of it;
            # but not in a formset's blank extra form ("risks-3-mitigation"), left blank on purpose.
            optional_text = item.kind == "textarea" and not re.search(r"-\d+-", item.name)
            if not value and (item.required or optional_text):
                # A form prefix ("auth-username") does not change what the field needs.
                value = NAMED_FILLERS.get(item.name.rsplit("-", 1)[-1]) or (
                    yesterday if item.kind == "date" else FILLERS.get(item.kind, "")
                )
            data[item.name] = [value]
    return {name: values for name, values in data.items()}


@dataclass
class FoundForm:
    url_name: str
    url: str
    role: str
    page: str
    method: str
    data: dict
    kinds: dict  # field name -> input kind


def find_every_form(client, world) -> dict[tuple, FoundForm]:
    """Every form on every page, as the first person (team roles first, then signed out) who
    can send it sees it. Keyed by where it is sent and how."""
    routes, _ = every_route(world)
    found = {}
    for role in (*INSIDERS, "anonymous"):
        sign_in(client, world.people[role], verified=True)
        for route in routes:
            if route.name.startswith("admin:") and route.name != "admin:login":
                continue
            response = client.get(route.url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser()
            parser.feed(response.content.decode())
            for form in parser.forms:
                if form.disabled or not form.inputs:
                    continue
                target = urljoin(route.url, form.action) if form.action else route.url
                path = urlsplit(target).path
                try:
                    url_name = resolve(path).view_name
                except Resolver404:
                    continue
                if url_name in NOT_FUZZED:
                    continue
                # Two forms may go to one address (the register's "mark everyone present" and
                # its Save): what they send tells them apart.
                fields = frozenset(item.name for item in form.inputs) - {"csrfmiddlewaretoken"}
                found.setdefault(
                    (url_name, form.method, fields),
                    FoundForm(
                        url_name=url_name,
                        url=target,
                        role=role,
                        page=route.url,
                        method=form.method,
                        data=baseline(form),
                        kinds={item.name: item.kind for item in form.inputs},
                    ),
                )
    return found


# Sending -------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int | None
    body: str = ""
    followed_status: int | None = None
    followed_body: str = ""
    error: str = ""


def html_of(response) -> str:
    """The response's body if a browser would render it as a page ("" for JSON, files...)."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return ""
    return response.content.decode(errors="replace")


@contextmanager
def undone():
    """Whatever the block changes is undone when it ends. A savepoint, not transaction.atomic():
    the services each open a durable transaction, which nests in no atomic block but a test's own."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def send(client, form: FoundForm, data: dict, *, follow=True) -> Outcome:
    """Send the form and (with `follow`) open the page it redirects to, then undo whatever it changed."""
    try:
        with undone():
            if form.method == "post":
                response = client.post(form.url, data)
            else:
                response = client.get(form.url, data)
            outcome = Outcome(response.status_code, html_of(response))
            if follow and response.status_code == 302 and response.url.startswith("/"):
                followed = client.get(response.url)
                outcome.followed_status = followed.status_code
                outcome.followed_body = html_of(followed)
    except Exception as error:  # a server error: the test client re-raises it
        return Outcome(None, error=f"{type(error).__name__}: {error}"[:300])
    return outcome


def _problem(form, name, label, value, outcome) -> str | None:
    where = f"{form.method.upper()} {form.url_name} field {name!r} <- {label}"
    if outcome.error:
        return f"{where}: {outcome.error}"
    allowed = {200, 302}
    if form.kinds.get(name) == "hidden":
        # Nobody types into a hidden field: refusing a tampered one outright (400) is clean.
        allowed.add(400)
    if (form.url_name, name) in NOT_FOUND_IS_RIGHT:
        allowed.add(404)
    if outcome.status not in allowed:
        return f"{where}: status {outcome.status}"
    if outcome.followed_status is not None and outcome.followed_status >= 500:
        return f"{where}: the page it redirected to gave {outcome.followed_status}"
    for body in (outcome.body, outcome.followed_body):
        if SCRIPT in body or "<img src=x" in body:
            return f"{where}: the markup was shown unescaped"
    if (
        outcome.status == 200
        and value == SCRIPT
        and form.method == "post"
        and form.kinds.get(name) in {"text", "textarea"}
        and ESCAPED_SCRIPT not in outcome.body
    ):
        return f"{where}: refused, but the person's typing was not kept"
    return None


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


# Generated text ------------------------------------------------------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT)
def test_any_text_as_a_rule_is_stored_exactly_or_refused_with_a_message(client, world, text):
    sign_in(client, world.people["coordinator"], verified=True)
    url = reverse("groups:rules", kwargs={"pk": world.group.pk})
    with undone():
        response = client.post(url, {"text": text, "how_shared": "", "how_upheld": ""})
        if response.status_code == 302:
            # Django strips surrounding whitespace from text fields; the rest is kept as typed.
            assert world.group.rules.filter(text=text.strip()).exists()
        else:
            assert response.status_code == 200
            assert response.context["form"].errors


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT)
def test_any_text_in_a_debrief_is_stored_or_refused_and_never_breaks_the_page(client, world, text):
    session = world.objects["session_pk"]
    # Bob's debrief of the session is not reviewed yet, so he may still edit it.
    sign_in(client, world.people["facilitator"], verified=True)
    url = reverse("sessions_log:debrief_write", kwargs={"pk": world.group.pk, "session_pk": session.pk})
    with undone():
        response = client.post(
            url,
            {
                "how_it_went": text,
                "anything_difficult": text,
                "wellbeing": "3",
                "support_wanted": "",
            },
        )
        assert response.status_code in {200, 302}
        if response.status_code == 302:
            page = client.get(response.url)
            assert page.status_code == 200


def _untouched_form(client, url, *, with_field) -> dict:
    """The form on the page at `url` that has the field, as a browser would send it untouched."""
    parser = FormParser()
    parser.feed(client.get(url).content.decode())
    return baseline(next(form for form in parser.forms if any(item.name == with_field for item in form.inputs)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=130))
def test_any_text_as_a_group_name_is_stored_or_refused_and_its_feed_and_report_still_work(client, world, name):
    """A group name with a line break was stored, and then every facilitator's calendar feed of
    the group was a server error. Whatever is typed is now stored as it is (one line of visible
    characters) or refused beside the field, and the feed and the funder report's CSV, which
    both write the name into a file, keep working."""
    sign_in(client, world.people["coordinator"], verified=True)
    edit_url = reverse("groups:edit", kwargs={"pk": world.group.pk})
    feed = CalendarFeed.objects.get(group=world.group)
    with undone():
        response = client.post(edit_url, {**_untouched_form(client, edit_url, with_field="name"), "name": [name]})
        stored = SupportGroup.objects.get(pk=world.group.pk).name
        if response.status_code == 302:
            assert stored == name.strip()
            assert not any(is_hidden(character) for character in stored)
        else:
            assert response.status_code == 200
            assert "name" in response.context["form"].errors
            assert stored == world.group.name

        calendar = client.get(feed.get_absolute_url())
        spreadsheet = client.get(reverse("reports:funder_report"), {"format": "csv", "group": world.group.pk})

        assert calendar.status_code == 200
        # The name as the feed must write it: one line, with iCalendar's escapes (";" as "\;"), which
        # calendar apps undo. Long lines are folded; unfolded, the line reads whole.
        unfolded = calendar.content.decode().replace("\r\n ", "")
        written = icalendar.vText(as_one_line(stored)).to_ical().decode()
        assert f"X-WR-CALNAME:{written}\r\n" in unfolded
        assert spreadsheet.status_code == 200
        assert spreadsheet["Content-Type"] == "text/csv; charset=utf-8"
