"""Forms of finance's actions on a payment order."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OfflineMethod


class OfflinePaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("How it was paid"), choices=OfflineMethod.choices)
    amount = forms.DecimalField(label=_("Amount received (yuan)"), max_digits=12,
                                decimal_places=2, min_value=Decimal("0.01"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200,
                           help_text=_("Receipt number, bank reference..."))


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount to refund (yuan)"), max_digits=12,
                                decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(label=_("Reason"), max_length=80,
                             help_text=_("WeChat Pay shows it to the payer."))
