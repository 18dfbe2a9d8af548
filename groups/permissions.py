"""Who may do what with a group.

Each question takes a user and a group and reads the group's roles through
`group.roles_of(user)`, which answers from prefetched roles when the view loaded them. Every
question is written with `holds_role` and the role sets on `GroupRole.Role`.
Seeing a group at all is SupportGroup.objects.visible_to(user): an outsider gets a 404.
"""

from functools import wraps

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from accounts.backends import SIGN_IN_BACKEND
from groups_site.errors import Refusal

from .models import GroupRole, SupportGroup

Role = GroupRole.Role
# Methods that only read: a view's `read` permission covers these, `write` every other.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def holds_role(user, group, *roles) -> bool:
    """Whether the person holds any of these roles in the group (superusers hold every role)."""
    return user.is_superuser or bool(group.roles_of(user) & set(roles))


def can_create_group(user) -> bool:
    """Coordinators are trusted to plan new groups by the organisation's admin (a Django permission)."""
    return user.has_perm("groups.add_supportgroup")


# For someone refused the new group page: it is not about a role in a group, so say who decides.
CANNOT_CREATE_GROUP = (
    "Planning a new group needs permission from your organisation's administrator, who gives it to "
    "the people who coordinate groups. If you should be planning groups, ask them for it."
)

# The Django permission an administrator of the organisation grants, in the admin, to the people
# who may be chosen to supervise a group (SupportGroup.Meta.permissions).
SUPERVISE_GROUPS = "groups.supervise_groups"


def may_supervise(user) -> bool:
    """Whether the organisation allows this person to supervise groups: an administrator grants
    it (the "May be chosen to supervise a group" permission). Coordinators choose a group's
    supervisor only among these people, so nobody appoints themselves."""
    return user.is_active and user.has_perm(SUPERVISE_GROUPS)


def people_who_may_supervise(group=None):
    """Everyone may_supervise says yes to, as a QuerySet; with `group`, less its coordinators, as
    nobody coordinates and supervises the same group. The supervisor pickers offer these."""
    # Asked of the model backend by name: the lockout backend listed before it grants nothing.
    people = get_user_model().objects.with_perm(SUPERVISE_GROUPS, backend=SIGN_IN_BACKEND)
    if group is not None:
        people = people.exclude(group_roles__group=group, group_roles__role=Role.COORDINATOR)
    return people.order_by("first_name", "last_name", "username")


def can_view_group(user, group) -> bool:
    return holds_role(user, group, *Role.EVERYONE)


def can_edit_plan(user, group) -> bool:
    """Only the group's coordinators write its plan: details, aims, rules, checklist and documents;
    and only until the group closes, when the plan stays as the record of how the group ran."""
    return not group.is_closed and holds_role(user, group, Role.COORDINATOR)


def can_record_aims_review(user, group) -> bool:
    """The people who run the group, its coordinators and facilitators, review where it stands
    against its aims (models.aims_review_refusal says when)."""
    return holds_role(user, group, *Role.RUNNING)


def can_manage_team(user, group) -> bool:
    """Only coordinators decide who facilitates and supervises."""
    return holds_role(user, group, Role.COORDINATOR)


def can_launch_group(user, group) -> bool:
    return holds_role(user, group, Role.COORDINATOR)


def can_change_status(user, group) -> bool:
    """Pausing, resuming and closing a group are coordinators' decisions."""
    return holds_role(user, group, Role.COORDINATOR)


def find_group(user, pk, permission=can_view_group, *, plan=False) -> SupportGroup:
    """The group, for a person allowed `permission` in it. People with no role in the group get a
    404, so they cannot even learn it exists; people with a role but without the permission get
    a 403. With plan=True the group comes with everything the plan page reads already loaded."""
    queryset = SupportGroup.objects.visible_to(user)
    if plan:
        queryset = queryset.with_plan()
    else:
        queryset = queryset.prefetch_related(Prefetch("roles", queryset=GroupRole.objects.select_related("user")))
    group = get_object_or_404(queryset, pk=pk)
    if not permission(user, group):
        raise PermissionDenied
    return group


def group_view(read=can_view_group, write=None, *, plan=False, record=None):
    """Decorate a view taking (request, group, ...) from a URL with the group's `pk`, declaring
    once what each kind of request needs: reading (GET, HEAD) needs `read`, anything else
    (POST) needs `write`, which is `read` unless given. A person with no role in the group gets a
    404 (see find_group); one without the permission the request needs, a 403.

    `record`, for a page about one record of the group (a debrief, a follow-up), is a function
    (group, **the URL's other arguments) returning that record, or raising Http404 when the group
    has none such. The view is then called as view(request, group, record), and `read` and
    `write` are questions about the record: permission(user, record, group).
    """
    write = write or read

    def decorator(view):
        @wraps(view)
        def wrapper(request, pk, **kwargs):
            permission = read if request.method in READING_METHODS else write
            if record is None:
                return view(request, find_group(request.user, pk, permission, plan=plan), **kwargs)
            group = find_group(request.user, pk, plan=plan)
            found = record(group, **kwargs)
            if not permission(request.user, found, group):
                raise PermissionDenied
            return view(request, group, found)

        return wrapper

    return decorator


def person_view(permission, *, refusal=None):
    """Decorate a view that is not about one group: people without `permission` (a question about
    the person alone, such as can_create_group) get a 403, which says `refusal` (who decides, and
    whom to ask) when given."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not permission(request.user):
                raise Refusal(refusal) if refusal else PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
