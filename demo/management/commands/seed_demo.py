"""Demo users and groups, so the app can be tried at once. Safe to run more than once.

`--scale N` adds an organisation's worth of data on top (see demo/scale.py): about N running
groups with two years of weekly sessions, for trying the app and for `make bench`.

The small demo goes through the services one change at a time (demo/plans.py, demo/sessions.py),
each in its own transaction: a service's transaction is the outer one, so nothing here opens
another around them. A second run adds only what is missing, as it checks what exists first.
"""

import secrets
import time

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from demo.plans import active_group, half_planned_group, ready_group
from demo.scale import (
    DEMO_COFACILITATED,
    DEMO_COORDINATED,
    DEMO_FACILITATED,
    DEMO_SUPERVISED,
    ScalePlan,
    scale_data_exists,
    seed_scale,
    update_planner_statistics,
)

DEMO_PASSWORD = "demo-password-2026"

DEMO_USERS = [
    # username, first name, last name, what they do
    ("coordinator", "Cora", "Okafor", "coordinates all three demo groups"),
    ("facilitator", "Finn", "Murray", "leads the active and ready groups"),
    ("cofacilitator", "Priya", "Shah", "co-facilitates the active group"),
    ("supervisor", "Sam", "Lewis", "supervises the facilitators"),
    ("admin", "Ada", "Admin", "superuser: sees everything, uses /admin/"),
]


class Command(BaseCommand):
    help = "Create demo users (one per role) and three groups: one half planned, one ready to launch, one active."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Also create about N running groups with two years of weekly sessions, registers, "
            "follow-ups and debriefs (N=200: 20,000 sessions, 300,000 register marks).",
        )

    def handle(self, *args, scale=None, **options):
        if scale is not None and scale < 1:
            raise CommandError("--scale needs a number of groups, 1 or more.")
        users = {username: self._user(username, first, last) for username, first, last, _ in DEMO_USERS}
        coordinator, facilitator, supervisor = users["coordinator"], users["facilitator"], users["supervisor"]
        half_planned_group(coordinator=coordinator)
        ready_group(coordinator=coordinator, facilitator=facilitator, supervisor=supervisor)
        active_group(
            coordinator=coordinator,
            facilitator=facilitator,
            cofacilitator=users["cofacilitator"],
            supervisor=supervisor,
        )
        if scale and self._scale(scale, users):
            # After the generator's transaction has committed: PostgreSQL's VACUUM cannot run inside one.
            update_planner_statistics()
        self._print_logins()

    def _scale(self, groups, users) -> bool:
        if scale_data_exists():
            self.stdout.write("Scale data is already there; nothing added.")
            return False
        started = time.monotonic()
        counts = seed_scale(
            plan=ScalePlan(groups=groups),
            demo_users=users,
            # The staff accounts follow the demo accounts' rule: a known password only with DEBUG on.
            password=DEMO_PASSWORD if settings.DEBUG else None,
        )
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Scale data ({groups} running groups) written in {elapsed:.1f} s:"))
        for what, count in sorted(counts.items()):
            self.stdout.write(f"  {count:>9,} {what}")
        self.stdout.write(
            f"The demo accounts also run scale groups: coordinator coordinates {DEMO_COORDINATED}, facilitator "
            f"leads {DEMO_FACILITATED}, cofacilitator co-facilitates {DEMO_COFACILITATED}, supervisor supervises "
            f"{DEMO_SUPERVISED} (fewer when N is smaller). Accounts named scale-coordinator-1 and so on share the rest."
        )
        return True

    def _user(self, username, first_name, last_name):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@example.org"},
        )
        if created:
            # Outside DEBUG nobody should be able to sign in with a published password.
            user.set_password(DEMO_PASSWORD if settings.DEBUG else secrets.token_urlsafe(24))
            if username == "admin":
                user.is_staff = user.is_superuser = True
            user.save()
        if username == "coordinator":
            user.user_permissions.add(Permission.objects.get(codename="add_supportgroup"))
        if username == "supervisor":
            # Coordinators choose a supervisor only among the people the organisation allows.
            user.user_permissions.add(Permission.objects.get(codename="supervise_groups"))
        return user

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if not settings.DEBUG:
            self.stdout.write("Demo passwords are only set and shown with DEBUG on. Use `manage.py changepassword`.")
            return
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/ with any of these (password: {DEMO_PASSWORD}):")
        for username, _, _, role in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {role}")
