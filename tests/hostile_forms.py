"""Every form in the app, read out of its page, and how to send it hostile values (tests/test_hostile_input*.py)."""

import datetime
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from tests.access_matrix import sign_in
from tests.world import INSIDERS, every_route

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

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
