"""Editors' pages are approved by a manager of their community before they go live: a
Wagtail workflow on the portal root with one CommunityApprovalTask for the managers.
Managers, who may publish, can still publish directly (emergencies)."""

from django.db import migrations

from portal.estates.roles import MANAGER

WORKFLOW = "Community approval"
TASK = "Community manager approval"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    CommunityApprovalTask = apps.get_model("notices", "CommunityApprovalTask")

    portal_root = Page.objects.filter(depth=2, content_type__app_label="home",
                                      content_type__model="portalrootpage").first()
    if portal_root is None or WorkflowPage.objects.filter(page=portal_root).exists():
        return
    task_type, _ = ContentType.objects.get_or_create(app_label="notices",
                                                     model="communityapprovaltask")
    task = CommunityApprovalTask.objects.create(name=TASK, content_type=task_type, active=True)
    task.groups.set(Group.objects.filter(name=MANAGER))
    workflow = Workflow.objects.create(name=WORKFLOW, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(page=portal_root, workflow=workflow)


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0004_community_approval_task"),
    ]

    operations = [
        migrations.RunPython(create_workflow, migrations.RunPython.noop),
    ]
