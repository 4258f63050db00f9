from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.context_processors import LARGE_FONT_COOKIE

LARGE_FONT_COOKIE_AGE = 60 * 60 * 24 * 365 * 2


@require_POST
def large_font(request):
    """Switch the elder-friendly large font on or off. A plain form POST, so it works
    without JavaScript; the choice is kept in a cookie on the phone."""
    on = request.POST.get("large_font") == "1"
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    response.set_cookie(LARGE_FONT_COOKIE, "1" if on else "0", max_age=LARGE_FONT_COOKIE_AGE,
                        samesite="Lax", httponly=True, secure=request.is_secure())
    return response
