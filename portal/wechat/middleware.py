"""Silent WeChat login on the H5 pages opened from the Official Account's menu.

The first page a person opens in WeChat's browser, while not logged in, sends them
through the snsapi_base OAuth (no prompt, the openid only) and back to that page: a
resident whose WeChat is linked arrives logged in; anyone else reads the page as a
guest, their WeChat identity kept for when they register or log in.

Once per session: a failed or refused attempt never loops. Only page views (GET,
navigations asking for HTML) of resident pages; never forms, AJAX, the admin, the
WeChat callback, files or the login pages themselves. Outside WeChat nothing happens.
"""

from django.conf import settings
from django.shortcuts import redirect

from .oauth.serving import account_for_request, in_wechat, login_url

ATTEMPTED_SESSION_KEY = "wechat_openid_attempted"
# Paths that are not resident pages, or that are the login itself.
SKIPPED_PREFIXES = ("/admin/", "/accounts/", "/wechat/", "/documents/", "/healthz",
                    "/favicon.ico", "/robots.txt")


class SilentOpenIDMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.skipped_prefixes = (*SKIPPED_PREFIXES, settings.STATIC_URL, settings.MEDIA_URL)

    def __call__(self, request):
        if self.wants_openid(request):
            account = account_for_request(request)
            request.session[ATTEMPTED_SESSION_KEY] = True
            if account is not None and account.secret:
                return redirect(login_url(account, request.get_full_path(), silent=True))
        return self.get_response(request)

    def wants_openid(self, request):
        return (
            settings.WECHAT_SILENT_LOGIN
            and request.method == "GET"
            and in_wechat(request)
            and is_page_navigation(request)
            and not request.path.startswith(self.skipped_prefixes)
            and not request.user.is_authenticated
            and not request.session.get(ATTEMPTED_SESSION_KEY)
        )


def is_page_navigation(request):
    """The browser opening a page, not a script fetching data."""
    headers = request.headers
    if headers.get("X-Requested-With") == "XMLHttpRequest" or "HX-Request" in headers:
        return False
    if headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
        return False
    return "text/html" in headers.get("Accept", "")
