"""The pages a staff member may know of in the admin: those the page explorer shows them.
The explorer's hooks decide (notices: the pages of their communities; merchants: the
merchant pages they may manage). Two Wagtail views look at page permissions only and
would name other communities' notices and other merchants' pages: the bulk actions'
confirmation ("you have no permission for: …", with ``?id=all`` every page of the site)
and the aging-pages report. Here they keep to the explorer's pages."""

from wagtail import hooks
from wagtail.admin.views.pages.bulk_actions.delete import DeleteBulkAction
from wagtail.admin.views.pages.bulk_actions.move import MoveBulkAction
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.admin.views.pages.bulk_actions.unpublish import UnpublishBulkAction
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .audit import report_paths


def reachable(pages, request):
    """``pages`` narrowed as the explorer narrows its listings for ``request.user``."""
    for hook in hooks.get_hooks("construct_explorer_page_queryset"):
        pages = hook(None, pages, request)
    return pages


def known_ids(page_ids, request):
    """Those of ``page_ids`` the explorer can show the user: its root and the way there
    (a merchant's explorer opens on the merchant's own page), and below the root what
    the hooks leave."""
    pages = Page.objects.filter(pk__in=page_ids)
    root = PagePermissionPolicy().explorable_root_instance(request.user)
    way = pages.ancestor_of(root, inclusive=True) if root else pages.none()
    return {*way.values_list("pk", flat=True),
            *reachable(pages, request).values_list("pk", flat=True)}


class ReachablePagesOnly:
    """A page bulk action that lists, among the pages it may not act on, only those the
    user can see anyway."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        refused = context["items_with_no_access"]
        known = known_ids([entry["item"].pk for entry in refused], self.request)
        context["items_with_no_access"] = [entry for entry in refused
                                           if entry["item"].pk in known]
        return context


BULK_ACTIONS = [type(action.__name__, (ReachablePagesOnly, action), {})
                for action in (DeleteBulkAction, MoveBulkAction, PublishBulkAction,
                               UnpublishBulkAction)]


class ReachableAgingPagesView(AgingPagesView):
    def get_queryset(self):
        return reachable(super().get_queryset(), self.request)


urlpatterns = report_paths("aging-pages", ReachableAgingPagesView, "aging_pages_reachable")
