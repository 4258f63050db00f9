import django_filters
from django.utils.translation import gettext_lazy as _

from merchants.models import MerchantPage
from portal.estates.models import Community
from portal.estates.viewsets import ScopedFilterSet

from .aftersale import AfterSale
from .models import Order, PaymentMode, State


class OrderFilterSet(ScopedFilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("State"))
    payment_mode = django_filters.ChoiceFilter(choices=PaymentMode.choices, label=_("Payment"))
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                             label=_("Ordered from"))
    created_until = django_filters.DateFilter(field_name="created_at",
                                              lookup_expr="date__lte", label=_("Ordered until"))
    merchant = django_filters.ModelChoiceFilter(queryset=MerchantPage.objects.all(),
                                                label=_("Merchant"))
    community = django_filters.ModelChoiceFilter(queryset=Community.objects.all(),
                                                 label=_("Community"))

    class Meta:
        model = Order
        fields = ["state", "payment_mode", "merchant", "community"]


class AfterSaleFilterSet(ScopedFilterSet):
    state = django_filters.ChoiceFilter(choices=AfterSale.State.choices, label=_("State"))

    class Meta:
        model = AfterSale
        fields = ["state"]
