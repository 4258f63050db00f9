"""The page editor's form of a merchant page."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Page

from portal.estates.models import Community

from .permissions import is_merchant


class MerchantPageForm(WagtailAdminPageForm):
    """Merchant names may repeat, so a clashing address gets a number instead of an
    error. Where a merchant is listed is for staff: a merchant sees its communities but
    cannot change them; staff choose among their own communities and keep the others."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.kept_communities = []
        field = self.fields.get("communities")
        if field is None or for_user is None or for_user.is_superuser:
            return
        current = self.instance.communities.all() if self.instance.pk else Community.objects.none()
        if is_merchant(for_user):
            field.queryset = Community.objects.filter(pk__in=[c.pk for c in current])
            field.disabled = True
            field.help_text = _("The property office decides where the merchant is listed.")
            return
        field.queryset = Community.objects.visible_to(for_user)
        self.kept_communities = [community for community in current
                                 if community not in field.queryset]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        base, number = slug, 1
        while self.parent_page and slug and not Page._slug_is_available(
                slug, self.parent_page, self.instance):
            number += 1
            slug = f"{base}-{number}"
        return slug

    def clean_communities(self):
        return [*self.cleaned_data["communities"], *self.kept_communities]
