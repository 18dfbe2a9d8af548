"""What the access-matrix tests of the sessions_log pages share.

Each test module lists its pages as `Page`s, each with the roles allowed to use it, and checks
four things about every one: an anonymous visitor is sent to sign in, someone outside the group is
told it does not exist, a team member without the right is refused, and one with the right gets
through. The checks live here; the parametrised tests stay in each module.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

TODAY = timezone.localdate
ROLES = ("coordinator", "facilitator", "supervisor")


# Helpers -------------------------------------------------------------------------------------


def sign_in(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


def days_ago(days) -> datetime.date:
    return TODAY() - datetime.timedelta(days=days)


def url(name, group, **kwargs):
    return reverse(f"sessions_log:{name}", kwargs={"pk": group.pk, **kwargs})


# The matrix ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page and method, who may use it, and how to build its address and form data from the
    test's `things` (anything with a `group`)."""

    name: str
    method: str
    allowed: frozenset
    url_kwargs: Callable = lambda things: {}
    data: Callable = lambda things: {}

    def __str__(self):
        return f"{self.name}-{self.method}"

    def url(self, things):
        return url(self.name, things.group, **self.url_kwargs(things))

    def request(self, client, things):
        address = self.url(things)
        if self.method == "GET":
            return address, client.get(address)
        return address, client.post(address, self.data(things))


def refused(pages, roles=ROLES) -> list[tuple[Page, str]]:
    return [(page, role) for page in pages for role in roles if role not in page.allowed]


def allowed(pages, roles=ROLES) -> list[tuple[Page, str]]:
    return [(page, role) for page in pages for role in roles if role in page.allowed]


def page_names(views_module) -> set[str]:
    """The names of the sessions_log URLs served by the views of this module."""
    from sessions_log import urls

    return {pattern.name for pattern in urls.urlpatterns if pattern.callback.__module__ == views_module.__name__}


# The checks ----------------------------------------------------------------------------------


def assert_sent_to_sign_in(client, things, page, snapshot):
    """An anonymous visitor is redirected to sign in, with ?next= back here, and nothing changes."""
    before = snapshot()

    address, response = page.request(client, things)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={address}"
    assert snapshot() == before
    return response


def assert_turned_away(client, user, things, page, snapshot, status_code):
    """Signed in as this user, the page answers `status_code` (404 or 403) and nothing changes."""
    sign_in(client, user)
    before = snapshot()

    _, response = page.request(client, things)

    assert response.status_code == status_code
    assert snapshot() == before
    return response


def assert_can_use(client, user, things, page):
    """Signed in as this user, a GET shows the page and a POST redirects without an error."""
    _, response = page.request(sign_in(client, user), things)

    if page.method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.context and response.context["form"].errors
        assert messages.ERROR not in [level for level, _ in messages_of(response)]
    return response
