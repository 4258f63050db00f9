from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from . import activity_admin, admin_views, document_access, page_scope, personal_admin
from .models import ActivityPage


@hooks.register("construct_explorer_page_queryset")
def only_pages_of_my_communities(parent_page, pages, request):
    return page_scope.pages_in_scope(pages, request.user)


@hooks.register("construct_page_chooser_queryset")
def choose_only_pages_of_my_communities(pages, request):
    return page_scope.pages_in_scope(pages, request.user)


@hooks.register("before_serve_document")
def serve_documents_only_to_their_readers(document, request):
    # The same answer as for an id that does not exist (see notices.document_access).
    if not document_access.may_download(request, document):
        raise Http404


@hooks.register("construct_document_chooser_queryset")
def choose_only_documents_in_reach(documents, request):
    return document_access.documents_in_reach(documents, request.user)


@hooks.register("before_create_page")
def create_only_in_my_communities(request, parent_page, page_class):
    if not page_scope.in_scope(parent_page, request.user):
        raise PermissionDenied


reach_urls = [
    path("", admin_views.ReachIndexView.as_view(), name="index"),
    path("<int:pk>/", admin_views.ReachDetailView.as_view(), name="detail"),
    path("<int:pk>/call/<int:resident_pk>/", admin_views.CallResidentView.as_view(),
         name="call"),
    path("<int:pk>/push/", admin_views.PushAgainView.as_view(), name="push_again"),
]


@hooks.register("register_admin_urls")
def register_reach_urls():
    return [path("notices/reach/", include((reach_urls, "notices_reach")))]


activity_urls = [
    path("", activity_admin.ActivityIndexView.as_view(), name="index"),
    path("<int:pk>/", activity_admin.SignupListView.as_view(), name="signups"),
    path("<int:pk>/check-in/<int:signup_pk>/", activity_admin.CheckInView.as_view(),
         name="check_in"),
    path("<int:pk>/export/", activity_admin.ExportView.as_view(), name="export"),
]


@hooks.register("register_admin_urls")
def register_activity_urls():
    return [path("notices/activities/", include((activity_urls, "notices_activities")))]


personal_urls = [
    path("", personal_admin.PersonalNoticeListView.as_view(), name="index"),
    path("send/", personal_admin.SendPersonalNoticeView.as_view(), name="send"),
    path("<int:pk>/", personal_admin.PersonalNoticeDetailView.as_view(), name="detail"),
]


@hooks.register("register_admin_urls")
def register_personal_notice_urls():
    return [path("notices/personal/", include((personal_urls, "notices_personal")))]


def _signups_button(page, user, priority):
    if page.specific_class is ActivityPage and page_scope.in_scope(page, user):
        yield Button(_("Sign-ups"), url=reverse("notices_activities:signups", args=[page.pk]),
                     icon_name="group", priority=priority)


@hooks.register("register_page_listing_more_buttons")
def activity_signups_listing_button(page, user, next_url=None):
    yield from _signups_button(page, user, priority=55)


@hooks.register("register_page_header_buttons")
def activity_signups_header_button(page, user, view_name, next_url=None):
    yield from _signups_button(page, user, priority=67)


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or hasattr(request.user, "staff")


@hooks.register("register_admin_menu_item")
def register_reach_menu_item():
    return StaffMenuItem(_("Notice reach"), reverse("notices_reach:index"), icon_name="view",
                         order=310)


@hooks.register("register_admin_menu_item")
def register_activity_menu_item():
    return StaffMenuItem(_("Activity sign-ups"), reverse("notices_activities:index"),
                         icon_name="date", order=311)


@hooks.register("register_admin_menu_item")
def register_personal_notice_menu_item():
    return StaffMenuItem(_("Personal notices"), reverse("notices_personal:index"),
                         icon_name="mail", order=312)


@hooks.register("register_log_actions")
def register_notice_log_actions(actions):
    actions.register_action("notices.notice.push", _("Push to residents"),
                            _("Notice pushed to its residents"))
    actions.register_action("notices.activity.push", _("Push to residents"),
                            _("Activity pushed to its residents"))
    actions.register_action("notices.activity.sign_up", _("Sign up"),
                            _("A resident signed up"))
    actions.register_action("notices.activity.cancel", _("Cancel a sign-up"),
                            _("A sign-up was cancelled"))
    actions.register_action("notices.activity.promote", _("Move up from the waitlist"),
                            _("A waitlisted sign-up moved up"))
    actions.register_action("notices.activity.check_in", _("Check in"),
                            _("People of a sign-up checked in"))
    actions.register_action("notices.personal.send", _("Send a personal notice"),
                            _("Personal notice sent"))
    actions.register_action("notices.reach.call", _("Show a resident's number to call"),
                            _("Number shown to call a resident about an unread notice"))
