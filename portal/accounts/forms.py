from django import forms
from django.utils.translation import gettext_lazy as _


class ResidentSignupForm(forms.Form):
    """Extra fields on allauth's sign-up form; the community comes from the QR link."""

    name = forms.CharField(label=_("Name"), max_length=50)

    def signup(self, request, user):
        from portal.estates.models import Community, Resident
        from portal.estates.views import REGISTRATION_SESSION_KEY

        community = Community.objects.get(pk=request.session[REGISTRATION_SESSION_KEY])
        Resident.objects.create(user=user, community=community,
                                name=self.cleaned_data["name"].strip())
