"""Admin screens the viewsets cannot declare: sending a failed delivery again, and the
template setting form."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.estates.admin_views import ObjectActionView
from portal.estates.errors import TransitionNotAllowed
from portal.estates.viewsets import ScopedModelForm

from .models import Delivery, TemplateSetting
from .service import send_test


class ResendDeliveryView(ObjectActionView):
    model = Delivery
    permission_required = "notifications.resend_delivery"
    page_title = _("Send again")
    template_name = "notifications/admin/confirm_resend.html"

    def post(self, request, *args, **kwargs):
        try:
            self.object.resend(by=request.user)
        except TransitionNotAllowed as error:
            return self.refused(error)
        return self.done(_("The message is queued and will be sent again shortly."))


class SendTestView(ObjectActionView):
    model = TemplateSetting
    permission_required = "notifications.change_templatesetting"
    page_title = _("Send a test message")
    template_name = "notifications/admin/confirm_send_test.html"

    def post(self, request, *args, **kwargs):
        try:
            send_test(self.object, request.user)
        except ValidationError as error:
            return self.refused(error)
        return self.done(_("The test message is on its way: its result is in the delivery "
                           "log, under your name."))


class TemplateSettingForm(ScopedModelForm):
    """Official accounts offered are those the user may see (ScopedModelForm); the
    keywords are checked against the event's placeholders (TemplateSetting.clean)."""

    class Meta:
        model = TemplateSetting
        fields = ["account", "event", "template_id", "fields", "is_active"]
