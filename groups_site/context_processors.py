"""What every page's template needs to know about the signed-in person."""

from functools import cached_property

from django.contrib.auth.models import AnonymousUser

from groups.models import GroupRole
from reports.permissions import reports_on_some_group
from sessions_log.permissions import reviews_debriefs_of_some_group


class Menu:
    """What the main menu offers this person. The roles they hold are read in one query, and only
    when a template first asks: a page without the menu (or a signed-out visitor) costs none."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def _roles(self) -> set[str]:
        if not self._user.is_authenticated:
            return set()
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
