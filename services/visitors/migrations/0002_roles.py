from django.db import migrations

from portal.estates.roles import sync_roles


class Migration(migrations.Migration):
    """Guards, desk staff and managers get their visitor permissions
    (portal.estates.roles)."""

    dependencies = [
        ("visitors", "0001_passes"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
