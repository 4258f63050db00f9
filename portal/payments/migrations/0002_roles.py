from django.db import migrations

from portal.estates.roles import sync_roles


class Migration(migrations.Migration):
    """Payment orders and refunds for the role groups (portal.estates.roles): finance
    views, refunds and records offline payments; leadership and managers view."""

    dependencies = [
        ("payments", "0001_payment_orders"),
        ("services", "0002_roles_and_default_categories"),
        ("wagtailadmin", "0002_admin"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
