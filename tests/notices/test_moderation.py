"""Editors draft and submit; a manager of the page's community approves (a Wagtail
workflow); managers may also publish directly."""

import pytest
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from notices.models import CommunityApprovalTask, NoticePage
from portal.estates import roles
from tests import factories as f


@pytest.fixture
def editor_a(company, community_a):
    return f.StaffFactory(company=company, user__groups=[roles.EDITOR],
                          communities=[community_a]).user


def _submit_notice(client, editor, index, community, slug, title="通知", summary="摘要"):
    client.force_login(editor)
    data = nested_form_data({
        "title": title, "slug": slug, "category": "festival", "summary": summary,
        "body": streamfield([]),
        "targets": inline_formset([{"community": community.pk, "building": "", "unit": "",
                                    "whole_company": ""}]),
    })
    data["action-submit"] = "1"
    client.post(reverse("wagtailadmin_pages:add", args=["notices", "noticepage", index.pk]),
                data)
    client.logout()
    return NoticePage.objects.get(slug=slug)


@pytest.fixture
def submitted(client, editor_a, index_a, community_a):
    return _submit_notice(client, editor_a, index_a, community_a, "greeting",
                          title="端午节贺词", summary="祝大家端午安康。")


def _approve(client, user, page):
    client.force_login(user)
    state = TaskState.objects.get(workflow_state__object_id=str(page.pk),
                                  status=TaskState.STATUS_IN_PROGRESS)
    return client.post(reverse("wagtailadmin_pages:workflow_action",
                               args=[page.pk, "approve", state.pk]), {"comment": ""})


def test_the_approval_workflow_is_installed_with_a_community_approval_task(db):
    task = CommunityApprovalTask.objects.get()

    assert list(task.groups.values_list("name", flat=True)) == [roles.MANAGER]


def test_editors_submission_waits_for_approval(submitted):
    assert not submitted.live
    assert WorkflowState.objects.get(object_id=str(submitted.pk)).status == "in_progress"


def test_manager_of_the_community_approves_and_the_notice_goes_live(client, submitted,
                                                                    manager_a):
    _approve(client, manager_a, submitted)

    assert NoticePage.objects.get(pk=submitted.pk).live


def test_manager_of_another_community_cannot_approve(client, submitted, manager_b):
    _approve(client, manager_b, submitted)

    assert not NoticePage.objects.get(pk=submitted.pk).live


def test_review_list_shows_only_the_managers_communities(submitted, manager_a, manager_b):
    assert TaskState.objects.reviewable_by(manager_a).count() == 1
    assert TaskState.objects.reviewable_by(manager_b).count() == 0


@pytest.fixture
def managers_with_emails(manager_a, manager_b):
    for user, address in ((manager_a, "a@example.com"), (manager_b, "b@example.com")):
        user.email = address
        user.save(update_fields=["email"])


def test_only_the_notice_s_community_managers_are_emailed(managers_with_emails, mailoutbox,
                                                          submitted):
    recipients = {address for message in mailoutbox for address in message.to}

    assert "a@example.com" in recipients
    assert "b@example.com" not in recipients


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_manager_cannot_act_on_another_community_s_notice_through_their_own(
        client, submitted, manager_b, company, community_b, index_b, action):
    """Wagtail's action view takes the task state from the URL: community A's, in the
    address of B's own notice that is in review too."""
    editor_b = f.StaffFactory(company=company, user__groups=[roles.EDITOR],
                              communities=[community_b]).user
    own = _submit_notice(client, editor_b, index_b, community_b, "b-notice")
    foreign = TaskState.objects.get(workflow_state__object_id=str(submitted.pk),
                                    status=TaskState.STATUS_IN_PROGRESS)
    client.force_login(manager_b)

    response = client.post(reverse("wagtailadmin_pages:workflow_action",
                                   args=[own.pk, action, foreign.pk]), {"comment": "x"})

    assert (response.status_code, response["Location"]) == (302, "/admin/")  # refused
    assert not NoticePage.objects.get(pk=submitted.pk).live
    assert TaskState.objects.get(pk=foreign.pk).status == TaskState.STATUS_IN_PROGRESS
