"""The admin cannot go around the app's rules, and is for superusers only.

Records that carry rules (groups, their team, plan, documents, the access log, calendar feeds)
are read-only there, even for a superuser: a POST to their add, change or delete pages is
refused and changes nothing. People and their sign-in records stay editable, as that is how the
organisation's administrator manages people. A staff account that is not a superuser gets
nothing from the admin, not even a group's name.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group as PermissionGroup
from django.contrib.auth.models import Permission
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.tests.factories import UserFactory
from audit.models import AccessEvent
from audit.services import record_access
from groups.models import ExitStrategy, GroupRole, SupportGroup
from groups.tests.factories import SupportGroupFactory
from notifications.mail import send_after_commit
from notifications.models import EmailPreference
from notifications.reminders import notify_once
from tests.access_matrix import sign_in

pytestmark = pytest.mark.django_db

# What the organisation's administrator manages in the admin: people, who may plan groups (Django's
# permission groups), two-factor devices (a lost phone) and lockouts.
PEOPLE_AND_SIGN_IN = {User, PermissionGroup, StaticDevice, TOTPDevice, AccessAttempt, AccessLog, AccessFailureLog}
READ_ONLY = sorted(
    (model for model in admin.site._registry if model not in PEOPLE_AND_SIGN_IN), key=lambda model: model._meta.label
)
CHANGED = "Changed in the admin"


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client, superuser):
    return sign_in(client, superuser)


def admin_url(obj_or_model, view, *args):
    meta = obj_or_model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def rows_of(model):
    return list(model.objects.order_by("pk").values())


def history_of(model):
    history = getattr(model, "history", None)
    return list(history.order_by("pk").values_list("pk", flat=True)) if history else []


def changed(obj) -> dict:
    """The object's fields as the admin's form posts them, with every text changed."""
    data = {name: value for name, value in model_to_dict(obj).items() if value is not None}
    return {name: f"{CHANGED}: {value}" if isinstance(value, str) else value for name, value in data.items()}


# What the admin offers ---------------------------------------------------------------------------


def test_every_record_with_rules_is_read_only_in_the_admin_even_for_a_superuser(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser

    editable = [
        model._meta.label
        for model in READ_ONLY
        if admin.site._registry[model].has_add_permission(request)
        or admin.site._registry[model].has_change_permission(request)
        or admin.site._registry[model].has_delete_permission(request)
        or admin.site._registry[model].get_actions(request).keys() - {"launch_selected"}
    ]
    inlines = [
        f"{model._meta.label}: {inline.model._meta.label}"
        for model in READ_ONLY
        for inline in admin.site._registry[model].get_inline_instances(request)
        if inline.has_add_permission(request, None)
        or inline.has_change_permission(request)
        or inline.has_delete_permission(request)
    ]
    assert READ_ONLY
    assert not editable
    assert not inlines


def test_people_stay_editable_by_the_organisations_administrator(admin_client):
    person = UserFactory(username="newstarter", email="")

    response = admin_client.post(
        admin_url(person, "change", person.pk),
        {
            **model_to_dict(person, fields=["username", "first_name", "last_name", "date_joined"]),
            "email": "new.starter@example.org",
            "is_active": "on",
            "date_joined_0": person.date_joined.date().isoformat(),
            "date_joined_1": "09:00:00",
            "initial-date_joined_0": person.date_joined.date().isoformat(),
            "initial-date_joined_1": "09:00:00",
        },
    )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.email == "new.starter@example.org"


# A superuser's POSTs change nothing ----------------------------------------------------------------


@pytest.fixture
def one_of_everything(world, superuser, settings, django_capture_on_commit_callbacks):
    record_access(user=superuser, action=AccessEvent.Action.VIEWED_HISTORY, group=world.group)
    EmailPreference.objects.create(user=superuser)
    # An email waiting on the database queue: a task result, as the worker's admin lists them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        send_after_commit("password_reset", to=world.people["coordinator"])
        # A row of the sent-log: the supervisor told they supervise the group.
        notify_once(
            "supervision_started",
            recipient=world.people["supervisor"],
            subject_id=world.group.pk,
            occasion=timezone.localdate(),
            group_id=world.group.pk,
        )
    return world


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda model: model._meta.label)
def test_a_superusers_posts_to_add_change_and_delete_are_refused_and_change_nothing(
    admin_client, one_of_everything, model
):
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"tests/world.py builds no {model._meta.label}"
    before = rows_of(model), history_of(model)

    added = admin_client.post(admin_url(model, "add"), changed(obj))
    edited = admin_client.post(admin_url(obj, "change", obj.pk), changed(obj))
    deleted = admin_client.post(admin_url(obj, "delete", obj.pk), {"post": "yes"})
    bulk_deleted = admin_client.post(
        admin_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )

    assert added.status_code == 403
    assert edited.status_code == 403
    assert deleted.status_code == 403
    # No such action: the list page is shown again with "No action selected", and nothing goes.
    assert bulk_deleted.status_code in {200, 302}
    assert (rows_of(model), history_of(model)) == before


def test_the_last_coordinator_cannot_be_removed_in_the_admin(admin_client, world):
    coordinator_role = world.group.roles.get(role=GroupRole.Role.COORDINATOR)

    on_its_own = admin_client.post(admin_url(coordinator_role, "delete", coordinator_role.pk), {"post": "yes"})
    from_the_group = admin_client.post(
        admin_url(world.group, "change", world.group.pk),
        {
            **changed(world.group),
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "1",
            "roles-0-id": str(coordinator_role.pk),
            "roles-0-group": str(world.group.pk),
            "roles-0-DELETE": "on",
        },
    )

    assert on_its_own.status_code == from_the_group.status_code == 403
    assert world.group.roles.filter(role=GroupRole.Role.COORDINATOR).exists()


def test_a_plan_document_keeps_its_version_and_text_in_the_admin(admin_client, world):
    document = ExitStrategy.objects.get(group=world.group)
    before = model_to_dict(document), document.version, document.history.count()

    response = admin_client.post(
        admin_url(document, "change", document.pk), {**changed(document), "opened_version": "0", "version": "0"}
    )

    document.refresh_from_db()
    assert response.status_code == 403
    assert (model_to_dict(document), document.version, document.history.count()) == before


def test_launching_from_the_admin_goes_through_the_launch_gate(admin_client, superuser):
    ready = SupportGroupFactory(name="Ready group", ready_to_launch=True)
    not_ready = SupportGroupFactory(name="Unready group")

    response = admin_client.post(
        admin_url(SupportGroup, "changelist"),
        {"action": "launch_selected", "_selected_action": [ready.pk, not_ready.pk]},
        follow=True,
    )

    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert ready.status == SupportGroup.Status.ACTIVE
    assert not_ready.status == SupportGroup.Status.PLANNING
    said = [str(message) for message in response.context["messages"]]
    assert "Ready group is now active." in said
    assert any(message.startswith("Unready group cannot launch: ") for message in said)


# Staff who are not superusers ------------------------------------------------------------------------


@pytest.fixture
def staff_with_every_permission(db):
    """A staff account with no role in any group, granted every permission of the project: before
    the admin was kept to superusers, its view permissions showed every group and team."""
    staff = UserFactory(username="stafford", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    return staff


ADMIN_PAGES = [
    ("index", lambda world: reverse("admin:index")),
    ("groups", lambda world: admin_url(SupportGroup, "changelist")),
    ("group", lambda world: admin_url(world.group, "change", world.group.pk)),
    ("team", lambda world: admin_url(GroupRole, "changelist")),
    ("access-log", lambda world: admin_url(AccessEvent, "changelist")),
    ("calendar-feeds", lambda world: reverse("admin:reports_calendarfeed_changelist")),
    ("people", lambda world: admin_url(User, "changelist")),
]


@pytest.mark.parametrize(("name", "address"), ADMIN_PAGES, ids=[name for name, _ in ADMIN_PAGES])
def test_staff_who_are_not_superusers_get_nothing_from_the_admin(
    client, one_of_everything, staff_with_every_permission, name, address
):
    world = one_of_everything
    sign_in(client, staff_with_every_permission)

    response = client.get(address(world))
    after_redirects = client.get(address(world), follow=True)

    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert response.url.startswith(reverse("admin:login"))
    page = after_redirects.content.decode()
    assert world.group.name not in page
    assert world.people["coordinator"].username not in page


def test_staff_who_are_not_superusers_cannot_post_to_the_admin(client, world, staff_with_every_permission):
    person = world.people["coordinator"]
    sign_in(client, staff_with_every_permission)
    before = rows_of(User), rows_of(GroupRole)

    client.post(admin_url(person, "change", person.pk), {"username": "renamed", "email": "x@example.org"})
    client.post(admin_url(person, "delete", person.pk), {"post": "yes"})

    assert (rows_of(User), rows_of(GroupRole)) == before
