"""Who may do what with a group.

Each question takes a user and a group and reads the group's roles through
`group.roles_of(user)`, which answers from prefetched roles when the view loaded them.
Seeing a group at all is SupportGroup.objects.visible_to(user): an outsider gets a 404.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from .models import GroupRole, SupportGroup

Role = GroupRole.Role


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


def can_view_group(user, group) -> bool:
    return holds_role(user, group, *Role.values)


def can_edit_plan(user, group) -> bool:
    """Only the group's coordinators write its plan: details, aims, rules, checklist and documents."""
    return holds_role(user, group, Role.COORDINATOR)


def can_manage_team(user, group) -> bool:
    """Only coordinators decide who facilitates and supervises."""
    return holds_role(user, group, Role.COORDINATOR)


def can_launch_group(user, group) -> bool:
    return holds_role(user, group, Role.COORDINATOR)


def can_change_status(user, group) -> bool:
    """Pausing, resuming and closing a group are coordinators' decisions."""
    return holds_role(user, group, Role.COORDINATOR)


def group_view(permission=can_view_group, *, plan=False):
    """Decorate a view taking (request, group, ...) from a URL with the group's `pk`.

    People with no role in the group get a 404, so they cannot even learn it exists; people
    with a role but without `permission` get a 403. With plan=True the group arrives with
    everything the plan page reads already loaded.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            queryset = SupportGroup.objects.visible_to(request.user)
            if plan:
                queryset = queryset.with_plan()
            else:
                queryset = queryset.prefetch_related(
                    Prefetch("roles", queryset=GroupRole.objects.select_related("user"))
                )
            group = get_object_or_404(queryset, pk=pk)
            if not permission(request.user, group):
                raise PermissionDenied
            return view(request, group, *args, **kwargs)

        return wrapper

    return decorator
