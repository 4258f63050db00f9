import django_filters
from django.utils.translation import gettext_lazy as _

from .models import NoticePage


class NoticeListFilter(django_filters.FilterSet):
    """The category choice above a community's notice list."""

    category = django_filters.ChoiceFilter(choices=NoticePage.Category.choices,
                                           empty_label=_("All"), label=_("Category"))

    class Meta:
        model = NoticePage
        fields = ["category"]
