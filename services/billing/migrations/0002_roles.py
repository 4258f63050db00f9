from django.db import migrations

from portal.estates.roles import sync_roles


class Migration(migrations.Migration):
    """Billing permissions for the roles (portal.estates.roles)."""

    dependencies = [
        ("billing", "0001_billing"),
        ("estates", "0003_staff_management_and_registration_code_roles"),
        ("services", "0002_roles_and_default_categories"),
        ("wechat", "0003_role_permissions"),
        ("notifications", "0002_roles"),
        ("wagtailadmin", "0002_admin"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
