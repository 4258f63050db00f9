from django.db import migrations

from portal.estates.roles import sync_roles


class Migration(migrations.Migration):
    """Leadership and managers manage staff; managers and records admins print the
    registration QR code (portal.estates.roles.ROLE_PERMISSIONS)."""

    dependencies = [
        ("estates", "0002_roles_and_trades"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
