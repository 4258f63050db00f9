from django.db import migrations

from portal.estates.roles import sync_roles

TRADES = [
    ("water", "水"),
    ("electricity", "电"),
    ("elevator", "电梯"),
    ("gas", "燃气"),
    ("carpentry", "木工"),
    ("general", "综合维修"),
]


def create_trades(apps, schema_editor):
    Trade = apps.get_model("estates", "Trade")
    for code, name in TRADES:
        Trade.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [
        ("estates", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
        migrations.RunPython(create_trades, migrations.RunPython.noop),
    ]
