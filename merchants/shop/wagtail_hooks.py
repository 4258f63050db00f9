"""The shop in the Wagtail admin (menu 商城 / Shop): orders, after-sale requests, products
and the daily summary.

Every viewset is a ScopedModelViewSet over ``visible_to(user)``: a merchant's accounts
see and edit only their own merchant's products and orders; property staff see the
products and orders of the merchants serving their communities (products read-only:
merchants keep their own, and staff review their changes); leadership sees all. Orders
and after-sale requests are never edited as rows: they change through the buttons on
their page (the verbs). Products are snippets under the merchant review (商家审核), like
the merchant's page: the viewset is scoped the same way, every snippet view included."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column, DateColumn, LiveStatusTagColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.estates.viewsets import IndexView, ObjectAction, ScopedModelViewSet, YesNoColumn

from . import admin_forms, admin_views, filters
from .aftersale import AfterSale
from .models import Order, Product


class ReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(
            user, action)


for _model in (Order, AfterSale):
    register_permission_policy(_model, ReadOnlyPolicy(_model))


class OrderViewSet(ScopedModelViewSet):
    model = Order
    name = "shop_orders"
    icon = "list-ul"
    menu_label = _("Orders")
    menu_order = 100
    inspect_view_class = admin_views.OrderInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = filters.OrderFilterSet
    form_fields = ["note"]  # the viewset builds a form; the policy refuses it
    search_fields = ["number"]
    list_select_related = ["merchant", "community", "house__unit__building"]
    list_display = ["number", Column("merchant", label=_("Merchant")),
                    Column("house", label=_("House")),
                    Column("get_fulfilment_display", label=_("Delivery"),
                           sort_key="fulfilment"),
                    Column("get_payment_mode_display", label=_("Payment"),
                           sort_key="payment_mode"),
                    Column("total", label=_("Total (yuan)"), sort_key="total"),
                    Column("get_state_display", label=_("State"), sort_key="state"),
                    DateColumn("created_at", label=_("Ordered at"))]
    list_export = ["number", "merchant", "community", "house", "get_fulfilment_display",
                   "get_payment_mode_display", "total", "get_state_display", "note",
                   "created_at", "paid_at", "delivering_at", "done_at", "ended_at"]
    export_headings = {"get_fulfilment_display": _("Delivery"),
                       "get_payment_mode_display": _("Payment"),
                       "get_state_display": _("State")}
    export_filename = "orders"


class AfterSaleViewSet(ScopedModelViewSet):
    model = AfterSale
    name = "shop_after_sales"
    icon = "undo"
    menu_label = _("After-sale requests")
    menu_order = 200
    inspect_view_class = admin_views.AfterSaleInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = filters.AfterSaleFilterSet
    form_fields = ["answer"]
    list_select_related = ["order", "merchant"]
    list_display = [Column("order", label=pgettext_lazy("shop", "Order")),
                    Column("merchant", label=_("Merchant")),
                    Column("amount", label=_("Amount (yuan)")),
                    Column("reason", label=_("Reason")),
                    Column("get_state_display", label=_("State"), sort_key="state"),
                    DateColumn("requested_at", label=_("Requested at"))]
    list_export = ["order", "merchant", "community", "amount", "reason",
                   "get_state_display", "requested_at", "decided_by", "decided_at", "answer"]
    export_headings = {"get_state_display": _("State")}
    export_filename = "after-sale-requests"


class ProductIndexView(IndexView, snippet_views.IndexView):
    """The snippet listing (status, locking, workflow) with the project's row actions."""


class ProductViewSet(ScopedModelViewSet, SnippetViewSet):
    """Products as snippets under the merchant review: a merchant's edits are drafts it
    submits; approvers publish them (merchants hold no publish permission). Stock and
    on/off change at once in their own view."""

    model = Product
    admin_url_namespace = "shop_products"
    base_url_path = "shop/products"
    icon = "tag"
    menu_label = _("Products")
    menu_order = 300
    index_view_class = ProductIndexView
    form_class = admin_forms.ProductForm
    panels = [FieldPanel(name) for name in admin_forms.ProductForm.Meta.fields]
    copy_view_enabled = False
    list_select_related = ["merchant"]
    list_display = ["name", Column("merchant", label=_("Merchant")),
                    Column("price", label=_("Price (yuan)"), sort_key="price"),
                    Column("stock", label=_("In stock"), sort_key="stock"),
                    YesNoColumn("active", label=_("On sale")), LiveStatusTagColumn()]
    list_filter = ["active"]
    search_fields = ["name"]
    search_backend_name = None  # substring match: Chinese names have no word breaks
    list_export = ["merchant", "name", "price", "stock", "active", "live", "sort_order"]
    export_filename = "products"
    object_views = [("stock", admin_views.ProductStockView)]
    object_actions = [ObjectAction(_("Stock and sale"), "stock", "shop.change_product",
                                   "resubmit")]
    # Its menu item is in the Shop group: not in Wagtail's Snippets index, which counts
    # every merchant's products.
    menu_item_is_registered = True

    def get_urlpatterns(self):
        # The listing answers also to the name every other viewset's listing has.
        return [*super().get_urlpatterns(), path("", self.index_view, name="index")]

    def register_chooser_viewset(self):
        pass  # nothing chooses a product in the admin: no unscoped chooser listing


class SummaryMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("shop.view_order")


class ShopGroup(ModelViewSetGroup):
    menu_label = _("Shop")
    menu_icon = "pick"
    menu_order = 260
    items = [OrderViewSet, AfterSaleViewSet, ProductViewSet]


@hooks.register("register_admin_viewset")
def register_shop():
    return ShopGroup()


@hooks.register("register_admin_urls")
def register_summary_url():
    return [path("shop/summary/", admin_views.DailySummaryView.as_view(),
                 name="shop_daily_summary")]


@hooks.register("register_admin_menu_item")
def register_summary_menu_item():
    return SummaryMenuItem(_("Daily order summary"), reverse("shop_daily_summary"),
                           icon_name="date", order=265)


@hooks.register("register_log_actions")
def register_product_log_actions(actions):
    actions.register_action("shop.product.stock", _("Set stock"), _("Stock set"))
    actions.register_action("shop.product.on", _("Put on sale"), _("Put on sale"))
    actions.register_action("shop.product.off", _("Take off sale"), _("Taken off sale"))
