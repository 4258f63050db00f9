from django.core.exceptions import PermissionDenied
from wagtail import hooks

from . import page_scope


@hooks.register("construct_explorer_page_queryset")
def only_pages_of_my_communities(parent_page, pages, request):
    return page_scope.pages_in_scope(pages, request.user)


@hooks.register("construct_page_chooser_queryset")
def choose_only_pages_of_my_communities(pages, request):
    return page_scope.pages_in_scope(pages, request.user)


@hooks.register("before_create_page")
def create_only_in_my_communities(request, parent_page, page_class):
    if not page_scope.in_scope(parent_page, request.user):
        raise PermissionDenied
