"""Merchant pages built the way the admin builds them: added under their index, then
published from a revision; approved by staff unless told otherwise."""

from merchants.models import MerchantIndexPage, MerchantPage, MerchantTag


def merchant_index(home_page, **fields):
    page = MerchantIndexPage(title=fields.pop("title", "周边商家"), slug="merchants", **fields)
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def tag(name="餐饮"):
    return MerchantTag.objects.get_or_create(name=name)[0]


def merchant(index, *, communities=None, tags=None, title="老王面馆", publish=True,
             approve_by=None, **fields):
    """communities: those it serves (default: the index's community)."""
    fields.setdefault("contact_name", "王师傅")
    fields.setdefault("mobile", "13900000001")
    fields.setdefault("address", "阳光花园南门商铺3号")
    fields.setdefault("opening_hours", "07:00-21:00")
    page = MerchantPage(title=title, **fields)
    page.communities = communities or [index.community]
    page.tags = tags or [tag()]
    index.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
        page.refresh_from_db()
    if approve_by is not None:
        page.approve(by=approve_by)
    return page


def account(shop, username, *, by=None, phone=""):
    """A login of the merchant's people, created as staff create it."""
    from merchants import accounts

    return accounts.create_account(shop, username=username, name="店员", password="x-Secret-42",
                                   phone=phone, by=by).user


def page_form(action="action-submit", **fields):
    """The page editor's POST data for a merchant page."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    data = {
        "title": "老王面馆", "slug": "laowang", "contact_name": "王师傅",
        "mobile": "13900000001", "phone": "", "qq": "", "address": "阳光花园南门商铺3号",
        "opening_hours": "07:00-21:00", "intro": "", "special_services": "",
        "recommendations": streamfield([]), "images": inline_formset([]),
    }
    choices = {name: [str(value) for value in fields.pop(name, [])]
               for name in ("tags", "communities")}
    data.update(fields)
    data = nested_form_data(data)
    data.update({name: values for name, values in choices.items() if values})
    data[action] = "1"
    return data
