"""The demo's merchants: tags, an index per community, approved shops and one waiting,
and the demo merchant login editing the first shop. Running it again adds nothing."""

from home.pages import ensure_home_page
from merchants import demo
from merchants.models import MerchantIndexPage, MerchantPage, MerchantTag
from tests import factories as f


def test_demo_merchants_and_login(company, community_a, community_b):
    ensure_home_page(community_a)
    ensure_home_page(community_b)
    login = f.UserFactory(username=demo.DEMO_LOGIN)

    created = demo.seed(company)

    assert created["merchant tags"] == len(demo.TAGS)
    assert MerchantIndexPage.objects.count() == 2
    # Per community its own noodle shop and barber; the supermarket and the home service
    # serve both, so each exists once and is listed in both communities.
    assert MerchantPage.objects.filter(status="approved").count() == 4
    assert MerchantPage.objects.filter(status="pending").count() == 2
    for community in (community_a, community_b):
        listed = MerchantPage.objects.serving(community).values_list("title", flat=True)
        assert sorted(listed) == sorted(["老王面馆", "邻里鲜超市", "好帮手家政", "新开张理发店"])
    managed = MerchantPage.objects.managed_by(login).get()
    assert managed.permissions_for_user(login).can_edit()
    assert set(demo.seed(company).values()) == {0}
    assert MerchantTag.objects.count() == len(demo.TAGS)
