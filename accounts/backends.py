"""Django's ModelBackend, reading a signed-in person's permissions (and the roles they hold, for the
menu) in the same query as the person.

Every signed-in request reads the person by the id in their session (`get_user`). Django then reads
their permissions with two more queries the first time a page asks (`user.has_perm`), as the
dashboard and My groups do on every visit (`groups.permissions.can_create_group`). Here the
person's own permissions and their groups' come back as two arrays in the same row, and fill the
caches ModelBackend would otherwise fill with those two queries, so `has_perm` answers from them.

Nothing is kept between requests: every request reads the person and their permissions afresh, so
a permission taken away applies from the next request, as before. Superusers are left as Django
treats them (every permission, without asking). On databases other than PostgreSQL (SQLite, for
`make run`) the person is read as ModelBackend reads them, and their permissions as before.

The query is written in SQL: built with the ORM (ArraySubquery), compiling it took about 4 ms of
Python a request, more than the two queries it replaces; this takes 0.1 ms more than reading the
person alone.
"""

from functools import cache

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections

# The backend a person signs in through (settings.AUTHENTICATION_BACKENDS), for a login made by
# the app itself (accepting an invitation), which must name it: a path not in the settings would
# leave the session signed out on the next request.
SIGN_IN_BACKEND = "accounts.backends.PermissionsWithUserBackend"

# ModelBackend's caches: the person's own permissions, and those of their groups ("app_label.codename").
USER_PERMISSIONS_CACHE = "_user_perm_cache"
GROUP_PERMISSIONS_CACHE = "_group_perm_cache"
# The roles the person holds in any group, read in the same row: every signed-in page's menu asks
# (groups_site.context_processors.Menu), and would otherwise cost a query of its own.
ROLES_HELD = "roles_held"


@cache
def _concrete_field_names() -> list[str]:
    return [field.attname for field in get_user_model()._meta.concrete_fields]


@cache
def _user_with_permissions_sql() -> str:
    """SELECT the person's row, and their permissions' names as two arrays, by the person's id."""
    User = get_user_model()
    user_permissions = User._meta.get_field("user_permissions")
    user_groups = User._meta.get_field("groups")
    group_permissions = Group._meta.get_field("permissions")
    permission = Permission._meta.db_table
    content_type = ContentType._meta.db_table
    group_role = apps.get_model("groups", "GroupRole")  # the groups app's models import this app's
    name = f"ct.app_label || '.' || p.codename FROM {permission} p JOIN {content_type} ct ON ct.id = p.content_type_id"
    return (
        f"SELECT {', '.join('u.' + connection.ops.quote_name(field.column) for field in User._meta.concrete_fields)}, "
        f"ARRAY(SELECT {name} JOIN {user_permissions.m2m_db_table()} up "
        f"ON up.{user_permissions.m2m_reverse_name()} = p.id "
        f"WHERE up.{user_permissions.m2m_column_name()} = u.id) AS {USER_PERMISSIONS_CACHE}, "
        f"ARRAY(SELECT {name} JOIN {group_permissions.m2m_db_table()} gp "
        f"ON gp.{group_permissions.m2m_reverse_name()} = p.id "
        f"JOIN {user_groups.m2m_db_table()} ug "
        f"ON ug.{user_groups.m2m_reverse_name()} = gp.{group_permissions.m2m_column_name()} "
        f"WHERE ug.{user_groups.m2m_column_name()} = u.id) AS {GROUP_PERMISSIONS_CACHE}, "
        f"ARRAY(SELECT DISTINCT r.role FROM {group_role._meta.db_table} r WHERE r.user_id = u.id) AS {ROLES_HELD} "
        f"FROM {User._meta.db_table} u WHERE u.id = %s"
    )


class PermissionsWithUserBackend(ModelBackend):
    def get_user(self, user_id):
        manager = get_user_model()._default_manager
        if connections[manager.db].vendor != "postgresql":
            return super().get_user(user_id)
        with connections[manager.db].cursor() as cursor:
            cursor.execute(_user_with_permissions_sql(), [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        *values, user_permissions, group_permissions, roles_held = row
        user = manager.model.from_db(manager.db, _concrete_field_names(), values)
        if not self.user_can_authenticate(user):
            return None
        setattr(user, ROLES_HELD, frozenset(roles_held))
        if not user.is_superuser:
            # Exactly what ModelBackend._get_permissions would have read, as the sets it keeps.
            # (Django gives superusers every permission: it reads theirs as it always has.)
            setattr(user, USER_PERMISSIONS_CACHE, set(user_permissions))
            setattr(user, GROUP_PERMISSIONS_CACHE, set(group_permissions))
        return user
