"""A community's notice list as a reader sees it, and the search across notices,
activities and the handbook. Both start from notices.targeting's filters."""

from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from . import targeting
from .search import search

NOTICES_PER_PAGE = 20
SEARCH_RESULTS = 20


def _urgent():
    """Emergency notices that have not expired."""
    from .models import NoticePage

    today = timezone.localdate()
    return Q(category=NoticePage.Category.EMERGENCY) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def notices_listed_for(user, community):
    """The live notices of the community's list, urgent and pinned first, newest next,
    each with ``is_read`` for a resident."""
    from .models import NoticePage, NoticeRead

    notices = (NoticePage.objects.live()
               .filter(targeting.listed_notices_filter(user, community))
               .annotate(urgent=Case(When(_urgent(), then=Value(True)), default=Value(False),
                                     output_field=BooleanField()))
               .order_by("-urgent", "-pinned", "-first_published_at", "-pk"))
    resident = targeting.resident_of(user)
    if resident is not None:
        notices = notices.annotate(is_read=Exists(
            NoticeRead.objects.filter(page=OuterRef("pk"), resident=resident)))
    return notices


def unread_emergencies(user, community):
    """The banner on a community's home page: urgent notices the reader has not opened
    (for a visitor without an account, the public ones until they expire)."""
    notices = notices_listed_for(user, community).filter(urgent=True)
    if targeting.resident_of(user) is not None:
        notices = notices.filter(is_read=False)
    return notices


def notice_list_context(index_page, request):
    from .activity_listing import activities_listed_for
    from .filters import NoticeListFilter
    from .models import ActivityPage, HandbookPage, NoticePage

    query = request.GET.get("q", "").strip()
    if query:
        notices = (NoticePage.objects.live()
                   .filter(pk__in=notices_listed_for(request.user, index_page.community)
                           .values("pk")))
        activities = ActivityPage.objects.live().filter(
            pk__in=activities_listed_for(request.user, index_page.community).values("pk"))
        handbooks = (HandbookPage.objects.live()
                     .filter(targeting.community_pages_filter(request.user),
                             community=index_page.community))
        return {
            "query": query,
            "results": [*search(notices, query, SEARCH_RESULTS),
                        *search(activities, query, SEARCH_RESULTS),
                        *search(handbooks, query, SEARCH_RESULTS)],
        }
    filter_set = NoticeListFilter(request.GET or None,
                                  queryset=notices_listed_for(request.user, index_page.community))
    paginator = Paginator(filter_set.qs, NOTICES_PER_PAGE)
    return {
        "filter": filter_set,
        "notices": paginator.get_page(request.GET.get("page")),
    }
