"""A few notices, an activity, the handbook and the contact page for a demo community, so
that `make run` shows the editorial side. The texts are demo data, in Chinese."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import (
    ActivityIndexPage,
    ActivityPage,
    ActivityTarget,
    ContactPage,
    HandbookPage,
    NoticeIndexPage,
    NoticePage,
    NoticeTarget,
)


def _paragraph(text):
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


def _publish(parent, page, targets=()):
    parent.add_child(instance=page)
    for target in targets:
        target.page = page
        target.save()
    page.save_revision(log_action=False).publish(log_action=False)
    return page


def _notices(home, community):
    index = _publish(home, NoticeIndexPage(title="通知公告", slug="notices", public=True))
    building = community.buildings.order_by("sort_order", "name").first()
    _publish(index, NoticePage(
        title="明日停水通知", slug="water-cut", category=NoticePage.Category.EMERGENCY,
        summary="因管道检修，明天 9:00-15:00 停水，请提前储水。",
        body=_paragraph("因小区供水管道检修，明天 9:00 至 15:00 停水。请各位住户提前储水，"
                        "关好水龙头。给您带来不便，敬请谅解。"),
        valid_until=timezone.localdate() + timedelta(days=1)),
        [NoticeTarget(building=building)] if building else [NoticeTarget(community=community)])
    _publish(index, NoticePage(
        title="物业费缴纳提醒", slug="fee-reminder", category=NoticePage.Category.FEE,
        summary="本季度物业费可在公众号“我的账单”中缴纳。",
        body=_paragraph("本季度物业费已出账，可在公众号菜单“我的账单”中查看并微信支付。")),
        [NoticeTarget(community=community)])
    _publish(index, NoticePage(
        title="冬季防火温馨提示", slug="winter-safety", category=NoticePage.Category.REMINDER,
        summary="楼道内请勿堆放杂物，电动车请勿入户充电。", pinned=True, public=True,
        body=_paragraph("冬季天干物燥，请勿在楼道堆放杂物，电动车请到集中充电点充电。")),
        [NoticeTarget(community=community)])


def _activity(home, community):
    index = _publish(home, ActivityIndexPage(title="小区活动", slug="activities"))
    starts = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0) \
        + timedelta(days=7)
    _publish(index, ActivityPage(
        title="重阳节敬老茶话会", slug="tea-party", summary="邀请小区长者一起喝茶、听戏、量血压。",
        body=_paragraph("活动现场提供免费血压测量和理发服务，欢迎长者和家人参加。"),
        starts_at=starts, ends_at=starts + timedelta(hours=2), place="小区会所二楼",
        signup_deadline=starts - timedelta(days=1), capacity=30),
        [ActivityTarget(community=community)])


def _section(heading, text):
    return {"type": "section", "value": {"heading": heading, "body": _paragraph(text)}}


def _handbook_and_contacts(home, community):
    _publish(home, HandbookPage(title="住户手册", slug="handbook", sections=[
        _section("装修管理", "装修前请到物业服务中心办理登记，施工时间为工作日 8:00-12:00、"
                 "14:00-18:00。"),
        _section("宠物饲养", "遛狗请牵绳，及时清理宠物粪便。"),
    ]))
    # The page itself shows the community's service desk number first.
    _publish(home, ContactPage(title="联系电话", slug="contacts", numbers=[
        {"type": "number", "value": {"name": "24小时值班", "phone": "13800138000",
                                     "note": "夜间报修"}},
    ]))


def ensure_demo_content(home):
    """Create the community's demo pages unless it has a notice index already."""
    if NoticeIndexPage.objects.child_of(home).exists():
        return False
    with transaction.atomic():
        _notices(home, home.community)
        _activity(home, home.community)
        _handbook_and_contacts(home, home.community)
    return True
