"""A community's activity list as a reader sees it: coming activities first (soonest
first), then past ones (latest first). Starts from notices.targeting's filter."""

from django.core.paginator import Paginator
from django.utils import timezone

from . import targeting

PAST_PER_PAGE = 20


def activities_listed_for(user, community):
    from .models import ActivityPage, ActivityTarget

    return (ActivityPage.objects.live()
            .filter(targeting.listed_pages_filter(user, community, ActivityTarget)))


def activity_list_context(index_page, request):
    activities = activities_listed_for(request.user, index_page.community)
    now = timezone.now()
    past = activities.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    return {
        "upcoming": activities.filter(ends_at__gte=now).order_by("starts_at", "pk"),
        "past": Paginator(past, PAST_PER_PAGE).get_page(request.GET.get("page")),
    }
