from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views
from portal import views
from portal.accounts.views import ResidentSignupView
from portal.estates import audit, page_reach, workflow_reach

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    *audit.urlpatterns,
    *page_reach.urlpatterns,
    *workflow_reach.urlpatterns,
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Sign-up is allauth's, with the community fixed by the resident's QR link.
    path("accounts/signup/", ResidentSignupView.as_view(), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("wechat/", include("portal.wechat.urls")),
    path("me/messages/", include("portal.notifications.urls")),
    path("payments/", include("portal.payments.urls")),
    path("", include("services.billing.owner_urls")),
    path("", include("services.urls")),
    path("gate/", include("services.visitors.gate_urls")),
    path("", include("services.visitors.owner_urls")),
    path("", include("merchants.shop.owner_urls")),
    path("prefs/large-font/", home_views.large_font, name="large_font"),
    path("", include("portal.estates.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves the page tree (the community home pages and everything under them).
urlpatterns += [path("", include(wagtail_urls))]
