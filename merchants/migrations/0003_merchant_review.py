"""The merchant roles' permissions, and the merchant review (商家审核): a Wagtail workflow
whose one step is approved by community managers and editors serving the merchant.
Each MerchantIndexPage gets it when created (MerchantIndexPage.save)."""

from django.db import migrations

from portal.estates.roles import EDITOR, MANAGER, sync_roles

WORKFLOW = "商家审核"
TASK = "商家审核: 小区经理/内容编辑"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    MerchantApprovalTask = apps.get_model("merchants", "MerchantApprovalTask")
    if MerchantApprovalTask.objects.exists():
        return
    task_type, _ = ContentType.objects.get_or_create(app_label="merchants",
                                                     model="merchantapprovaltask")
    task = MerchantApprovalTask.objects.create(name=TASK, content_type=task_type, active=True)
    task.groups.set(Group.objects.filter(name__in=[MANAGER, EDITOR]))
    workflow = Workflow.objects.create(name=WORKFLOW, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0002_approval_task"),
        ("estates", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
        migrations.RunPython(create_workflow, migrations.RunPython.noop),
    ]
