from django.conf import settings

LARGE_FONT_COOKIE = "large_font"


def h5(request):
    """What every H5 page needs: the site name and the elder-friendly font choice."""
    return {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "large_font": request.COOKIES.get(LARGE_FONT_COOKIE) == "1",
    }
