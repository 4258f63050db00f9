from django import forms
from django.utils.translation import gettext_lazy as _

from portal.estates.viewsets import ScopedModelForm

from .models import Product


class ProductForm(ScopedModelForm):
    """The merchant to choose is one the user manages (ScopedModelForm limits the
    choices to MerchantPage.objects.visible_to(user))."""

    class Meta:
        model = Product
        fields = ["merchant", "name", "description", "image", "price", "sort_order"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        merchants = self.fields["merchant"].queryset
        if merchants.count() == 1 and not self.instance.pk:
            self.fields["merchant"].initial = merchants.first()


class StockForm(forms.Form):
    """What changes at once, without review: the stock and the on/off switch."""

    stock = forms.IntegerField(label=_("In stock"), min_value=0, max_value=99999)
    active = forms.BooleanField(label=_("On sale"), required=False)
    # The stock the page showed: orders may take some while it is open.
    seen_stock = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
