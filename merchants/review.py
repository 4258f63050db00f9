"""How a finished merchant review (商家审核) goes live.

Wagtail publishes the approved revision as its last approver and refuses unless that
person may publish the page. In the merchant review the task decides who approves
(community managers and editors serving the merchant: MerchantApprovalTask), and
editors hold no publish permission, so their approval was refused. A workflow made only
of merchant approval steps therefore publishes on the task's authority; every other
workflow publishes as Wagtail does. Set as WAGTAIL_FINISH_WORKFLOW_ACTION."""

from wagtail.workflows import publish_workflow_state


def publish_reviewed(workflow_state, user=None):
    from wagtail.models import Page

    from .models import MerchantApprovalTask, MerchantPage
    from .shop.models import Product

    steps = workflow_state.workflow.tasks.all()
    merchant_review = steps.exists() and all(
        isinstance(step.specific, MerchantApprovalTask) for step in steps)
    reviewed = workflow_state.content_object
    if isinstance(reviewed, Page):
        reviewed = reviewed.specific
    if merchant_review and isinstance(reviewed, (MerchantPage, Product)):
        revision = reviewed.get_latest_revision()
        revision.publish(user=user, skip_permission_checks=True)
    else:
        publish_workflow_state(workflow_state, user=user)
