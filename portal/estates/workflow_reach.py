"""Wagtail's two workflow reports ("Workflows", "Workflow tasks") keep to what the user
may see. Wagtail lists a page's moderation when the user may change the page, and a
snippet's when the user may change that kind of snippet: another community's notices in
review, another merchant's product with its new price. Here pages are narrowed as the
explorer narrows them (page_reach.reachable) and snippets by their ``visible_to``; so is
the report's "requested by" filter, which named everyone who ever asked for a review."""

from functools import reduce
from operator import or_

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from wagtail.admin.views.reports import workflows
from wagtail.models import Page, WorkflowState, get_default_page_content_type

from .audit import report_paths
from .page_reach import reachable


def _as_text_ids(queryset):
    # A state names its object by a text id (a generic relation).
    return queryset.values_list(Cast("pk", output_field=CharField()), flat=True)


def hidden_states(request):
    """The workflow states of pages and snippets the user may not see."""
    page_type = get_default_page_content_type()
    unseen = [Q(base_content_type=page_type)
              & ~Q(object_id__in=_as_text_ids(reachable(Page.objects.all(), request)))]
    snippet_types = (WorkflowState.objects.exclude(base_content_type=page_type)
                     .values_list("base_content_type", flat=True).distinct())
    for type_id in snippet_types:
        model = ContentType.objects.get_for_id(type_id).model_class()
        objects = getattr(model, "_default_manager", None)
        if objects is not None and hasattr(objects, "visible_to"):
            visible = _as_text_ids(objects.visible_to(request.user))
            unseen.append(Q(base_content_type_id=type_id) & ~Q(object_id__in=visible))
    return WorkflowState.objects.filter(reduce(or_, unseen))


def requesters(request):
    states = WorkflowState.objects.exclude(pk__in=hidden_states(request))
    return get_user_model().objects.filter(
        pk__in=states.values("requested_by")).order_by(get_user_model().USERNAME_FIELD)


class WorkflowFilterSet(workflows.WorkflowReportFilterSet):
    requested_by = django_filters.ModelChoiceFilter(field_name="requested_by",
                                                    queryset=requesters)


class ReachableWorkflowView(workflows.WorkflowView):
    filterset_class = WorkflowFilterSet

    def get_queryset(self):
        return super().get_queryset().exclude(pk__in=hidden_states(self.request))


class ReachableWorkflowTasksView(workflows.WorkflowTasksView):
    def get_queryset(self):
        return super().get_queryset().exclude(workflow_state__in=hidden_states(self.request))


urlpatterns = [
    *report_paths("workflow", ReachableWorkflowView, "workflow_reachable"),
    *report_paths("workflow_tasks", ReachableWorkflowTasksView, "workflow_tasks_reachable"),
]
