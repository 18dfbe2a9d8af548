"""What every page's template needs to know about the signed-in person."""

from functools import cached_property

from django.contrib.auth.models import AnonymousUser

from accounts.backends import ROLES_HELD
from groups.models import GroupRole
from reports.permissions import reports_on_some_group
from sessions_log.permissions import reviews_debriefs_of_some_group


class Menu:
    """What the main menu offers this person, from the roles they hold: read with the person by
    the sign-in backend, or else in one query, and only when a template first asks."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def _roles(self) -> set[str]:
        if not self._user.is_authenticated:
            return set()
        # Read with the person by the sign-in backend on PostgreSQL (accounts.backends.ROLES_HELD),
        # as every request reads them afresh; else one query.
        held = getattr(self._user, ROLES_HELD, None)
        if held is not None:
            return set(held)
        # order_by(): the model's default order would join the users table for nothing.
        return set(GroupRole.objects.filter(user=self._user).order_by().values_list("role", flat=True).distinct())

    @cached_property
    def shows_supervision(self) -> bool:
        return self._user.is_authenticated and reviews_debriefs_of_some_group(self._user, self._roles)

    @cached_property
    def shows_reports(self) -> bool:
        return self._user.is_authenticated and reports_on_some_group(self._user, self._roles)


def menu(request):
    # Error pages can be drawn before the authentication middleware has set a user.
    return {"menu": Menu(getattr(request, "user", None) or AnonymousUser())}
