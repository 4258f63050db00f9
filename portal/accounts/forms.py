from django import forms
from django.utils.translation import gettext_lazy as _


class ResidentSignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (phone and password come from allauth).

    The community is not a field: it comes from the QR link the person opened, and
    ResidentSignupView hands it in.
    """

    name = forms.CharField(label=_("Your name"), max_length=50,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))

    field_order = ["name", "phone", "password1", "password2"]

    def __init__(self, *args, community=None, **kwargs):
        self.community = community
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name."), code="required")
        return name

    def signup(self, request, user):
        """Called by allauth right after the user is saved, inside the view's transaction."""
        from portal.estates.models import Resident

        if self.community is None:
            # The view refuses sign-up without a community; this is the last guard.
            raise ValueError("sign-up without a community")
        Resident.objects.create(user=user, community=self.community,
                                name=self.cleaned_data["name"])
