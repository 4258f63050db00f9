"""Notice pages built the way the admin builds them: added under their parent, with
targets, then published from a revision."""

import datetime

from django.utils import timezone

from notices.models import (
    ActivityIndexPage,
    ActivityPage,
    ActivityTarget,
    ContactPage,
    HandbookPage,
    NoticeIndexPage,
    NoticePage,
    NoticeTarget,
)


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


def _target(target, index, model=NoticeTarget):
    if target == "company":
        return model(whole_company=True, company_id=index.community.company_id)
    field = type(target).__name__.lower()
    return model(**{field: target})


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


def activity_index(home_page, **fields):
    page = ActivityIndexPage(title=fields.pop("title", "小区活动"), slug="activities", **fields)
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def activity(index, *, targets=(), publish=True, title="中秋游园会", starts_in_days=7,
             **fields):
    """An activity a week from now (sign-up open until the day before), for ``targets``
    as in notice()."""
    starts = timezone.now() + datetime.timedelta(days=starts_in_days)
    fields.setdefault("summary", "猜灯谜、做月饼，欢迎全家参加。")
    fields.setdefault("place", "中心广场")
    fields.setdefault("starts_at", starts)
    fields.setdefault("ends_at", fields["starts_at"] + datetime.timedelta(hours=2))
    fields.setdefault("signup_deadline", fields["starts_at"] - datetime.timedelta(days=1))
    page = ActivityPage(title=title, **fields)
    for target in targets:
        page.targets.add(_target(target, index, ActivityTarget))
    index.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
        page.refresh_from_db()
    return page
