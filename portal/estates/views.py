from django.shortcuts import redirect, render

from .registration import RegistrationLinkError, community_from_token

REGISTRATION_SESSION_KEY = "registration_community"


def register(request, token):
    """The page behind a community's QR code: fix the community, then sign up."""
    try:
        community = community_from_token(token)
    except RegistrationLinkError as error:
        return render(request, "estates/registration_link_error.html",
                      {"message": str(error)}, status=400)
    request.session[REGISTRATION_SESSION_KEY] = community.pk
    return redirect("account_signup")
