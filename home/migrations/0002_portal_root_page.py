"""Make a PortalRootPage the default Site's root, in place of Wagtail's "Welcome" page."""

from django.conf import settings
from django.db import migrations


def create_portal_root(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Locale = apps.get_model("wagtailcore.Locale")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    PortalRootPage = apps.get_model("home.PortalRootPage")

    tree_root = Page.objects.filter(depth=1).first()
    if tree_root is None or PortalRootPage.objects.exists():
        return
    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    # Wagtail's default welcome page (and the Site pointing at it) goes.
    Page.objects.filter(content_type=page_type, slug="home", depth=2).delete()

    siblings = Page.objects.filter(depth=2).order_by("-path")
    last = siblings.first()
    step = int(last.path[4:8], 36) + 1 if last else 1
    path = tree_root.path + _base36(step).rjust(4, "0")

    root_type, _ = ContentType.objects.get_or_create(app_label="home", model="portalrootpage")
    title = getattr(settings, "WAGTAIL_SITE_NAME", "Portal")
    root = PortalRootPage.objects.create(
        title=title, draft_title=title, slug="portal", content_type=root_type,
        path=path, depth=2, numchild=0, url_path="/portal/", live=True,
        locale=Locale.objects.order_by("pk").first(),
    )
    tree_root.numchild = Page.objects.filter(depth=2).count()
    tree_root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page=root, is_default_site=True,
                        site_name=title)


def _base36(number):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, remainder = divmod(number, 36)
        out = digits[remainder] + out
    return out or "0"


def remove_portal_root(apps, schema_editor):
    PortalRootPage = apps.get_model("home.PortalRootPage")
    PortalRootPage.objects.filter(depth=2, numchild=0).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_portal_root, remove_portal_root)]
