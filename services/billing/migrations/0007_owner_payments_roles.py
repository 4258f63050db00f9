from django.db import migrations

from portal.estates.roles import sync_roles


class Migration(migrations.Migration):
    """Finance publishes funds statements and reads receipts, advance balances and
    parking cards (portal.estates.roles)."""

    dependencies = [
        ("billing", "0006_reminders_and_dunning"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
