"""Moving pages between communities.

A community's pages live under its home page, and their ``community`` says so. A page
moved under another community's home page (with the pages under it) belongs to that
community from then on. A notice or an activity among them whose targets lie outside
the new community (another community's buildings or units, another company) would reach
people the new community does not serve: such a move is refused with a clear message, before
anything changes; the editor changes the targets first.

Connected to Wagtail's pre_page_move and post_page_move signals (every move, from the
admin or from code) and to the admin's before_move_page hook (the message in the admin).
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages

from portal import page_cache

from . import targeting


def _community_pages():
    from .models import CommunityPage

    return [model for model in apps.get_models()
            if issubclass(model, CommunityPage) and not model._meta.proxy]


def community_under(parent):
    """The community whose home page is ``parent`` or one of its ancestors, or None."""
    from home.models import HomePage

    home = HomePage.objects.ancestor_of(parent, inclusive=True).only("community").first()
    return home.community if home is not None else None


def _moving_community_pages(page):
    """A community page (a home page brings its community along)."""
    from .models import CommunityPage

    return issubclass(page.specific_class, CommunityPage)


def misfit_titles(page, community):
    """The titles of the targeted pages (notices, activities) at or under ``page``
    with a target outside ``community``."""
    outside = (Q(whole_company=True) & ~Q(company_id=community.company_id)
               | Q(whole_company=False) & ~Q(community_id=community.pk))
    titles = []
    for model in _community_pages():
        target_model = targeting.target_model_of(model)
        if target_model is None:
            continue
        titles += model.objects.filter(
            path__startswith=page.path,
            pk__in=target_model.objects.filter(outside).values("page_id"),
        ).values_list("title", flat=True)
    return titles


def check_move(page, parent_after):
    """Raise ValidationError when moving ``page`` under ``parent_after`` would leave a
    notice or activity targeting people outside its new community."""
    community = community_under(parent_after)
    if community is None or not _moving_community_pages(page):
        return
    titles = misfit_titles(page, community)
    if titles:
        raise ValidationError(
            _("“%(page)s” cannot move to %(community)s: %(pages)s is for people outside "
              "%(community)s. Change its targets first.")
            % {"page": page.title, "community": community.name,
               "pages": ", ".join(f"“{title}”" for title in titles[:3])})


def refuse_misfit_move(sender, instance, parent_page_after, **kwargs):
    check_move(instance, parent_page_after)


def follow_the_new_community(sender, instance, parent_page_after, **kwargs):
    """After the move: the page and those under it belong to the new community."""
    community = community_under(parent_page_after)
    if community is None or not _moving_community_pages(instance):
        return
    changed = 0
    for model in _community_pages():
        changed += (model.objects.filter(path__startswith=instance.path)
                    .exclude(community_id=community.pk).update(community_id=community.pk))
    if changed:
        page_cache.bump_generation()  # update() sends no post_save


@hooks.register("before_move_page")
def explain_refused_move(request, page, destination):
    """In the admin: the message next to the move, instead of an error page."""
    try:
        check_move(page, destination)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("wagtailadmin_pages:move", page.pk)
    return None


def connect_signals():
    from wagtail.signals import post_page_move, pre_page_move

    pre_page_move.connect(refuse_misfit_move, dispatch_uid="notices_refuse_misfit_move")
    post_page_move.connect(follow_the_new_community,
                           dispatch_uid="notices_follow_the_new_community")
