"""A merchant's login accounts, created by staff.

Each merchant gets a group of its own holding "change" on its page and the right to add
and choose images in a collection of its own; its accounts are members of that group
and of the 商家 role. Wagtail's page and collection permissions then do the rest.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.log_actions import log
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from portal.accounts.models import User
from portal.estates import roles

PAGE_PERMISSIONS = ["change_page"]
IMAGE_PERMISSIONS = [("wagtailimages", "add_image"), ("wagtailimages", "choose_image")]


def group_name(merchant):
    return f"{roles.MERCHANT} #{merchant.pk}"


def grant_editing(merchant):
    """Create or repair the merchant's own group and its permissions (idempotent)."""
    with transaction.atomic():
        group = merchant.editors
        if group is None:
            group, _created = Group.objects.get_or_create(name=group_name(merchant))
            type(merchant).objects.filter(pk=merchant.pk).update(editors=group)
            merchant.editors = group
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group, page=merchant.page_ptr,
                permission=Permission.objects.get(content_type__app_label="wagtailcore",
                                                  codename=codename))
        collection = _collection_of(merchant)
        for app_label, codename in IMAGE_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection,
                permission=Permission.objects.get(content_type__app_label=app_label,
                                                  codename=codename))
    return group


def _collection_of(merchant):
    name = group_name(merchant)
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=name).first()
    return existing or root.add_child(name=name)


def create_account(merchant, *, username, name, password, phone="", by):
    """A new login for the merchant's people."""
    with transaction.atomic():
        user = User(username=username, first_name=name, phone=phone or "")
        user.set_password(password)
        user.save()
        return attach_account(merchant, user, name=name, by=by)


def attach_account(merchant, user, *, name, by):
    """Make an existing login one of the merchant's accounts."""
    from .models import MerchantAccount

    with transaction.atomic():
        group = grant_editing(merchant)
        user.groups.add(group, Group.objects.get(name=roles.MERCHANT))
        account = MerchantAccount.objects.create(user=user, merchant=merchant, name=name)
        log(merchant, "merchants.account.create", user=by, data={"account": account.pk})
    return account


def remove_account(account, by):
    """The login stops working at once; its past edits keep their author."""
    with transaction.atomic():
        user = account.user
        user.is_active = False
        user.save(update_fields=["is_active"])
        user.groups.clear()
        log(account.merchant, "merchants.account.remove", user=by, data={"account": account.pk})
        account.delete()
