from django.db import migrations

from portal.estates.roles import sync_roles


class Migration(migrations.Migration):
    """The delivery log and template settings for the role groups
    (portal.estates.roles.ROLE_PERMISSIONS)."""

    dependencies = [
        ("notifications", "0001_initial"),
        ("estates", "0004_occupancy_named_house_binding"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
