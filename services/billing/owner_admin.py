"""The owners' payments in the admin (menu 业主缴费 / Owner payments): public funds
statements written and published by finance, receipts (with their PDF), advance
balances and parking cards. Scoped viewsets: staff see, search, export and open only
their communities' rows. Receipts, balances and cards change only through payments."""

from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import View
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal import pdf
from portal.estates.admin_views import ObjectActionView
from portal.estates.errors import TransitionNotAllowed
from portal.estates.viewsets import ObjectAction, ScopedModelForm, ScopedModelViewSet, YesNoColumn

from .advance import AdvanceAccount
from .funds import FundStatement
from .parking_cards import ParkingCard
from .receipts import Receipt


class ReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(
            user, action)


for _model in (Receipt, AdvanceAccount, ParkingCard):
    register_permission_policy(_model, ReadOnlyPolicy(_model))


class FundStatementForm(ScopedModelForm):
    pass


FundStatement.base_form_class = FundStatementForm


class PublishStatementView(ObjectActionView):
    model = FundStatement
    permission_required = "billing.change_fundstatement"
    page_title = pgettext_lazy("statement", "Publish")

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(self.inspect_url)

    def post(self, request, *args, **kwargs):
        try:
            self.object.publish(by=request.user)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(self.inspect_url)
        return self.done(_("The statement is published to the community's residents."))


class ReceiptPdfView(ObjectActionView, View):
    model = Receipt
    permission_required = "billing.view_receipt"

    def get(self, request, *args, **kwargs):
        return pdf.response(self.object.render_pdf(), self.object.filename)


class FundStatementViewSet(ScopedModelViewSet):
    model = FundStatement
    name = "fund_statements"
    icon = "list-ol"
    menu_label = _("Public funds statements")
    menu_order = 100
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [FieldPanel("community"), FieldPanel("kind"), FieldPanel("period_start"),
              FieldPanel("period_end"), FieldPanel("opening_balance"), FieldPanel("note"),
              InlinePanel("lines", label=_("Lines"), min_num=1)]
    list_select_related = ["community"]
    list_prefetch_related = ["lines"]
    list_display = ["__str__", Column("community", label=_("Community")),
                    Column("income", label=_("Income")),
                    Column("expenses", label=_("Expenses")),
                    Column("closing_balance", label=_("Closing balance")),
                    YesNoColumn("published", label=pgettext_lazy("statement", "Published")),
                    DateColumn("published_at", label=_("Published at"))]
    list_filter = ["community", "kind", "published"]
    search_fields = ["note"]
    list_export = ["community", "get_kind_display", "period_start", "period_end",
                   "opening_balance", "income", "expenses", "closing_balance", "published",
                   "published_at"]
    export_headings = {"get_kind_display": _("Fund"), "income": _("Income"),
                       "expenses": _("Expenses"), "closing_balance": _("Closing balance")}
    export_filename = "fund-statements"
    object_views = [("publish", PublishStatementView)]

    def get_form_class(self, for_update=False):
        # The panels' form (with the lines inline), built on FundStatementForm so that
        # community choices are scoped too.
        return self._edit_handler.get_form_class()
    object_actions = [ObjectAction(pgettext_lazy("statement", "Publish"), "publish",
                                   "billing.change_fundstatement", "upload",
                                   lambda statement: not statement.published)]


class ReceiptViewSet(ScopedModelViewSet):
    model = Receipt
    name = "receipts"
    icon = "doc-full"
    menu_label = _("Receipts")
    menu_order = 200
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["number"]  # the viewset builds a form; the policy refuses it
    search_fields = ["number", "order__out_trade_no"]
    list_select_related = ["community", "house__unit__building", "order"]
    list_display = ["number", Column("community", label=_("Community")),
                    Column("house", label=_("House")),
                    Column("total", label=_("Total (yuan)"), sort_key="total"),
                    Column("order", label=_("Payment order")),
                    DateColumn("issued_at", label=_("Issued at"))]
    list_filter = ["community"]
    list_export = ["number", "community", "house", "total", "order", "issued_at"]
    export_headings = {"order": _("Payment order")}
    export_filename = "receipts"
    inspect_view_fields = ["number", "company", "community", "house", "order", "total",
                           "issued_at"]
    object_views = [("pdf", ReceiptPdfView)]
    object_actions = [ObjectAction(_("Download PDF"), "pdf", "billing.view_receipt",
                                   "download")]


class AdvanceAccountViewSet(ScopedModelViewSet):
    model = AdvanceAccount
    name = "advance_accounts"
    icon = "pick"
    menu_label = _("Advance balances")
    menu_order = 300
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["balance"]
    search_fields = ["house__number", "house__building__name"]
    list_select_related = ["community", "house__unit__building"]
    list_display = [Column("house", label=_("House")),
                    Column("community", label=_("Community")),
                    Column("balance", label=_("Balance (yuan)"), sort_key="balance"),
                    DateColumn("updated_at", label=_("Updated at"))]
    list_filter = ["community"]
    list_export = ["community", "house", "balance", "updated_at"]
    export_filename = "advance-balances"


class ParkingCardViewSet(ScopedModelViewSet):
    model = ParkingCard
    name = "parking_cards"
    icon = "pick"
    menu_label = _("Parking cards")
    menu_order = 400
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["balance"]
    search_fields = ["space__number", "house__number"]
    list_select_related = ["community", "space", "house__unit__building"]
    list_display = [Column("space", label=_("Parking space")),
                    Column("house", label=_("House")),
                    Column("balance", label=_("Balance (yuan)")),
                    DateColumn("paid_until", label=_("Paid until"))]
    list_filter = ["community"]
    list_export = ["community", "space", "house", "balance", "paid_until"]
    export_filename = "parking-cards"


class OwnerPaymentsGroup(ModelViewSetGroup):
    menu_label = _("Owner payments")
    menu_icon = "doc-full"
    menu_order = 215
    items = [FundStatementViewSet, ReceiptViewSet, AdvanceAccountViewSet, ParkingCardViewSet]


@hooks.register("register_admin_viewset")
def register_owner_payments():
    return OwnerPaymentsGroup()
