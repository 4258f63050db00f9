import django_filters
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Community
from portal.estates.viewsets import ScopedFilterSet

from .models import MerchantPage, MerchantTag, Status


class MerchantFilterSet(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    communities = django_filters.ModelChoiceFilter(queryset=Community.objects.all(),
                                                   label=_("Community"))
    tags = django_filters.ModelChoiceFilter(queryset=MerchantTag.objects.all(),
                                            label=_("Tag"))

    class Meta:
        model = MerchantPage
        fields = ["status", "communities", "tags"]
