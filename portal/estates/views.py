from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.accounts.decorators import resident_required
from portal.accounts.registration import remember_registration

from .forms import BindHouseForm
from .models import Occupancy
from .registration import RegistrationLinkError, community_from_token


def register(request, token):
    """The page behind a community's QR code: fix the community, then sign up."""
    try:
        community_from_token(token)
    except RegistrationLinkError as error:
        return render(request, "estates/registration_link_error.html",
                      {"message": str(error)}, status=400)
    if request.user.is_authenticated:
        # Already signed up: one account belongs to one community.
        return redirect("estates:me")
    remember_registration(request, token)
    return redirect("account_signup")


@resident_required
def me(request):
    """My profile and the houses I have bound, with where each binding stands."""
    occupancies = (
        Occupancy.objects.visible_to(request.user)
        .select_related("house__unit__building")
        .order_by("-created_at")
    )
    return render(request, "estates/me.html", {
        "resident": request.user.resident,
        "occupancies": occupancies,
    })


@resident_required
def bind_house(request):
    resident = request.user.resident
    form = BindHouseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            occupancy = resident.request_occupancy(form.cleaned_data["house"],
                                                   form.cleaned_data["role"])
        except ValidationError as error:
            form.add_error("number", error)
        else:
            messages.success(request, _(
                "%(house)s is bound and waiting for the property office to verify it. "
                "You can use the portal meanwhile."
            ) % {"house": occupancy.house.label})
            return redirect("estates:me")
    return render(request, "estates/bind_house.html", {"form": form, "resident": resident})
