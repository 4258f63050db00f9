"""Who may do what to a merchant's page, in the Wagtail admin.

A merchant's accounts hold one page permission: "change" on their own MerchantPage,
through a group of that merchant's own (merchants.accounts). So Wagtail itself keeps
every other page out of their explorer, search and chooser, and their edits go through
the merchant review workflow. This tester narrows further what Wagtail's rules would
allow on the page: merchants never delete, move or copy it (staff decide whether a
merchant is listed), and staff act only on merchants serving a community they serve.
"""

from wagtail.models import PagePermissionTester


def is_merchant(user):
    return not user.is_superuser and hasattr(user, "merchant_account")


def reaches(obj, user):
    """Whether ``user`` may manage ``obj``, a merchant's page or one of its products, at
    all (visible_to, the one choke point)."""
    from wagtail.models import Page

    from .models import MerchantPage

    if user.is_superuser:
        return True
    model = MerchantPage if isinstance(obj, Page) else type(obj)
    return model._default_manager.visible_to(user).filter(pk=obj.pk).exists()


class MerchantPagePermissionTester(PagePermissionTester):
    def __init__(self, user, page):
        super().__init__(user, page)
        if user.is_active and not user.is_superuser and not reaches(page, user):
            self.permissions = set()

    def can_delete(self, ignore_bulk=False):
        return not is_merchant(self.user) and super().can_delete(ignore_bulk)

    def can_copy(self):
        return not is_merchant(self.user) and super().can_copy()

    def can_lock(self):
        return not is_merchant(self.user) and super().can_lock()


def hide_unreachable_merchants(pages, user):
    """Drop from an admin page listing the merchant pages the user may not manage."""
    from .models import MerchantPage

    if user.is_superuser:
        return pages
    out_of_reach = MerchantPage.objects.exclude(
        pk__in=MerchantPage.objects.visible_to(user).values("pk"))
    return pages.exclude(pk__in=out_of_reach.values("pk"))
