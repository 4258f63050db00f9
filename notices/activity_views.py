"""An activity page as a resident uses it: read it, sign up, see where they stand,
cancel. Both forms post to the page itself and work without JavaScript; a refused
sign-up shows why next to the form, with what was typed kept."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from portal.estates.errors import TransitionNotAllowed

from . import targeting
from .activity_forms import ActivitySignupForm
from .models import ActivitySignup

SIGN_UP, CANCEL = "sign_up", "cancel"


def serve_activity(page, request):
    resident = targeting.resident_of(request.user)
    form = None
    if request.method == "POST":
        if resident is None:
            messages.error(request, _("Only residents can sign up."))
            return redirect(page.url)
        if request.POST.get("action") == CANCEL:
            return _cancel(page, request, resident)
        form = ActivitySignupForm(page, resident, data=request.POST)
        signup = _sign_up(page, request, resident, form)
        if signup is not None:
            return redirect(page.url)
    return TemplateResponse(request, page.get_template(request),
                            _context(page, request, resident, form))


def _sign_up(page, request, resident, form):
    if not form.is_valid():
        return None
    try:
        signup = ActivitySignup.sign_up(page, resident, **form.cleaned_data)
    except TransitionNotAllowed as error:
        form.add_error(None, str(error))
        return None
    except ValidationError as error:
        for field, field_messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_messages)
        return None
    if signup.state == ActivitySignup.State.WAITLISTED:
        messages.success(request, _("The places are taken: you are number %(place)s on "
                                    "the waitlist.") % {"place": signup.waitlist_place()})
    else:
        messages.success(request, _("You are signed up."))
    return signup


def _cancel(page, request, resident):
    signup = _live_signup(page, request.user, resident)
    if signup is None:
        messages.info(request, _("You have no sign-up to cancel."))
        return redirect(page.url)
    try:
        signup.cancel(by=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect(page.url)


def _live_signup(page, user, resident):
    return (ActivitySignup.objects.visible_to(user).live()
            .filter(activity=page, resident=resident).first())


def _context(page, request, resident, form):
    context = page.get_context(request)
    signup = None
    if resident is not None:
        # The live sign-up, else the last cancelled one (to say it was cancelled).
        signup = (ActivitySignup.objects.visible_to(request.user)
                  .filter(activity=page, resident=resident)
                  .order_by(F("cancelled_at").desc(nulls_first=True), "-created_at").first())
    can_sign_up = (resident is not None and page.signup_open
                   and (signup is None or not signup.is_live))
    if can_sign_up and form is None:
        form = ActivitySignupForm(page, resident)
    context.update({
        "resident": resident,
        "signup": signup,
        "waitlist_place": signup.waitlist_place() if signup else None,
        "remaining": page.remaining_places(),
        "form": form if can_sign_up or (form is not None and form.is_bound) else None,
        "can_cancel": signup is not None and signup.is_live and not page.has_started,
    })
    return context
