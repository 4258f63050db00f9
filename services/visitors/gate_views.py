"""The guard's gate workbench (H5): scan or type a pass's code and see at once whether it
admits, record the entry (and exit), register a visitor who came without a pass and let
them in once the owner confirms, today's expected visitors, and the gate's recent log.

Looking a code up (GET) records nothing; recording an entry is a POST that goes through
gate.admit (row-locked, one entry per single-entry pass) and carries a one-time key, so a
double tap records once even on a multi-entry pass."""

from contextlib import contextmanager
from uuid import uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Building

from . import gate
from .gate_access import (
    choose_community,
    gate_communities,
    gate_community,
    gate_only,
    is_gate_user,
)
from .gate_forms import AdmitForm, CodeForm, CommunityForm, ExitForm, WalkInForm
from .models import GateEntry, VisitorPass

RECENT_ENTRIES = 30
WALK_INS_SHOWN = 10
# How long a one-time key is remembered: longer than any retry of a double tap.
ONCE_SECONDS = 3600


def _once_key(request, key):
    return f"gate-once:{request.user.pk}:{key}"


@contextmanager
def _once(request, key):
    """Yields True the first time this user sends ``key``, False for a repeat (a double
    tap, a resent form); the shared cache makes it hold across the app's processes. A
    step that fails gives the key back, so that sending the form again runs it."""
    first = cache.add(_once_key(request, key), 1, ONCE_SECONDS)
    try:
        yield first
    except BaseException:
        if first:
            cache.delete(_once_key(request, key))
        raise


def _refusal_text(refused):
    if isinstance(refused, ValidationError):
        return " ".join(refused.messages)
    return str(refused)


@login_required
def community(request):
    """Pick the community this gate serves (remembered for the session)."""
    if not is_gate_user(request.user):
        return render(request, "visitors/gate/not_for_you.html", status=403)
    communities = gate_communities(request.user)
    form = CommunityForm(request.POST or None, communities=communities,
                         initial={"community": gate_community(request)})
    if request.method == "POST" and form.is_valid():
        choose_community(request, form.cleaned_data["community"])
        return redirect("gate:home")
    return render(request, "visitors/gate/community.html", {
        "form": form, "tab": "scan", "has_communities": communities.exists()})


@gate_only
def home(request, community):
    return render(request, "visitors/gate/home.html", {
        "community": community, "form": CodeForm(), "tab": "scan",
        "can_switch": gate_communities(request.user)[:2].count() > 1,
        "walk_ins": _with_admit_keys(gate.walk_ins_at_gate(community)[:WALK_INS_SHOWN]),
        "recent": _recent(request, community)[:5]})


def _with_admit_keys(passes):
    """The passes, each confirmed walk-in with its own one-time key for its "record
    entry" button (one key per page would let only the first button record)."""
    passes = list(passes)
    for visitor_pass in passes:
        if visitor_pass.awaits_entry:
            visitor_pass.admit_key = uuid4().hex
    return passes


@gate_only
def check(request, community):
    """The verdict on a typed or scanned code: a refusal goes to the gate log, a valid
    code waits for "record entry"."""
    form = CodeForm(request.GET)
    if not form.is_valid():
        return render(request, "visitors/gate/home.html", {
            "community": community, "form": form, "tab": "scan",
            "recent": _recent(request, community)[:5]}, status=400)
    verdict = gate.check(community, form.cleaned_data["code"], request.user)
    return _verdict_page(request, community, verdict, form.cleaned_data["code"])


def _verdict_page(request, community, verdict, code, status=200):
    return render(request, "visitors/gate/result.html", {
        "community": community, "verdict": verdict, "visitor_pass": verdict.pass_,
        "code": code, "key": uuid4().hex, "tab": "scan",
        "inside": bool(verdict.pass_) and gate.is_inside(verdict.pass_)}, status=status)


