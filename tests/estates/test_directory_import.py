"""The estate directory imported from a spreadsheet: checks, the all-or-nothing import,
idempotence, encryption of personal data, and the admin flow with its permissions."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from wagtail.models import ModelLogEntry

from portal.crypto import blind_index
from portal.estates import directory_import as rules
from portal.estates.models import Building, House, OwnerRecord, Unit
from tests import factories as f

GOOD_ROWS = [
    ["1栋", "1单元", 101, 1, 89.5, "住宅", "张三", "13800138000", "11010519491231002X"],
    ["1栋", "1单元", 101, 1, 89.5, "住宅", "李四", "13900139000", ""],
    ["1栋", "2单元", "201", "2", "120.25", "商铺", "", "", ""],
    ["2栋", "1单元", "B-01", -1, 12, "车位", "王五", "+86 137 0013 7000", ""],
]


def xlsx(rows, header=rules.HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def sheet_file(tmp_path, rows, header=rules.HEADERS):
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(xlsx(rows, header))
    return path


def import_rows(tmp_path, community, rows, user=None):
    plan = rules.plan_import(sheet_file(tmp_path, rows), community)
    assert plan.is_valid, plan.errors
    return rules.import_plan(plan, user)


def error_messages(plan):
    return {(error.row, error.column): str(error.message) for error in plan.errors}


# --- The rules -------------------------------------------------------------------------

def test_good_sheet_imports_every_row(tmp_path, community_a):
    created = import_rows(tmp_path, community_a, GOOD_ROWS)

    assert created == {"rows": 4, "buildings": 2, "units": 3, "houses": 3,
                       "houses_existing": 0, "owners": 3}
    house = House.objects.get(community=community_a, number="101")
    assert (house.building.name, house.unit.name, house.floor, house.area, house.kind) == (
        "1栋", "1单元", 1, Decimal("89.50"), "residence")
    assert sorted(house.owner_records.values_list("name", flat=True)) == ["张三", "李四"]
    parking = House.objects.get(number="B-01")
    assert (parking.kind, parking.floor, parking.community_id) == ("parking", -1,
                                                                    community_a.pk)
    assert Unit.objects.get(name="2单元").community_id == community_a.pk


def test_import_writes_an_audit_entry_with_the_counts(tmp_path, community_a, records_a):
    import_rows(tmp_path, community_a, GOOD_ROWS, user=records_a)

    entry = ModelLogEntry.objects.get(action="estates.directory.import")
    assert entry.object_id == str(community_a.pk)
    assert entry.user_id == records_a.pk
    assert entry.data["houses"] == 3


def test_every_bad_row_is_reported_with_its_row_number(tmp_path, community_a):
    rows = [
        ["", "1单元", "101", "", "", "", "", "", ""],
        ["1栋", "", "", "", "", "", "", "", ""],
        ["1栋", "1单元", "102", "1.5", "", "", "", "", ""],
        ["1栋", "1单元", "103", "", "-3", "", "", "", ""],
        ["1栋", "1单元", "104", "", "89.555", "", "", "", ""],
        ["1栋", "1单元", "105", "", "", "别墅", "", "", ""],
        ["1栋", "1单元", "106", "", "", "", "张三", "1380013800", ""],
        ["1栋", "1单元", "107", "", "", "", "张三", "", "110105194912310021"],
        ["1栋", "1单元", "108", 3, 90, "", "", "", ""],
        ["1栋", "1单元", "108", 4, 90, "", "", "", ""],
    ]
    plan = rules.plan_import(sheet_file(tmp_path, rows), community_a)

    messages = error_messages(plan)
    assert messages[(2, "楼栋")] == "The building is missing."
    assert messages[(3, "单元")] == "The unit is missing."
    assert messages[(3, "房号")] == "The house number is missing."
    assert "whole number" in messages[(4, "楼层")]
    assert "positive number with at most 2 decimals" in messages[(5, "面积(㎡)")]
    assert "positive number with at most 2 decimals" in messages[(6, "面积(㎡)")]
    assert "Unknown kind “别墅”" in messages[(7, "类型")]
    assert "Invalid mobile number" in messages[(8, "业主手机")]
    assert "Invalid ID number" in messages[(9, "身份证号")]
    assert "also on row 10" in messages[(11, "房号")]
    assert len(messages) == 10


def test_a_sheet_with_one_bad_row_imports_nothing(tmp_path, community_a):
    rows = [*GOOD_ROWS, ["3栋", "1单元", "301", "three", "", "", "", "", ""]]
    plan = rules.plan_import(sheet_file(tmp_path, rows), community_a)

    assert not plan.is_valid
    with pytest.raises(ValueError):
        rules.import_plan(plan, None)
    assert not Building.objects.filter(community=community_a).exists()


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x",
                                    "440524188001010014"])
def test_id_numbers_with_the_right_check_digit_pass(number):
    assert rules.is_valid_id_number(number.upper())


@pytest.mark.parametrize("number", ["110105194912310021", "11010519491231002",
                                    "1101051949123100X2"])
def test_id_numbers_with_a_wrong_check_digit_or_shape_fail(number):
    assert not rules.is_valid_id_number(number)


def test_header_missing_columns_names_them(tmp_path, community_a):
    header = [name for name in rules.HEADERS if name not in ("楼层", "业主手机")]
    with pytest.raises(rules.SheetRefused) as refused:
        rules.plan_import(sheet_file(tmp_path, [], header=header), community_a)
    assert "楼层, 业主手机" in str(refused.value.message)


def test_empty_sheet_is_refused(tmp_path, community_a):
    with pytest.raises(rules.SheetRefused, match="empty"):
        rules.plan_import(sheet_file(tmp_path, [], header=None), community_a)


def test_header_without_rows_is_refused(tmp_path, community_a):
    with pytest.raises(rules.SheetRefused, match="no rows"):
        rules.plan_import(sheet_file(tmp_path, []), community_a)


def test_more_than_the_row_limit_is_refused(tmp_path, community_a, settings):
    rows = [["1栋", "1单元", str(n), "", "", "", "", "", ""] for n in range(rules.MAX_ROWS + 1)]
    with pytest.raises(rules.SheetRefused, match="more than 50000 rows"):
        rules.read_sheet(sheet_file(tmp_path, rows))


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path, community_a):
    import zipfile

    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(rules.SheetRefused, match="cannot be opened"):
        rules.plan_import(path, community_a)


def test_reimporting_the_same_sheet_creates_nothing_new(tmp_path, community_a):
    import_rows(tmp_path, community_a, GOOD_ROWS)
    counts = (Building.objects.count(), Unit.objects.count(), House.objects.count(),
              OwnerRecord.objects.count())

    plan = rules.plan_import(sheet_file(tmp_path, GOOD_ROWS), community_a)
    created = rules.import_plan(plan, None)

    assert plan.counts["houses_existing"] == 3
    assert plan.counts["owners_new"] == 0
    assert (created["buildings"], created["houses"], created["owners"]) == (0, 0, 0)
    assert counts == (Building.objects.count(), Unit.objects.count(), House.objects.count(),
                      OwnerRecord.objects.count())


def test_existing_house_is_left_as_it_is_and_gets_new_owners(tmp_path, house_a):
    row = ["1栋", "1单元", "101", 9, 200, "商铺", "赵六", "13600136000", ""]
    plan = rules.plan_import(sheet_file(tmp_path, [row]), house_a.community)

    assert plan.counts["houses_existing"] == 1
    assert plan.counts["buildings_existing"] == 1
    rules.import_plan(plan, None)
    house_a.refresh_from_db()
    assert (house_a.floor, house_a.kind) == (3, "residence")
    assert house_a.owner_records.get().name == "赵六"


def test_preview_lists_houses_on_file_that_the_sheet_describes_otherwise(tmp_path, house_a):
    same = ["1栋", "1单元", "101", house_a.floor, house_a.area, "住宅", "", "", ""]
    other = ["1栋", "1单元", "101", 9, house_a.area, "住宅", "", "", ""]

    assert rules.plan_import(sheet_file(tmp_path, [same]), house_a.community) \
        .differs_from_file == []
    assert rules.plan_import(sheet_file(tmp_path, [other]), house_a.community) \
        .differs_from_file == [2]


def test_phones_are_encrypted_in_the_database_and_found_by_blind_index(tmp_path, community_a):
    import_rows(tmp_path, community_a, GOOD_ROWS)

    record = OwnerRecord.objects.get(phone_index=blind_index("13700137000"))
    assert (record.name, record.phone) == ("王五", "13700137000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM estates_ownerrecord WHERE name = %s",
                       ["张三"])
        phone, id_number = cursor.fetchone()
    assert "13800138000" not in phone
    assert "1101051949" not in id_number
    assert OwnerRecord.objects.get(name="张三").id_number == "11010519491231002X"


def test_the_template_has_the_header_an_example_and_instructions(tmp_path, community_a):
    path = tmp_path / "template.xlsx"
    path.write_bytes(rules.template_workbook())

    workbook = load_workbook(path)
    assert len(workbook.worksheets) == 2
    assert [cell.value for cell in workbook.worksheets[0][1]] == rules.HEADERS
    # The example row itself passes the checks.
    assert rules.plan_import(path, community_a).is_valid


def report_rows(content, tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(content)
    return [list(row) for row in load_workbook(path).worksheets[0].iter_rows(values_only=True)]


def test_error_report_is_the_sheet_with_each_rows_errors_beside_it(tmp_path, community_a):
    rows = [GOOD_ROWS[0], ["1栋", "1单元", "102", "1.5", "", "别墅", "", "", ""]]
    path = sheet_file(tmp_path, rows)
    plan = rules.plan_import(path, community_a)

    report = report_rows(rules.error_report(path, plan.errors), tmp_path)

    assert report[0] == [*rules.HEADERS, "错误"]
    assert report[1] == [*GOOD_ROWS[0], None]
    assert report[2][:9] == ["1栋", "1单元", "102", "1.5", None, "别墅", None, None, None]
    assert report[2][9].splitlines() == [
        "楼层: The floor must be a whole number, such as 12 or -1.",
        "类型: Unknown kind “别墅”: use one of 住宅, 商铺, 车位, 储藏室."]


def test_a_corrected_error_report_imports_and_gets_no_second_error_column(tmp_path,
                                                                         community_a):
    path = sheet_file(tmp_path, [["1栋", "1单元", "102", "", "", "别墅", "", "", ""]])
    report = rules.error_report(path, rules.plan_import(path, community_a).errors)
    workbook = load_workbook(io.BytesIO(report))
    workbook.active["F2"] = "住宅"
    workbook.save(path)

    plan = rules.plan_import(path, community_a)

    assert plan.is_valid
    assert report_rows(rules.error_report(path, plan.errors), tmp_path)[0] == [
        *rules.HEADERS, "错误"]


# --- The admin --------------------------------------------------------------------------

def upload(client, community, content, name="directory.xlsx"):
    return client.post(reverse("estates_import:upload"), {
        "community": community.pk, "file": SimpleUploadedFile(name, content)})


def stored_files(settings):
    from pathlib import Path

    return list((Path(settings.PRIVATE_ROOT) / "directory-imports").glob("*.xlsx"))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def english():
    # The messages are compared in English, the source language, whatever the default is.
    with translation.override("en"):
        yield


def test_admin_flow_upload_preview_confirm(client, records_a, community_a, settings):
    client.force_login(records_a)

    response = upload(client, community_a, xlsx(GOOD_ROWS))
    assert response.status_code == 302
    assert len(stored_files(settings)) == 1
    preview = client.get(response.url)
    content = preview.content.decode()
    assert preview.status_code == 200
    assert "138****8000" in content and "13800138000" not in content
    token = re.search(r'name="token" value="([^"]+)"', content)[1]
    assert not House.objects.exists()

    done = client.post(reverse("estates_import:confirm"), {"token": token})

    assert done.status_code == 302
    assert House.objects.filter(community=community_a).count() == 3
    assert OwnerRecord.objects.count() == 3
    assert stored_files(settings) == []


def test_preview_of_bad_rows_lists_them_and_offers_no_confirm(client, records_a, community_a):
    client.force_login(records_a)
    rows = [["1栋", "1单元", "101", "", "", "别墅", "", "", ""]]

    preview = client.get(upload(client, community_a, xlsx(rows)).url)

    assert [(e.row, e.column) for e in preview.context["plan"].errors] == [(2, "类型")]
    assert 'name="token"' not in preview.content.decode()


def test_preview_says_which_houses_are_already_on_file(client, records_a, house_a):
    client.force_login(records_a)
    rows = [["1栋", "1单元", "101", "", "", "", "", "", ""]]

    preview = client.get(upload(client, house_a.community, xlsx(rows)).url)

    assert preview.context["plan"].counts["houses_existing"] == 1
    assert 'name="token"' in preview.content.decode()
    assert preview.context["plan"].differs_from_file == [2]


def test_a_text_file_named_xlsx_is_refused(client, records_a, community_a, settings):
    client.force_login(records_a)

    response = upload(client, community_a, "楼栋,单元,房号\n1栋,1单元,101\n".encode())

    assert response.status_code == 200
    assert response.context["form"].has_error("file", "not_xlsx")
    assert stored_files(settings) == []


def test_a_confirm_token_cannot_be_forged(client, records_a, community_a):
    client.force_login(records_a)
    response = client.post(reverse("estates_import:confirm"), {"token": "forged"})
    assert response.status_code == 404


def test_another_user_cannot_confirm_someone_elses_upload(client, records_a, manager_a,
                                                         community_a):
    client.force_login(records_a)
    preview = client.get(upload(client, community_a, xlsx(GOOD_ROWS)).url)
    token = preview.context["token"]

    client.force_login(manager_a)
    response = client.post(reverse("estates_import:confirm"), {"token": token})

    assert response.url == reverse("wagtailadmin_home")
    assert not House.objects.exists()


def test_staff_of_community_a_cannot_import_into_community_b(client, records_a, community_b,
                                                            settings):
    client.force_login(records_a)

    response = upload(client, community_b, xlsx(GOOD_ROWS))

    assert response.status_code == 200
    assert response.context["form"].has_error("community", "invalid_choice")
    assert stored_files(settings) == []
    assert not Building.objects.filter(community=community_b).exists()


def test_customer_service_without_the_permission_is_refused(client, service_a, community_a,
                                                            settings):
    client.force_login(service_a)

    response = upload(client, community_a, xlsx(GOOD_ROWS))

    # Wagtail's admin answers a refused permission by sending the user home with a message.
    assert response.url == reverse("wagtailadmin_home")
    assert client.get(reverse("estates_import:template")).url == reverse("wagtailadmin_home")
    assert stored_files(settings) == []


def test_residents_cannot_reach_the_import(client, resident, community_a):
    client.force_login(resident)

    for name in ["upload", "template"]:
        response = client.get(reverse(f"estates_import:{name}"))
        assert response.status_code == 302
        assert "login" in response.url


def test_menu_shows_the_import_only_to_those_allowed(client, records_a, service_a):
    client.force_login(records_a)
    assert reverse("estates_import:upload") in client.get(reverse("wagtailadmin_home")) \
        .content.decode()
    client.force_login(service_a)
    assert reverse("estates_import:upload") not in client.get(reverse("wagtailadmin_home")) \
        .content.decode()


def test_template_download_is_an_xlsx(client, records_a):
    client.force_login(records_a)

    response = client.get(reverse("estates_import:template"))

    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    assert response.content.startswith(rules.ZIP_MAGIC)


def test_the_import_is_audited_through_the_admin(client, records_a, community_a):
    client.force_login(records_a)
    preview = client.get(upload(client, community_a, xlsx(GOOD_ROWS)).url)
    client.post(reverse("estates_import:confirm"), {"token": preview.context["token"]})

    entry = ModelLogEntry.objects.get(action="estates.directory.import")
    assert entry.user_id == records_a.pk
    assert f.CommunityFactory._meta.model.objects.get(pk=entry.object_id) == community_a


def test_a_file_over_10_mb_is_refused_before_it_is_stored(client, records_a, community_a,
                                                          settings):
    client.force_login(records_a)

    response = upload(client, community_a, rules.ZIP_MAGIC + b"0" * rules.MAX_BYTES)

    assert response.context["form"].has_error("file", "too_big")
    assert stored_files(settings) == []


def test_confirming_twice_imports_once(client, records_a, community_a):
    client.force_login(records_a)
    token = client.get(upload(client, community_a, xlsx(GOOD_ROWS)).url).context["token"]

    client.post(reverse("estates_import:confirm"), {"token": token})
    again = client.post(reverse("estates_import:confirm"), {"token": token})

    assert again.status_code == 404
    assert House.objects.count() == 3
    assert ModelLogEntry.objects.filter(action="estates.directory.import").count() == 1


def test_error_report_downloads_from_the_preview(client, records_a, community_a, tmp_path):
    client.force_login(records_a)
    rows = [GOOD_ROWS[0], ["1栋", "1单元", "102", "", "", "别墅", "", "", ""]]
    preview = client.get(upload(client, community_a, xlsx(rows)).url)
    link = re.search(r'href="([^"]*errors\.xlsx[^"]*)"', preview.content.decode())[1]

    response = client.get(link.replace("&amp;", "&"))

    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    report = report_rows(response.content, tmp_path)
    assert [row[9] for row in report][:2] == ["错误", None]
    # In the language of the admin, whatever it is.
    assert report[2][9].startswith("类型: ") and "别墅" in report[2][9]


def test_another_user_cannot_download_someone_elses_error_report(client, records_a,
                                                                 manager_a, community_a):
    client.force_login(records_a)
    rows = [["1栋", "1单元", "102", "", "", "别墅", "张三", "13800138000", ""]]
    preview = client.get(upload(client, community_a, xlsx(rows)).url)
    token = preview.context["token"]

    client.force_login(manager_a)
    response = client.get(reverse("estates_import:errors"), {"token": token})

    assert response.url == reverse("wagtailadmin_home")
