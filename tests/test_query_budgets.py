"""Every page `make bench` times stays within a fixed number of queries, and that number does not
grow with the data: it is the same at two sizes. The data comes from the benchmark's own
generator (demo/scale.py), only smaller."""

import importlib
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, clear_url_caches, reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from bench.budget import QUERY_BUDGET
from bench.pages import benchmark_pages, facilitated_scale_groups
from demo.scale import ScalePlan, seed_scale
from tests.access_matrix import sign_in

DEMO_USERNAMES = ("coordinator", "facilitator", "cofacilitator", "supervisor")
MODERATE = ScalePlan(groups=5, sessions_per_group=20, founding_members=10)
LARGER = ScalePlan(groups=8, sessions_per_group=30, founding_members=12)


def _rebuild_urls():
    """Build the project's URLs again from the settings as they are now, as a new process would."""
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@contextmanager
def bench_floor(*, enabled: bool):
    """The project's URLs as they are with BENCH_FLOOR_ENABLED on or off; as before afterwards."""
    try:
        with override_settings(BENCH_FLOOR_ENABLED=enabled):
            _rebuild_urls()
            yield
    finally:
        _rebuild_urls()


@pytest.fixture(autouse=True)
def floor_routed():
    """As under `make bench`, which turns the floor pages on."""
    with bench_floor(enabled=True):
        yield


@pytest.fixture
def demo_users(db):
    return {username: UserFactory(username=username) for username in DEMO_USERNAMES}


def _seed(plan, demo_users, *, seed):
    """Add scale data, and return the newest group the demo facilitator leads: the largest yet."""
    seed_scale(plan=plan, demo_users=demo_users, password=None, seed=seed)
    return facilitated_scale_groups().latest("pk")


def _client_for(page):
    client = Client()
    if page.username:
        client.force_login(User.objects.get(username=page.username))
    # A first visit, as any worker has made before: it fills process-wide caches (content types).
    assert client.get(page.url).status_code == 200, page.label
    return client


def _queries(page) -> int:
    client = _client_for(page)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url)
    assert response.status_code == 200, page.label
    return len(queries)


def test_every_benchmarked_page_exists(demo_users):
    pages = benchmark_pages(_seed(MODERATE, demo_users, seed=1))
    assert [page.label for page in pages if page.url is None] == []


def test_every_benchmarked_page_stays_within_the_query_budget(demo_users, django_assert_max_num_queries):
    for page in benchmark_pages(_seed(MODERATE, demo_users, seed=1)):
        client = _client_for(page)
        with django_assert_max_num_queries(QUERY_BUDGET, info=page.label):
            response = client.get(page.url)
        assert response.status_code == 200, page.label


def test_query_counts_do_not_grow_with_the_data(demo_users):
    moderate = {page.label: _queries(page) for page in benchmark_pages(_seed(MODERATE, demo_users, seed=1))}
    # More groups for every demo account, a longer history for each group, more members.
    larger = {page.label: _queries(page) for page in benchmark_pages(_seed(LARGER, demo_users, seed=2))}
    assert larger == moderate


def test_floor_page_makes_no_queries_and_needs_no_sign_in(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("bench:floor"))
    assert response.status_code == 200
    assert b"Benchmark floor" in response.content


def test_floor_with_the_query_budget_makes_exactly_that_many_queries_and_needs_no_sign_in(
    db, client, django_assert_num_queries
):
    with django_assert_num_queries(QUERY_BUDGET):
        response = client.get(reverse("bench:floor_with_query_budget"))
    assert response.status_code == 200
    assert b"Benchmark floor" in response.content


FLOOR_PAGES = ["bench:floor", "bench:floor_signed_in", "bench:floor_with_query_budget"]


@pytest.mark.parametrize("name", FLOOR_PAGES)
def test_floor_pages_do_not_exist_unless_the_benchmark_turns_them_on(client, name):
    path = reverse(name)
    with bench_floor(enabled=False):
        with pytest.raises(NoReverseMatch):
            reverse(name)
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("name", ["bench:floor", "bench:floor_with_query_budget"])
def test_floor_pages_only_answer_reads(client, name):
    assert client.post(reverse(name)).status_code == 405


def test_signed_in_floor_reads_only_the_session_the_user_with_their_roles_and_the_two_factor_device(
    db, client, settings, django_assert_num_queries
):
    settings.OTP_REQUIRED = True
    sign_in(client, UserFactory(first_name="Fern", last_name="Floor"), verified=True)
    url = reverse("bench:floor_signed_in")
    # A first visit, as after any other page: it sets the CSRF cookie the client then sends back.
    assert client.get(url).status_code == 200

    # What every signed-in page reads before its own work: the session, the person (with their
    # permissions and the roles the menu shows "Supervision" and "Reports" by, in the same row:
    # accounts.backends) and the two-factor device.
    with django_assert_num_queries(3):
        response = client.get(url)

    assert response.status_code == 200
    # base.html as a signed-in person sees it: the menu, their name and the sign-out form.
    assert b"Benchmark floor, signed in" in response.content
    assert b"Signed in as Fern Floor" in response.content
    assert b"Account security" in response.content


def test_signed_in_floor_needs_sign_in_and_answers_only_reads(db, client, settings):
    url = reverse("bench:floor_signed_in")
    assert client.get(url).status_code == 302

    sign_in(client, UserFactory(), verified=True)
    assert client.post(url).status_code == 405
