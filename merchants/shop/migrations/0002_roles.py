from django.db import migrations

from portal.estates.roles import sync_roles


class Migration(migrations.Migration):
    """Merchants keep their products and handle their orders; managers and customer
    service handle their communities' orders; leadership reads them (portal.estates.roles)."""

    dependencies = [
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
