"""Notice pages built the way the admin builds them: added under their parent, with
targets, then published from a revision."""

from notices.models import ContactPage, HandbookPage, NoticeIndexPage, NoticePage, NoticeTarget


def notice_index(home_page, **fields):
    page = NoticeIndexPage(title=fields.pop("title", "通知公告"), slug="notices", **fields)
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def notice(index, *, targets=(), publish=True, title="停水通知", **fields):
    """targets: communities, buildings, units, or "company" for the whole company."""
    fields.setdefault("summary", "明天9:00至13:00停水。")
    page = NoticePage(title=title, **fields)
    for target in targets:
        page.targets.add(_target(target, index))
    index.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
        page.refresh_from_db()
    return page


def _target(target, index):
    if target == "company":
        return NoticeTarget(whole_company=True, company_id=index.community.company_id)
    field = type(target).__name__.lower()
    return NoticeTarget(**{field: target})


def handbook(home_page, **fields):
    fields.setdefault("title", "住户手册")
    fields.setdefault("sections", [
        ("section", {"heading": "装修管理",
                     "body": [("paragraph", "<p>装修时间为8:00至18:00。</p>")]}),
        ("section", {"heading": "宠物饲养", "body": [("paragraph", "<p>遛狗请牵绳。</p>")]}),
    ])
    page = HandbookPage(**fields)
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def contact_page(home_page, **fields):
    fields.setdefault("title", "联系电话")
    fields.setdefault("numbers", [("number", {"name": "监控室", "phone": "0571-8888 1234",
                                              "note": "24小时"})])
    page = ContactPage(**fields)
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page
