from django.db import migrations

from portal.estates.roles import sync_page_permissions, sync_roles


def grant(apps, schema_editor):
    sync_roles(apps, schema_editor)  # creates the permissions on a fresh database first
    sync_page_permissions(apps, schema_editor)


class Migration(migrations.Migration):
    """Editors and managers edit pages (portal.estates.roles.PAGE_PERMISSIONS)."""

    dependencies = [
        ("notices", "0001_initial"),
        ("home", "0002_portal_root_page"),
        ("estates", "0004_occupancy_named_house_binding"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
