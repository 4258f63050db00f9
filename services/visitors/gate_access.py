"""Who may work the gate, and at which community.

Guards (保安) and the desk staff of a community (customer service, managers, leadership)
open the gate workbench. A guard bound to several communities picks the gate's community
once; it is kept in the session and checked against the communities they may see on
every request, so a session outliving a reassignment opens nothing."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from portal.estates import roles
from portal.estates.models import Community

GATE_ROLES = (roles.GUARD, roles.CUSTOMER_SERVICE, roles.MANAGER, roles.LEADERSHIP)
SESSION_KEY = "gate_community"


def is_gate_user(user):
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return hasattr(user, "staff") and user.staff.has_role(*GATE_ROLES)


def gate_communities(user):
    return Community.objects.visible_to(user).order_by("name")


def gate_community(request):
    """The community this gate serves: the one chosen in the session, or the only one the
    user serves; None until chosen."""
    communities = gate_communities(request.user)
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        community = communities.filter(pk=chosen).first()
        if community is not None:
            return community
    only = list(communities[:2])
    return only[0] if len(only) == 1 else None


def choose_community(request, community):
    request.session[SESSION_KEY] = community.pk


def gate_only(view):
    """Runs ``view(request, community, ...)`` for gate users with a chosen community;
    anyone else gets a page that says whom the gate is for."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_gate_user(request.user):
            return render(request, "visitors/gate/not_for_you.html", status=403)
        community = gate_community(request)
        if community is None:
            return redirect("gate:community")
        return view(request, community, *args, **kwargs)

    return wrapper
