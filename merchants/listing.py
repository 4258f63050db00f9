"""What a community's merchant index lists: the approved, live merchants serving that
community, filtered by tag (chips) and searched (the Wagtail search backend)."""

from django.core.paginator import Paginator

from notices.search import search

from .models import MerchantPage, MerchantTag

MERCHANTS_PER_PAGE = 20
SEARCH_RESULTS = 30


def merchants_listed_for(community):
    return (MerchantPage.objects.open().serving(community)
            .prefetch_related("tags", "images__image")
            .order_by("title", "pk"))


def merchant_list_context(index_page, request):
    community = index_page.community
    merchants = merchants_listed_for(community)
    tags = MerchantTag.objects.filter(merchants__in=merchants.values("pk")).distinct()
    query = request.GET.get("q", "").strip()[:50]
    if query:
        found = search(MerchantPage.objects.open().serving(community), query, SEARCH_RESULTS)
        # The search backend returns the pages; load them with their tags and images.
        ids = [page.pk for page in found]
        results = sorted(merchants.filter(pk__in=ids), key=lambda page: ids.index(page.pk))
        return {"community": community, "tags": tags, "query": query, "results": results}
    chosen = tags.filter(pk=request.GET.get("tag")).first() if request.GET.get(
        "tag", "").isdigit() else None
    if chosen is not None:
        merchants = merchants.filter(pk__in=MerchantPage.objects.filter(tags=chosen)
                                     .values("pk"))
    return {
        "community": community,
        "tags": tags,
        "chosen_tag": chosen,
        "merchants": Paginator(merchants, MERCHANTS_PER_PAGE).get_page(request.GET.get("page")),
    }
