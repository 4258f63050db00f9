from django.db import migrations

from portal.estates.roles import sync_roles


class Migration(migrations.Migration):
    """Editors keep the auto-replies and menus, managers also push menus, customer service
    sees followers, leadership manages the accounts (portal.estates.roles)."""

    dependencies = [
        ("wechat", "0002_alter_menu_buttons"),
        ("estates", "0004_occupancy_named_house_binding"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
