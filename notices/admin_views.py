"""Reach in the admin: per notice how many residents it targets and how many have read
it; for an emergency notice the residents who have not, for the front desk to call.
Every notice and resident is loaded through visible_to(user)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.estates.models import Resident

from . import reach
from .models import NoticePage, NoticePush

ACCESS_ADMIN = "wagtailadmin.access_admin"
PER_PAGE = 50


class StaffOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.has_perm(ACCESS_ADMIN) or not (user.is_superuser or hasattr(user, "staff")):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ReachIndexView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Notice reach")
    header_icon = "view"
    template_name = "notices/admin/reach_index.html"

    def get_context_data(self, **kwargs):
        notices = (NoticePage.objects.visible_to(self.request.user).live()
                   .select_related("community").order_by("-first_published_at", "-pk"))
        page = Paginator(notices, PER_PAGE).get_page(self.request.GET.get("p"))
        rows = [(notice, reach.reach_of(notice)) for notice in page]
        return super().get_context_data(rows=rows, page_obj=page, **kwargs)


class ScopedObjectMixin(StaffOnlyMixin, WagtailAdminTemplateMixin):
    """An admin page about one object the user may see (``model``, found by ``pk`` in
    its visible_to(user)), under the listing named ``index_url_name``."""

    model = None
    index_url_name = ""
    index_label = ""

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(self.model.objects.visible_to(request.user),
                                        pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": reverse(self.index_url_name), "label": self.index_label},
                {"url": "", "label": str(self.object)}]


class NoticeReachMixin(ScopedObjectMixin):
    """A page about one notice the user may see."""

    header_icon = "view"
    model = NoticePage
    index_url_name = "notices_reach:index"
    index_label = _("Notice reach")

    @property
    def notice(self):
        return self.object

    def get_page_title(self):
        return _("Reach: %(title)s") % {"title": self.notice.title}

    def unread_residents(self):
        return reach.unread_residents(self.notice).filter(
            pk__in=Resident.objects.visible_to(self.request.user))


class ReachDetailView(NoticeReachMixin, TemplateView):
    template_name = "notices/admin/reach_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            notice=self.notice, reach=reach.reach_of(self.notice),
            pushes=self.notice.pushes.order_by("round"),
            can_push=self.notice.permissions_for_user(self.request.user).can_publish(),
            **kwargs)
        if self.notice.is_emergency:
            context["unread"] = Paginator(self.unread_residents(), PER_PAGE).get_page(
                self.request.GET.get("p"))
        return context


class CallResidentView(NoticeReachMixin, TemplateView):
    """Shows one unread resident's full number as a tel: link, and records that it was
    shown. Only for emergency notices and residents who have not read them."""

    template_name = "notices/admin/reach_call.html"

    def get(self, request, *args, **kwargs):
        if not self.notice.is_emergency:
            raise PermissionDenied
        self.resident = get_object_or_404(self.unread_residents(), pk=kwargs["resident_pk"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        phone = reach.reveal_phone(self.notice, self.resident, by=self.request.user)
        return super().get_context_data(notice=self.notice, resident=self.resident,
                                        phone=phone, **kwargs)


class PushAgainView(NoticeReachMixin, View):
    """An editor's explicit "push again": a new round to every targeted resident."""

    def post(self, request, *args, **kwargs):
        if not self.notice.permissions_for_user(request.user).can_publish():
            raise PermissionDenied
        try:
            push = NoticePush.push_again(self.notice, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Round %(round)s is being sent to the residents.")
                             % {"round": push.round})
        return redirect("notices_reach:detail", pk=self.notice.pk)
