"""Owners browse the approved merchants serving their community: tag chips, search,
tap-to-call links and the address; a merchant awaiting approval or suspended is a 404."""

from django.utils.translation import gettext

from tests.merchants import factories as mf


def _listed(response):
    return [merchant.title for merchant in (response.context.get("merchants")
                                             or response.context.get("results") or [])]


def test_index_lists_approved_live_merchants_serving_the_community(
        client, resident, index_a, index_b, shop_a, shop_b, manager_a):
    pending = mf.merchant(index_a, title="待审核小店")
    serving_both = mf.merchant(index_b, title="两边都送", communities=[
        index_a.community, index_b.community], approve_by=manager_a)
    client.force_login(resident)

    response = client.get(index_a.url)

    assert _listed(response) == ["两边都送", "老王面馆"]
    assert pending.title not in response.content.decode()
    assert serving_both.url in response.content.decode()


def test_tag_chips_filter_the_list(client, resident, index_a, manager_a, shop_a):
    fruit = mf.tag("生鲜果蔬")
    mf.merchant(index_a, title="鲜果铺", tags=[fruit], approve_by=manager_a)
    client.force_login(resident)

    all_merchants = client.get(index_a.url)
    fruit_only = client.get(index_a.url, {"tag": fruit.pk})

    assert f'href="?tag={fruit.pk}"' in all_merchants.content.decode()
    assert _listed(fruit_only) == ["鲜果铺"]


def test_search_finds_merchants_by_name_address_or_tag_in_chinese(
        client, resident, index_a, manager_a, shop_a):
    mf.merchant(index_a, title="鲜果铺", tags=[mf.tag("生鲜果蔬")], address="东门2号",
                approve_by=manager_a)
    client.force_login(resident)

    assert _listed(client.get(index_a.url, {"q": "面馆"})) == ["老王面馆"]
    assert _listed(client.get(index_a.url, {"q": "生鲜"})) == ["鲜果铺"]
    assert _listed(client.get(index_a.url, {"q": "东门"})) == ["鲜果铺"]
    assert _listed(client.get(index_a.url, {"q": "火锅"})) == []


def test_suspended_merchant_is_hidden_from_search_too(client, resident, index_a, shop_a,
                                                      manager_a):
    shop_a.suspend(by=manager_a, reason="整改")
    client.force_login(resident)

    assert _listed(client.get(index_a.url, {"q": "面馆"})) == []
    assert _listed(client.get(index_a.url)) == []


def test_merchant_page_shows_everything_with_tel_links(client, resident, index_a, manager_a):
    shop = mf.merchant(index_a, phone="0571-88000001", qq="12345", intro="三十年老店",
                       special_services="免费送餐", approve_by=manager_a,
                       recommendations=[("item", {"name": "牛肉面", "price": "¥18",
                                                  "description": "招牌"})])
    client.force_login(resident)

    body = client.get(shop.url).content.decode()

    for text in ('href="tel:13900000001"', 'href="tel:0571-88000001"', "阳光花园南门商铺3号",
                 "07:00-21:00", "王师傅", "12345", "三十年老店", "免费送餐", "牛肉面", "¥18",
                 "餐饮", gettext("Special services")):
        assert text in body, text


def test_listing_card_has_tel_link_address_hours_and_tags(client, resident, shop_a, index_a):
    client.force_login(resident)

    body = client.get(index_a.url).content.decode()

    for text in ('href="tel:13900000001"', "阳光花园南门商铺3号", "07:00-21:00", "餐饮"):
        assert text in body, text


def test_pending_and_suspended_merchants_are_not_found(client, resident, index_a, shop_a,
                                                       manager_a):
    pending = mf.merchant(index_a, title="待审核小店")
    shop_a.suspend(by=manager_a, reason="整改")
    client.force_login(resident)

    assert client.get(pending.url).status_code == 404
    assert client.get(shop_a.url).status_code == 404

    shop_a.reinstate(by=manager_a)
    assert client.get(shop_a.url).status_code == 200
