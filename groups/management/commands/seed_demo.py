"""Demo users and groups, so the app can be tried at once. Safe to run more than once.

`--scale N` adds an organisation's worth of data on top (see groups/scale.py): about N running
groups with two years of weekly sessions, for trying the app and for `make bench`.
"""

import datetime
import secrets
import time

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from groups.checklist import CHECKLIST
from groups.models import ChecklistAnswer, GroupRole, SupportGroup
from groups.planning import launch_group
from groups.scale import (
    DEMO_COFACILITATED,
    DEMO_COORDINATED,
    DEMO_FACILITATED,
    DEMO_SUPERVISED,
    ScalePlan,
    scale_data_exists,
    seed_scale,
    update_planner_statistics,
)
from groups.services import start_risk_assessment
from groups.tests.factories import AimFactory, GroupRoleFactory, RuleFactory, SupportGroupFactory, complete_plan
from sessions_log.demo import seed_session_history

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
        # Not one transaction: the services called here each commit their own change (durably,
        # as they do for a page), so a failure part-way leaves what came before it.
        users = {username: self._user(username, first, last) for username, first, last, _ in DEMO_USERS}
        coordinator, facilitator, supervisor = users["coordinator"], users["facilitator"], users["supervisor"]
        self._half_planned_group(coordinator)
        self._ready_group(coordinator, facilitator, supervisor)
        self._active_group(coordinator, facilitator, users["cofacilitator"], supervisor)
        added_scale_data = bool(scale) and self._scale(scale, users)
        if added_scale_data:
            # Outside the transaction: PostgreSQL's VACUUM cannot run inside one.
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
        return user

    def _group(self, name, coordinator, **fields):
        group = SupportGroup.objects.filter(name=name).first()
        if group:
            return group, False
        group = SupportGroupFactory(name=name, **fields)
        GroupRoleFactory(group=group, user=coordinator, role=GroupRole.Role.COORDINATOR)
        return group, True

    def _half_planned_group(self, coordinator):
        group, created = self._group(
            "Young adults' evening group (demo)",
            coordinator,
            purpose="A fortnightly group for 18 to 25 year olds to share coping strategies.",
            minimum_age=18,
            maximum_age=25,
            meeting_frequency=SupportGroup.Frequency.FORTNIGHTLY,
        )
        if not created:
            return
        AimFactory(group=group)
        for item in CHECKLIST[:12]:
            ChecklistAnswer.objects.create(
                group=group,
                item_key=item.key,
                answer="Discussed at the first planning meeting.",
                status=ChecklistAnswer.Status.DONE,
                updated_by=coordinator,
            )
        ChecklistAnswer.objects.create(
            group=group,
            item_key=CHECKLIST[12].key,
            answer="Draft: still to agree with the venue.",
            status=ChecklistAnswer.Status.IN_PROGRESS,
            updated_by=coordinator,
        )
        start_risk_assessment(group=group, by=coordinator)

    def _ready_group(self, coordinator, facilitator, supervisor):
        group, created = self._group(
            "Thursday women's group (demo)",
            coordinator,
            purpose="A weekly peer group for women aged 18 and over.",
            gender_eligibility=SupportGroup.Gender.WOMEN,
            meeting_weekday=SupportGroup.Weekday.THURSDAY,
        )
        if created:
            complete_plan(group, facilitator=facilitator, supervisor=supervisor)

    def _active_group(self, coordinator, facilitator, cofacilitator, supervisor):
        group, created = self._group(
            "Riverside peer support group (demo)",
            coordinator,
            purpose="A weekly evening group where adults share what helps them cope.",
            venue="Riverside Community Centre, Room 2",
        )
        if created:
            complete_plan(group, facilitator=facilitator, supervisor=supervisor)
            GroupRoleFactory(group=group, user=cofacilitator, role=GroupRole.Role.CO_FACILITATOR)
            RuleFactory(group=group, text="Talk about feelings, not about how anyone hurts themselves.")
            launch_group(group=group, by=coordinator)
            # Pretend it launched two months ago, so it has a history of sessions to show.
            group.launched_at = timezone.now() - datetime.timedelta(weeks=8)
            group.save(update_fields=["launched_at"])
            seed_session_history(group, facilitator=facilitator, cofacilitator=cofacilitator, supervisor=supervisor)

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if not settings.DEBUG:
            self.stdout.write("Demo passwords are only set and shown with DEBUG on. Use `manage.py changepassword`.")
            return
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/ with any of these (password: {DEMO_PASSWORD}):")
        for username, _, _, role in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {role}")
