"""The page types: where they live in the tree and how they render."""

import pytest

from home.models import HomePage
from notices.models import ContactPage, HandbookPage, NoticeIndexPage, NoticePage
from tests.factories import PASSWORD
from tests.notices import factories as nf


def test_page_tree_is_declared():
    assert NoticeIndexPage.allowed_parent_page_models() == [HomePage]
    assert NoticeIndexPage.allowed_subpage_models() == [NoticePage]
    assert NoticePage.allowed_parent_page_models() == [NoticeIndexPage]
    assert NoticePage.allowed_subpage_models() == []
    assert set(HandbookPage.allowed_parent_page_models()) == {HomePage, HandbookPage}
    assert ContactPage.allowed_parent_page_models() == [HomePage]
    assert {NoticeIndexPage, HandbookPage, ContactPage} <= set(HomePage.allowed_subpage_models())


def test_pages_belong_to_the_community_of_their_home_page(index_a, community_a):
    notice = nf.notice(index_a, targets=[community_a])

    assert index_a.community == community_a
    assert notice.community == community_a


def test_home_page_tiles_link_to_the_notices_handbook_and_contacts(client, home_a, index_a):
    handbook = nf.handbook(home_a)
    contacts = nf.contact_page(home_a)

    tiles = {tile.key: tile.url for tile in client.get(home_a.url).context["tiles"]}

    assert tiles["notices"] == index_a.url
    assert tiles["handbook"] == handbook.url
    assert tiles["contacts"] == contacts.url


def test_notice_renders_its_body_blocks(client, resident, index_a, community_a):
    notice = nf.notice(index_a, targets=[community_a], body=[
        ("paragraph", "<p>请提前储水。</p>"),
        ("table", {"first_row_is_table_header": True, "data": [["楼栋", "时间"], ["1栋", "9:00"]]}),
        ("call_to_action", {"text": "查看详情", "url": "https://example.com/more"}),
    ])
    client.login(username=resident.username, password=PASSWORD)

    page = client.get(notice.url).content.decode()

    assert "请提前储水。" in page
    assert "<th" in page and "1栋" in page
    assert 'href="https://example.com/more"' in page


def test_notice_page_carries_share_title_and_summary(client, resident, index_a, community_a):
    notice = nf.notice(index_a, targets=[community_a], title="端午节快乐",
                       summary="祝全体业主节日快乐。", category=NoticePage.Category.FESTIVAL)
    client.login(username=resident.username, password=PASSWORD)

    page = client.get(notice.url).content.decode()

    assert '<meta property="og:title" content="端午节快乐">' in page
    assert '<meta property="og:description" content="祝全体业主节日快乐。">' in page


def test_handbook_shows_a_table_of_contents_linking_to_its_sections(client, resident, home_a):
    handbook = nf.handbook(home_a)
    client.login(username=resident.username, password=PASSWORD)

    page = client.get(handbook.url).content.decode()

    assert 'href="#section-1"' in page and 'id="section-1"' in page
    assert 'href="#section-2"' in page and "宠物饲养" in page


def test_contact_page_lists_service_numbers_as_tel_links(client, resident, home_a):
    contacts = nf.contact_page(home_a, office_hours="周一至周日 8:00-20:00")
    client.login(username=resident.username, password=PASSWORD)

    page = client.get(contacts.url).content.decode()

    assert 'href="tel:0571-88880000"' in page  # the community's service desk
    assert 'href="tel:0571-88881234"' in page
    assert "周一至周日 8:00-20:00" in page


@pytest.mark.parametrize("block", ["paragraph", "image", "document", "table", "call_to_action"])
def test_every_body_block_has_icon_template_and_preview(block):
    from notices.blocks import BodyBlock

    child = BodyBlock().child_blocks[block]
    assert child.meta.icon
    assert child.meta.template
    assert child.is_previewable
