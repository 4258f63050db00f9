"""Admin screens a viewset cannot declare: verifying a house binding, disabling an
account, printing the registration QR code. Each loads its object through
``visible_to(user)``, checks one function permission, calls one model method and turns
a refused transition into a message."""

import segno
from django.conf import settings
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import ModelLogEntry

from .admin_forms import ReasonForm
from .errors import TransitionNotAllowed
from .models import Community, Occupancy, Resident
from .registration import registration_path
from .viewsets import InspectView


def audit_trail(*objects):
    """Wagtail's audit log rows for these objects, newest first."""
    from django.contrib.contenttypes.models import ContentType

    query = Q()
    for obj in objects:
        query |= Q(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
    if not query:
        return ModelLogEntry.objects.none()
    return ModelLogEntry.objects.filter(query).select_related("user").order_by("-timestamp")


class ObjectActionView(WagtailAdminTemplateMixin, TemplateView):
    """A page about one object the user may see, guarded by one permission."""

    model = None
    permission_required = None
    index_url_name = None
    inspect_url_name = None
    url_names = {}  # the viewset's other views, by path segment
    pk_url_kwarg = "pk"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        self.object = get_object_or_404(
            self.model.objects.visible_to(request.user), pk=unquote(str(kwargs[self.pk_url_kwarg]))
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.object)

    @property
    def inspect_url(self):
        return reverse(self.inspect_url_name, args=[quote(self.object.pk)])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name),
             "label": self.model._meta.verbose_name_plural.capitalize()},
            {"url": self.inspect_url, "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def done(self, message):
        messages.success(self.request, message)
        return HttpResponseRedirect(self.inspect_url)

    def refused(self, error):
        text = error.messages[0] if isinstance(error, ValidationError) else str(error)
        messages.error(self.request, text)
        return HttpResponseRedirect(self.request.path)


class OccupancyReviewView(ObjectActionView):
    """Customer service compares a registrant's claim with the owners on file."""

    model = Occupancy
    permission_required = "estates.verify_occupancy"
    page_title = _("Review house binding")
    template_name = "estates/admin/occupancy_review.html"

    def get_context_data(self, **kwargs):
        occupancy = self.object
        return super().get_context_data(
            resident=occupancy.resident,
            owner_records=occupancy.house.owner_records.all(),
            matches=occupancy.matches_owner_record(),
            other_occupancies=occupancy.house.occupancies.active()
            .exclude(pk=occupancy.pk).select_related("resident"),
            reject_form=kwargs.pop("reject_form", None) or ReasonForm(required=True),
            is_pending=occupancy.state == Occupancy.State.PENDING,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "verify":
                self.object.verify(by=request.user)
                return self.done(_("The house binding is verified."))
            if action == "reject":
                form = ReasonForm(request.POST, required=True)
                if not form.is_valid():
                    messages.error(request, _("Give the resident a reason for the rejection."))
                    return self.render_to_response(self.get_context_data(reject_form=form))
                self.object.reject(by=request.user, reason=form.cleaned_data["reason"])
                return self.done(_("The house binding is rejected."))
        except (TransitionNotAllowed, ValidationError) as error:
            return self.refused(error)
        return HttpResponseRedirect(request.path)


class ConfirmWithReasonView(ObjectActionView):
    """A confirmation page with a reason field, for a change that needs no other input."""

    template_name = "estates/admin/confirm_with_reason.html"
    confirm_label = None
    reason_required = False

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ReasonForm(required=self.reason_required))
        return super().get_context_data(
            confirm_label=self.confirm_label,
            explanation=self.get_explanation(),
            **kwargs,
        )

    def get_explanation(self):
        return ""

    def post(self, request, *args, **kwargs):
        form = ReasonForm(request.POST, required=self.reason_required)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            message = self.act(form.cleaned_data["reason"])
        except (TransitionNotAllowed, ValidationError) as error:
            return self.refused(error)
        return self.done(message)

    def act(self, reason):
        """Make the change; return the success message."""
        raise NotImplementedError


class OccupancyEndView(ConfirmWithReasonView):
    """Moving out, a sale, the end of a tenancy."""

    model = Occupancy
    permission_required = "estates.change_occupancy"
    page_title = _("End house binding")
    confirm_label = _("End the binding")

    def get_explanation(self):
        return _("The resident keeps their account but no longer belongs to this house.")

    def act(self, reason):
        self.object.end(by=self.request.user, reason=reason)
        return _("The house binding is ended.")


class ResidentDisableView(ConfirmWithReasonView):
    model = Resident
    permission_required = "estates.disable_resident"
    page_title = _("Disable account")
    confirm_label = _("Disable the account now")
    reason_required = True

    def get_explanation(self):
        return _("The resident is logged out everywhere at once and cannot log in "
                 "until the account is enabled again.")

    def act(self, reason):
        self.object.disable(by=self.request.user, reason=reason)
        return _("The account is disabled; the resident is logged out.")


class ResidentEnableView(ConfirmWithReasonView):
    model = Resident
    permission_required = "estates.disable_resident"
    page_title = _("Enable account")
    confirm_label = _("Enable the account")

    def get_explanation(self):
        return _("The resident can log in again.")

    def act(self, reason):
        self.object.enable(by=self.request.user)
        return _("The account is enabled.")


class ResidentSetPasswordView(ObjectActionView):
    """For residents without an e-mail address: the office sets a new password with the
    resident present, after checking who they are."""

    model = Resident
    permission_required = "estates.change_resident"
    page_title = _("Set a new password")
    template_name = "estates/admin/set_password.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", SetPasswordForm(self.object.user))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = SetPasswordForm(self.object.user, request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        self.object.set_password(by=request.user, password=form.cleaned_data["new_password1"])
        return self.done(_("The new password is set. Give it to the resident in person."))


class RegistrationCodeView(ObjectActionView):
    """A print-friendly poster: the community's name, its QR code and how to use it."""

    model = Community
    permission_required = "estates.print_registration_code"
    template_name = "estates/admin/registration_code.html"
    page_title = _("Registration QR code")

    def get_context_data(self, **kwargs):
        url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + registration_path(self.object)
        return super().get_context_data(
            registration_url=url,
            qr_svg=segno.make(url, error="m").svg_inline(omitsize=True, border=2),
            withdraw_url=reverse(self.url_names["withdraw-codes"], args=[quote(self.object.pk)]),
            **kwargs,
        )


class WithdrawRegistrationCodesView(ConfirmWithReasonView):
    model = Community
    permission_required = "estates.print_registration_code"
    page_title = _("Withdraw printed registration codes")
    confirm_label = _("Withdraw all printed codes")

    def get_explanation(self):
        return _("Every registration QR code printed so far stops working at once. Print "
                 "the new code and put it up in place of the old ones. Accounts already "
                 "registered are not affected.")

    def act(self, reason):
        self.object.withdraw_registration_codes(by=self.request.user, reason=reason)
        return _("The printed codes are withdrawn. Print the new code.")


class InspectWithHistoryView(InspectView):
    """The inspect view with the object's audit trail: who did what, when."""

    template_name = "estates/admin/inspect_with_history.html"

    def trail_objects(self):
        return [self.object]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            audit_trail=audit_trail(*self.trail_objects())[:50], **kwargs
        )


class ResidentInspectView(InspectWithHistoryView):
    def trail_objects(self):
        # The resident's own rows and those of their house bindings, in one trail.
        return [self.object, *self.object.occupancies.all()]
