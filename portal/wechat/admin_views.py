"""WeChat admin screens a viewset cannot declare: the menu as WeChat will show it and
pushing it, a follower without their full OpenID, and the community follow posters."""

from datetime import datetime

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.estates.admin_views import InspectWithHistoryView, ObjectActionView
from portal.estates.models import Community
from portal.estates.viewsets import InspectView

from .accounts import account_for_community
from .models import Menu
from .posters import PosterUnavailable, follow_code

POSTER_PERMISSION = "estates.print_registration_code"


def menu_preview(menu):
    """The menu as WeChat will get it, as HTML."""
    return render_to_string("wechat/admin/includes/menu_preview.html",
                            {"buttons": menu.as_wechat_json()["button"]})


class LocalTimeMixin:
    """Times in the inspect view in the local time zone: Wagtail's template formats the
    value itself, which skips Django's conversion from UTC."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime):
            return timezone.localtime(value)
        return value


class MenuInspectView(LocalTimeMixin, InspectWithHistoryView):
    """The menu as WeChat will get it, and its pushes with WeChat's answers."""

    def get_buttons_display_value(self):
        return menu_preview(self.object)


class MenuPushView(ObjectActionView):
    """Make the menu live on WeChat: a confirmation showing the menu as WeChat will get
    it (and what breaks WeChat's limits), then WeChat's answer as a message."""

    model = Menu
    permission_required = "wechat.push_menu"
    page_title = gettext_lazy("Push the menu to WeChat")
    template_name = "wechat/admin/menu_push.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            preview=menu_preview(self.object),
            problems=[str(problem) for problem in self.object.push_problems()],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            result = self.object.push(by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.path)
        if result.ok:
            return self.done(_("The menu is pushed to WeChat. Followers see it the next "
                               "time they open the account (within about 5 minutes)."))
        messages.error(request, result.problem())
        return HttpResponseRedirect(self.inspect_url)


class MenuLoadView(ObjectActionView):
    """Take over a menu made on the WeChat platform (or by another system) to edit it
    here."""

    model = Menu
    permission_required = "wechat.change_menu"
    page_title = gettext_lazy("Load the menu from WeChat")
    template_name = "wechat/admin/menu_load.html"

    def post(self, request, *args, **kwargs):
        try:
            left_out = self.object.load_from_wechat(by=request.user)
        except ValidationError as error:
            return self.refused(error)
        if left_out:
            messages.warning(request, _(
                "These buttons were left out: the admin cannot edit their type. %(names)s"
            ) % {"names": ", ".join(left_out)})
        return self.done(_("The menu now shows what WeChat shows. Edit it, then push it."))


class FollowerInspectView(LocalTimeMixin, InspectView):
    def get_openid_display_value(self):
        return str(self.object)


class PosterPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(POSTER_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FollowPosterIndexView(PosterPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """The communities the user may print a follow poster for, with the account that
    serves each."""

    page_title = gettext_lazy("Follow posters")
    header_icon = "image"
    template_name = "wechat/admin/follow_posters.html"
    poster_url_name = None

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        communities = Community.objects.visible_to(self.request.user).order_by("name")
        rows = [
            {"community": community, "account": account_for_community(community),
             "url": reverse(self.poster_url_name, args=[quote(community.pk)])}
            for community in communities
        ]
        return super().get_context_data(rows=rows, **kwargs)


class FollowPosterView(ObjectActionView):
    """A print-friendly poster: the community's name and its follow QR code."""

    model = Community
    permission_required = POSTER_PERMISSION
    template_name = "wechat/admin/follow_poster.html"
    page_title = gettext_lazy("Follow poster")

    @property
    def inspect_url(self):
        return reverse(self.index_url_name)

    def get_context_data(self, **kwargs):
        try:
            code = follow_code(self.object)
        except PosterUnavailable as error:
            return super().get_context_data(error=str(error), **kwargs)
        return super().get_context_data(code=code, qr_svg=code.svg(), **kwargs)
