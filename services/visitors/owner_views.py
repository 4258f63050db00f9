"""The owner's visitor passes (H5): invite a visitor to one of my verified houses, the
pass with its QR code and short code, my passes (upcoming, used, past), revoking one, and
confirming or declining a visitor the gate registered without a pass. Revoking asks first:
the pass's "Revoke" button opens a plain page (no script) with "Revoke" and "Cancel", and
only that page's POST revokes; a second POST finds the pass revoked and says so.

The shared page (``shared_pass``) is what the owner forwards in WeChat: it opens without
logging in, by the pass's signed token, and shows the QR code and the code with no
personal data beyond the visitor's masked name."""

import uuid

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import House, Occupancy

from . import invitations
from .forms import InviteForm
from .models import VisitorPass

TABS = ("upcoming", "used", "past")
SHOWN = 50


def _my_houses(user):
    return (House.objects.filter(occupancies__resident__user=user,
                                 occupancies__state=Occupancy.State.VERIFIED)
            .select_related("unit__building").distinct().order_by("pk"))


@login_required
def pass_list(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "upcoming"
    passes = VisitorPass.objects.visible_to(request.user).select_related("house__unit__building")
    if tab == "upcoming":
        passes = passes.upcoming().order_by("starts_at", "pk")
    elif tab == "used":
        passes = passes.filter(state=VisitorPass.State.USED).order_by("-used_at", "-pk")
    else:
        passes = passes.past().order_by("-ends_at", "-pk")
    return render(request, "visitors/owner/pass_list.html", {
        "passes": passes[:SHOWN], "tab": tab, "tabs": TABS,
        "can_invite": _my_houses(request.user).exists()})


@login_required
def invite(request):
    houses = _my_houses(request.user)
    if not houses.exists():
        return render(request, "visitors/owner/invite.html", {"form": None})
    form = InviteForm(request.POST or None, houses=houses,
                      initial={"key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        house = data.pop("house")
        try:
            visitor_pass = invitations.invite(request.user, house, **data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("The pass is ready: forward this page to your "
                                        "visitor in WeChat."))
            return redirect("visitors:shared", visitor_pass.token)
    return render(request, "visitors/owner/invite.html", {"form": form},
                  status=400 if form.errors else 200)


def _qr_svg(visitor_pass):
    return segno.make(visitor_pass.token, error="m").svg_inline(
        scale=6, border=2, omitsize=True, title=_("Visitor pass QR code"))


@login_required
def pass_detail(request, pk):
    visitor_pass = get_object_or_404(
        VisitorPass.objects.visible_to(request.user)
        .select_related("house__unit__building", "community"),
        pk=pk)
    return render(request, "visitors/owner/pass_detail.html", {
        "visitor_pass": visitor_pass, "qr_svg": _qr_svg(visitor_pass),
        "entries": visitor_pass.entries.order_by("at", "pk")})


# action: (the pass's verb, the state it leads to, what the owner is told)
ACTIONS = {
    "revoke": ("revoke", VisitorPass.State.REVOKED,
               gettext_lazy("The pass is revoked: it no longer opens the gate.")),
    "confirm": ("confirm_walk_in", VisitorPass.State.ACTIVE,
                gettext_lazy("Your visitor may come in: the gate is told.")),
    "decline": ("decline_walk_in", VisitorPass.State.DECLINED,
                gettext_lazy("The visitor is declined: the gate is told.")),
}


@login_required
@require_http_methods(["GET", "POST"])
def pass_action(request, pk, action):
    """POST: do the action. GET (revoking only): the page that asks first; a pass that
    cannot be revoked any more goes back to its page."""
    if action not in ACTIONS:
        raise Http404
    visitor_pass = get_object_or_404(
        VisitorPass.objects.visible_to(request.user).select_related("house__unit__building"),
        pk=pk)
    if request.method == "GET":
        if action != "revoke":
            return HttpResponseNotAllowed(["POST"])
        if visitor_pass.status != "active":
            return redirect("visitors:detail", visitor_pass.pk)
        return render(request, "visitors/owner/revoke_confirm.html",
                      {"visitor_pass": visitor_pass})
    verb, target, done = ACTIONS[action]
    try:
        getattr(visitor_pass, verb)(by=request.user)
    except TransitionNotAllowed as refused:
        visitor_pass.refresh_from_db(fields=["state"])
        if visitor_pass.state == target and (
                action == "revoke" or visitor_pass.source == VisitorPass.Source.WALK_IN):
            # A second tap, or another occupant was quicker: what was asked is done (once).
            messages.success(request, done)
        else:
            messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect("visitors:detail", visitor_pass.pk)


def shared_pass(request, token):
    """The pass as the visitor sees it; anyone with the link, no login."""
    visitor_pass = VisitorPass.from_token(token)
    if visitor_pass is None:
        raise Http404
    is_mine = (request.user.is_authenticated and VisitorPass.objects.visible_to(request.user)
               .filter(pk=visitor_pass.pk).exists())
    return render(request, "visitors/owner/shared_pass.html", {
        "visitor_pass": visitor_pass, "qr_svg": _qr_svg(visitor_pass), "is_mine": is_mine})
