"""The access matrix every app's page tests share, and signing in for tests.

Each test module lists its group's pages as `Endpoint`s, each with the roles allowed to use it,
and checks four things about every one: an anonymous visitor is sent to sign in, someone outside
the group is told it does not exist, a team member without the right is refused, and one with
the right gets through. The checks live here; the parametrised tests stay in each module, named
for what they show. (A matrix test's parameter is `endpoint`, never `page`: pytest-playwright's
browser page fixture has that name.)
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

ROLES = ("coordinator", "facilitator", "supervisor")


# Signing in ----------------------------------------------------------------------------------


def sign_in(client, user, *, verified=False):
    """Sign in as `user`; `None` signs out (the anonymous visitor).

    verified=True also marks the session as having given a one-time code from a confirmed
    authenticator, as production asks (OTP_REQUIRED is on outside DEBUG; pytest.ini turns it off).
    The walks over every page use it, so they go through two-factor's checks as production does:
    each request then loads the device, one query more than the app's own query budgets count.
    """
    if user is None:
        client.logout()
        return client
    client.force_login(user)
    if verified:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="default", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def messages_of(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


# The matrix ----------------------------------------------------------------------------------


def _nothing(things):
    return {}


def _no_arrangement(things):
    return None


@dataclass(frozen=True)
class Endpoint:
    """One URL of a group (its namespaced name) and one HTTP method, who may use it, and how to
    build its address and form data from the test's `things` (anything with a `group`).
    `arrange` readies `things` first (e.g. a risk assessment to save); `variant` names a second
    entry for the same URL and method."""

    name: str
    method: str
    allowed: frozenset
    url_kwargs: Callable = _nothing
    data: Callable = _nothing
    arrange: Callable = _no_arrangement
    variant: str = ""

    def __str__(self):
        return "-".join(filter(None, [self.name.split(":")[-1], self.method, self.variant]))

    def url(self, things):
        return reverse(self.name, kwargs={"pk": things.group.pk, **self.url_kwargs(things)})

    def request(self, client, things):
        address = self.url(things)
        if self.method == "GET":
            return address, client.get(address)
        return address, client.post(address, self.data(things))


def refused(endpoints, roles=ROLES) -> list[tuple[Endpoint, str]]:
    return [(endpoint, role) for endpoint in endpoints for role in roles if role not in endpoint.allowed]


def allowed(endpoints, roles=ROLES) -> list[tuple[Endpoint, str]]:
    return [(endpoint, role) for endpoint in endpoints for role in roles if role in endpoint.allowed]


def url_names(urls_module, views_module=None) -> set[str]:
    """The namespaced names of an app's URLs, or of those served by one of its views modules: what
    a matrix must cover."""
    return {
        f"{urls_module.app_name}:{pattern.name}"
        for pattern in urls_module.urlpatterns
        if isinstance(pattern, URLPattern)
        and (views_module is None or pattern.callback.__module__ == views_module.__name__)
    }


# The checks ----------------------------------------------------------------------------------


def assert_sent_to_sign_in(client, things, endpoint, snapshot):
    """An anonymous visitor is redirected to sign in, with ?next= back here, and nothing changes."""
    endpoint.arrange(things)
    before = snapshot()

    address, response = endpoint.request(client, things)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={address}"
    assert snapshot() == before
    return response


def assert_turned_away(client, user, things, endpoint, snapshot, status_code):
    """Signed in as this user, the page answers `status_code` (404 or 403) and nothing changes."""
    endpoint.arrange(things)
    sign_in(client, user)
    before = snapshot()

    _, response = endpoint.request(client, things)

    assert response.status_code == status_code
    assert snapshot() == before
    return response


def assert_can_use(client, user, things, endpoint):
    """Signed in as this user, a GET shows the page and a POST redirects (not to sign in) without
    an error message."""
    endpoint.arrange(things)
    _, response = endpoint.request(sign_in(client, user), things)

    if endpoint.method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.context and response.context["form"].errors
        assert not response.url.startswith(reverse("login"))
        assert messages.ERROR not in [level for level, _ in messages_of(response)]
    return response