@require_POST
@gate_only
def admit(request, community):
    form = AdmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Scan or type the code again."))
        return redirect("gate:home")
    with _once(request, form.cleaned_data["key"]) as first:
        if not first:
            messages.info(request, _("This entry was recorded already."))
            return redirect("gate:home")
        verdict = gate.admit(community, form.cleaned_data["code"], request.user)
    if not verdict.ok:
        return _verdict_page(request, community, verdict, form.cleaned_data["code"],
                             status=409)
    messages.success(request, _("Entry recorded: %(visitor)s to %(house)s.") % {
        "visitor": verdict.pass_.visitor_name, "house": verdict.pass_.house})
    return redirect("gate:home")


def _gate_pass(request, community, pk):
    """A pass of this gate's community that the user may see, else 404 (the same answer
    for another community's pass and for none)."""
    passes = (VisitorPass.objects.visible_to(request.user).filter(community=community)
              .select_related("house__unit__building"))
    return get_object_or_404(passes, pk=pk)


@require_POST
@gate_only
def record_exit(request, community):
    form = ExitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Scan or type the code again."))
        return redirect("gate:home")
    visitor_pass = _gate_pass(request, community, form.cleaned_data["visitor_pass"])
    try:
        with _once(request, form.cleaned_data["key"]) as first:
            if not first:
                messages.info(request, _("This exit was recorded already."))
                return redirect("gate:home")
            gate.record_exit(visitor_pass, request.user)
    except (TransitionNotAllowed, ValidationError) as refused:
        messages.error(request, _refusal_text(refused))
    else:
        messages.success(request, _("Exit recorded: %(visitor)s.") % {
            "visitor": visitor_pass.visitor_name})
    return redirect("gate:home")


@gate_only
def walk_in(request, community):
    data = request.POST if request.method == "POST" else None
    if data is not None and "refresh" in data:
        # Only the next list is filled in: nothing is checked or registered yet.
        form = WalkInForm(initial={**data.dict(), "key": data.get("key")},
                          community=community)
        return _walk_in_page(request, community, form)
    form = WalkInForm(data, community=community, initial={"key": uuid4().hex})
    if data is None or not form.is_valid():
        return _walk_in_page(request, community, form)
    fields = {name: form.cleaned_data[name]
              for name in ("visitor_name", "visitor_phone", "people", "plate", "purpose")}
    try:
        with _once(request, form.cleaned_data["key"]) as first:
            if not first:
                messages.info(request, _("This visitor was registered already."))
                return redirect("gate:home")
            visitor_pass = gate.register_walk_in(community, form.cleaned_data["house"],
                                                 request.user, **fields)
    except (TransitionNotAllowed, ValidationError) as refused:
        # Nothing was registered (the key was given back): the corrected form may come.
        form.add_error(None, refused if isinstance(refused, ValidationError)
                       else str(refused))
        return _walk_in_page(request, community, form)
    messages.success(request, _walk_in_message(visitor_pass))
    return redirect("gate:home")


def _walk_in_message(visitor_pass):
    context = {"visitor": visitor_pass.visitor_name, "house": visitor_pass.house}
    if visitor_pass.state == VisitorPass.State.AWAITING_CONFIRMATION:
        return _("%(visitor)s is registered for %(house)s; the owner is asked to confirm. "
                 "Let them in once the owner confirms.") % context
    return _("%(visitor)s is registered and let in to %(house)s; the owner is told.") % context


def _walk_in_page(request, community, form):
    return render(request, "visitors/gate/walk_in.html", {
        "community": community, "form": form, "tab": "walk_in"},
        status=400 if form.is_bound and form.errors else 200)


@gate_only
def expected(request, community):
    buildings = Building.objects.filter(community=community)
    building = buildings.filter(pk=request.GET.get("building") or 0).first() \
        if str(request.GET.get("building", "")).isdigit() else None
    passes = _with_admit_keys(gate.expected_today(community, building=building))
    return render(request, "visitors/gate/expected.html", {
        "community": community, "passes": passes, "buildings": buildings,
        "building": building, "tab": "expected"})


def _recent(request, community):
    return (GateEntry.objects.visible_to(request.user).filter(community=community)
            .select_related("visitor_pass__house").order_by("-pk"))


@gate_only
def log(request, community):
    return render(request, "visitors/gate/log.html", {
        "community": community, "entries": _recent(request, community)[:RECENT_ENTRIES],
        "tab": "log"})
