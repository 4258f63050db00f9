"""The community a person is registering for, kept in their session between opening the
QR link and submitting the sign-up form.

The signed token itself is kept, not just the community, so that a poster withdrawn or
a community closed in between is refused at sign-up too.
"""

from portal.estates.registration import RegistrationLinkError, community_from_token

SESSION_KEY = "registration_token"
INITIAL_SESSION_KEY = "signup_initial"


def remember_registration(request, token):
    request.session[SESSION_KEY] = token


def forget_registration(request):
    request.session.pop(SESSION_KEY, None)
    request.session.pop(INITIAL_SESSION_KEY, None)


def remember_signup_initial(request, **fields):
    """Suggestions for the sign-up form, e.g. the name someone shared from WeChat."""
    request.session[INITIAL_SESSION_KEY] = {**signup_initial(request), **fields}


def signup_initial(request):
    return request.session.get(INITIAL_SESSION_KEY) or {}


def registration_community(request):
    """The community of the link this person opened, or None if there is none (or it is
    no longer valid)."""
    token = request.session.get(SESSION_KEY)
    if not token:
        return None
    try:
        return community_from_token(token)
    except RegistrationLinkError:
        return None
