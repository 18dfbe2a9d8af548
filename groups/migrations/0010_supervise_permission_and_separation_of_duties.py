"""Separation of duties (issue 13, item 2).

- The "May be chosen to supervise a group" permission, granted here to everyone who supervises a
  group today, so no group loses its supervisor's eligibility; from now on an administrator of
  the organisation grants it in the admin.
- Nobody coordinates and supervises the same group: a partial unique index on (group, user)
  over the coordinating and supervising rows. A database holding such a pair stops here, naming
  the groups and people by number only, for an administrator to remove one of the two roles
  first: which one goes is theirs to decide, not a migration's.
"""

from django.conf import settings
from django.db import migrations, models

CODENAME = "supervise_groups"
NAME = "May be chosen to supervise a group"


def grant_to_current_supervisors(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    GroupRole = apps.get_model("groups", "GroupRole")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    # Django creates permissions after migrating (post_migrate): this one is needed now.
    content_type, _ = ContentType.objects.get_or_create(app_label="groups", model="supportgroup")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )
    supervisors = GroupRole.objects.filter(role="supervisor").values("user_id")
    for user in User.objects.filter(pk__in=supervisors).order_by("pk"):
        user.user_permissions.add(permission)


def refuse_coordinators_who_supervise(apps, schema_editor):
    GroupRole = apps.get_model("groups", "GroupRole")
    supervising = GroupRole.objects.filter(role="supervisor").values_list("group_id", "user_id")
    pairs = sorted(
        pair
        for pair in supervising
        if GroupRole.objects.filter(group_id=pair[0], user_id=pair[1], role="coordinator").exists()
    )
    if pairs:
        listed = ", ".join(f"group {group_id} (user {user_id})" for group_id, user_id in pairs)
        raise RuntimeError(
            "Someone coordinates and supervises the same group, which is no longer allowed: "
            f"{listed}. Remove one of the two roles on the group's team page, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0009_contact_for_follow_up_check_ins_and_aims_reviews"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="supportgroup",
            options={"ordering": ["name"], "permissions": [(CODENAME, NAME)]},
        ),
        migrations.RunPython(grant_to_current_supervisors, migrations.RunPython.noop),
        migrations.RunPython(refuse_coordinators_who_supervise, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="grouprole",
            constraint=models.UniqueConstraint(
                condition=models.Q(("role__in", ["coordinator", "supervisor"])),
                fields=("group", "user"),
                name="never_coordinator_and_supervisor_of_one_group",
            ),
        ),
    ]
