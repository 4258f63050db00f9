from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def resident_required(view):
    """For pages about a resident's own houses and requests: log in first, and tell
    staff and other accounts plainly that the page is for residents."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if getattr(request.user, "resident", None) is None:
            return render(request, "account/residents_only.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
