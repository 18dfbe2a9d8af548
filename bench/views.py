"""The floor pages `make bench` compares every page with. They open without signing in, so they
are routed only while BENCH_FLOOR_ENABLED is on (see bench/urls.py and groups_site/urls.py):
everywhere else their addresses do not exist."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from groups.models import SupportGroup

from .budget import QUERY_BUDGET

# Rows in the floor page's table: about as much markup as a typical page in the app.
FLOOR_ROWS = 20


def _floor(request):
    return render(request, "bench/floor.html", {"rows": range(1, FLOOR_ROWS + 1)})


@login_not_required
@require_GET
def floor(request):
    """The floor `make bench` measures every page against: the same middleware, template engine
    and page layout as the rest of the app, but no database queries. It never reads
    request.user, because a signed-in request already costs two queries (the session and the
    user)."""
    return _floor(request)


@require_GET
def floor_signed_in(request):
    """The floor as every signed-in page starts: base.html's signed-in layout (menu, name, sign-out
    form with its CSRF token, messages) after the same middleware, which reads the session, the
    user and, with two-factor on, the verified device. The same 20 rows as the floor and no
    queries of its own, so its ratio to the floor is what being signed in costs every page. Needs
    sign-in like any page."""
    return render(request, "bench/floor_signed_in.html", {"rows": range(1, FLOOR_ROWS + 1)})


@login_not_required
@require_GET
def floor_with_query_budget(request):
    """The floor page after as many queries as a page may make (the budget), each the cheapest
    kind there is: one group by its primary key (on the benchmark's data each finds one). Not a
    target but a yardstick: what the query budget alone costs, before any page does real work."""
    for pk in range(1, QUERY_BUDGET + 1):
        # Made only to be timed: nothing read is shown on this page, which needs no sign-in.
        list(SupportGroup.objects.filter(pk=pk).order_by())
    return _floor(request)
