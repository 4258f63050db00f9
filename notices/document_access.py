"""Who may download a document: a file attached to a notice, an activity or the handbook.

Document files are kept out of the published MEDIA_ROOT (portal.storage) and served only
by Wagtail's document view, whose before_serve_document hook (notices.wagtail_hooks)
asks may_download(). A document has no community of its own: it is as visible as the
pages that use it, found through Wagtail's reference index, and a page is visible to
whom its own serve() lets read it (notices.targeting). Everyone else gets the 404 of a
document that does not exist, so ids cannot be probed.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, IntegerField, Q
from django.db.models.functions import Cast
from django.utils.cache import patch_cache_control
from wagtail.documents import get_document_model
from wagtail.models import Page, ReferenceIndex
from wagtail.permissions import policy_registry
from wagtail.utils import sendfile_streaming_backend

from . import page_scope
from .models import CommunityPage


def pages_using(document):
    """The community pages whose content (a live page's published content, a draft's
    saved one) links to the document."""
    references = ReferenceIndex.get_references_to(document).filter(
        base_content_type=ContentType.objects.get_for_model(Page))
    page_ids = {int(pk) for pk in references.values_list("object_id", flat=True)}
    return [page for page in Page.objects.filter(pk__in=page_ids).specific()
            if isinstance(page, CommunityPage)]


def readable(page, request):
    """What the page's own serving lets this request read: live, visible to the user
    (notices.targeting), and past any privacy Wagtail's admin set on it."""
    return (page.live and page.is_visible_to(request.user)
            and all(restriction.accept_request(request)
                    for restriction in page.get_view_restrictions()))


def may_download(request, document):
    """Readers of a page that uses the document; and staff who may use documents in the
    admin, for the pages they edit (drafts too) and for an unused upload they may change
    (their own, before it is put in a page)."""
    pages = pages_using(document)
    if any(readable(page, request) for page in pages):
        return True
    user = request.user
    policy = policy_registry.get_by_type(get_document_model())
    if not policy.user_has_any_permission_for_instance(user, ["choose", "change"], document):
        return False
    if pages:
        return any(page_scope.in_scope(page, user) for page in pages)
    return policy.user_has_permission_for_instance(user, "change", document)


def documents_in_reach(documents, user):
    """The admin's document chooser: Wagtail's library is one for every community, and a
    document put in a page of one's own community could then be downloaded. Offered are
    one's own uploads and the documents the pages one edits already use."""
    if user.is_superuser:
        return documents
    pages = (page_scope.pages_in_scope(Page.objects.all(), user)
             .annotate(pk_text=Cast("pk", CharField())).values("pk_text"))
    used = (ReferenceIndex.objects
            .filter(base_content_type=ContentType.objects.get_for_model(Page),
                    object_id__in=pages,
                    to_content_type=ContentType.objects.get_for_model(get_document_model()))
            .annotate(document_id=Cast("to_object_id", IntegerField())).values("document_id"))
    return documents.filter(Q(pk__in=used) | Q(uploaded_by_user=user))


def sendfile(request, filename, **kwargs):
    """The SENDFILE_BACKEND of Wagtail's document view: its streaming backend, with the
    answer kept out of shared caches (it depends on who asked)."""
    response = sendfile_streaming_backend.sendfile(request, filename, **kwargs)
    patch_cache_control(response, private=True)
    return response
