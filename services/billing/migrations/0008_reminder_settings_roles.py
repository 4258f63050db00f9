from django.db import migrations

from portal.estates.roles import sync_roles


class Migration(migrations.Migration):
    """Finance sets the bill reminders of its communities (portal.estates.roles)."""

    dependencies = [
        ("billing", "0007_owner_payments_roles"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
