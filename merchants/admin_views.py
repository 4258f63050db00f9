"""Staff's actions on a merchant (approve, suspend, reinstate) and its accounts."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.estates.admin_views import ConfirmWithReasonView

from . import accounts
from .models import MerchantAccount, MerchantPage


class MerchantStatusView(ConfirmWithReasonView):
    model = MerchantPage
    permission_required = "merchants.manage_merchant"


class ApproveView(MerchantStatusView):
    page_title = _("Approve merchant")
    confirm_label = _("Approve")

    def get_explanation(self):
        return _("Once its page is published, owners of the communities it serves see "
                 "the merchant and may order from it.")

    def act(self, reason):
        self.object.approve(by=self.request.user)
        return _("The merchant is approved.")


class SuspendView(MerchantStatusView):
    page_title = _("Suspend merchant")
    confirm_label = _("Suspend now")
    reason_required = True

    def get_explanation(self):
        return _("Owners no longer see the merchant and it takes no new orders, until it "
                 "is reinstated.")

    def act(self, reason):
        self.object.suspend(by=self.request.user, reason=reason)
        return _("The merchant is suspended.")


class ReinstateView(MerchantStatusView):
    page_title = _("Reinstate merchant")
    confirm_label = _("Reinstate")

    def get_explanation(self):
        return _("Owners see the merchant again and may order from it.")

    def act(self, reason):
        self.object.reinstate(by=self.request.user)
        return _("The merchant is reinstated.")


class RemoveAccountView(ConfirmWithReasonView):
    model = MerchantAccount
    permission_required = "merchants.delete_merchantaccount"
    page_title = _("Remove merchant account")
    confirm_label = _("Remove the account")

    def get_explanation(self):
        return _("The login stops working at once; the merchant's page stays as it is.")

    def act(self, reason):
        accounts.remove_account(self.object, by=self.request.user)
        return _("The merchant account is removed.")

    def done(self, message):
        messages.success(self.request, message)
        return HttpResponseRedirect(reverse(self.index_url_name))
