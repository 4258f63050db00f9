from django.db import migrations

from portal.estates.roles import sync_roles
from services.tickets.categories import ensure_default_categories


def default_categories(apps, schema_editor):
    Company = apps.get_model("estates", "Company")
    for company_id in Company.objects.values_list("pk", flat=True):
        ensure_default_categories(company_id, apps.get_model("services", "TicketCategory"),
                                  apps.get_model("estates", "Trade"))


class Migration(migrations.Migration):
    """Ticket permissions for the roles (portal.estates.roles) and the default ticket
    categories of the companies that exist."""

    dependencies = [
        ("services", "0001_tickets"),
        ("wechat", "0003_role_permissions"),
        ("notifications", "0002_roles"),
        # sync_roles keeps only permissions of apps whose models exist by now: the admin
        # access permission among them.
        ("wagtailadmin", "0002_admin"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
        migrations.RunPython(default_categories, migrations.RunPython.noop),
    ]
