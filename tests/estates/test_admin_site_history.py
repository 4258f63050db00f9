"""Wagtail's Site history report spans every community: only whole-company staff get it."""

import pytest

from portal.estates.models import Occupancy

pytestmark = pytest.mark.django_db

REPORT = "/admin/reports/site-history/"
RESULTS = "/admin/reports/site-history/results/"


@pytest.fixture
def history_of_b(resident_b, manager_b):
    occupancy = Occupancy.objects.get(resident=resident_b.resident)
    resident_b.resident.disable(by=manager_b, reason="欠费纠纷")
    return occupancy


@pytest.mark.parametrize("url", [REPORT, RESULTS, REPORT + "?export=csv"])
def test_community_staff_cannot_read_the_company_wide_history(client, service_a, history_of_b,
                                                              url):
    client.force_login(service_a)
    response = client.get(url)
    assert response.status_code in (302, 403)
    assert resident_name(history_of_b) not in response.content.decode()


def test_community_staff_do_not_see_the_report_in_the_menu(client, service_a):
    client.force_login(service_a)
    response = client.get("/admin/")
    assert 'href="/admin/reports/site-history/"' not in response.content.decode()


def test_leadership_reads_the_history_of_every_community(client, leadership, history_of_b):
    client.force_login(leadership)
    response = client.get(REPORT)
    assert response.status_code == 200
    assert resident_name(history_of_b) in response.content.decode()


def resident_name(occupancy):
    return occupancy.resident.name


# --- The page types usage report names the last edited page of every type ---------------

USAGE = "/admin/reports/page-types-usage/"


@pytest.fixture
def notice_of_b(community_b, home_b):
    from tests.notices import factories as nf

    return nf.notice(nf.notice_index(home_b), title="翠湖停水通知", targets=[community_b])


@pytest.mark.parametrize("url", [USAGE, USAGE + "results/"])
def test_community_staff_cannot_read_the_page_types_usage(client, manager_a, notice_of_b,
                                                          url):
    client.force_login(manager_a)
    response = client.get(url)
    assert response.status_code in (302, 403)
    assert notice_of_b.title not in response.content.decode()
    assert f'href="{USAGE}"' not in client.get("/admin/").content.decode()


def test_a_superuser_reads_the_page_types_usage(client, django_user_model, notice_of_b):
    client.force_login(django_user_model.objects.create_superuser("root"))
    response = client.get(USAGE)
    assert response.status_code == 200
    assert notice_of_b.title in response.content.decode()
