"""Create the groups behind the site roles (opencare.accounts.roles)."""

from django.db import migrations

# Written out rather than imported from roles.py: a migration must keep doing what it did when it was written.
SITE_ROLE_GROUPS = ("moderators", "administrators")


def create_site_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in SITE_ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def delete_site_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=SITE_ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_site_role_groups, delete_site_role_groups),
    ]
