"""The pages the benchmark times and tests/test_query_budgets.py counts queries on, each as a
signed-in person would open it on data made by `seed_demo --scale` (demo/scale.py)."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from accounts.models import User
from bench.budget import QUERY_BUDGET
from demo.scale import NAME_SUFFIX
from groups.models import GroupRole, SupportGroup
from sessions_log.models import GroupSession


@dataclass(frozen=True)
class Page:
    label: str
    # None when the page does not exist in this version of the app (the benchmark says so).
    url: str | None
    # Who opens it, signed in with a verified two-factor device; None to open it signed out.
    username: str | None
    # False for the yardsticks beside the floor: shown with their ratio, but not held to it.
    is_target: bool = True


def _url(name, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def facilitated_scale_groups():
    """Scale groups the demo facilitator leads; the demo coordinator coordinates them too."""
    return SupportGroup.objects.filter(
        name__endswith=NAME_SUFFIX,
        roles__user=User.objects.get(username="facilitator"),
        roles__role=GroupRole.Role.LEAD_FACILITATOR,
    )


def benchmark_pages(group: SupportGroup | None = None) -> list[Page]:
    """The pages to time. Pages about one group show `group`, by default the demo facilitator's
    first scale group; the register is its latest one taken."""
    group = group or facilitated_scale_groups().order_by("pk").first()
    if group is None:
        raise LookupError("No scale data: run `manage.py seed_demo --scale N` first.")
    session = GroupSession.objects.with_register().filter(group=group).order_by("-date", "-starts_at").first()
    return [
        # The first page is the floor: bench/run.py times every page, this one included, in turns
        # with it (floor, page, floor, page...) and gives each page's median as a ratio to it.
        Page("Floor (signed out, no queries)", _url("bench:floor"), None, is_target=False),
        # Not targets but yardsticks: base.html signed in, after the middleware's session, user and
        # two-factor device (what every signed-in page pays before it does anything of its own),
        # and the floor after the cheapest queries a page may make (what the budget alone costs).
        Page("Floor signed in (base.html)", _url("bench:floor_signed_in"), "coordinator", is_target=False),
        Page(
            f"Floor + {QUERY_BUDGET} one-row queries",
            _url("bench:floor_with_query_budget"),
            None,
            is_target=False,
        ),
        Page("Dashboard (coordinator)", _url("sessions_log:dashboard"), "coordinator"),
        # Not in the list, but where facilitators land, and it reads their whole history.
        Page("Dashboard (facilitator)", _url("sessions_log:dashboard"), "facilitator"),
        Page("My groups (coordinator)", _url("groups:home"), "coordinator"),
        Page("Plan page (coordinator)", _url("groups:plan", pk=group.pk), "coordinator"),
        Page(
            "Register (facilitator)", _url("sessions_log:register", pk=group.pk, session_pk=session.pk), "facilitator"
        ),
        Page("Supervision queue (supervisor)", _url("sessions_log:review_queue"), "supervisor"),
        Page("Group sessions (coordinator)", _url("sessions_log:group_sessions", pk=group.pk), "coordinator"),
        Page("Funder report (coordinator)", _url("reports:funder_report"), "coordinator"),
    ]
