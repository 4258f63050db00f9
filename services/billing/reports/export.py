"""The finance pages' figures as .xlsx workbooks (amounts as numbers, not text)."""

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.spreadsheet_text import text_row

from . import ageing


def _book():
    from openpyxl import Workbook

    return Workbook(write_only=True)


def _bytes(book):
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _rate(row):
    return float(row.rate) if row.rate is not None else None


def collection_workbook(period, communities, buildings=None, ageing_rows=None, on=None):
    book = _book()
    headings = [_("Number of bills"), _("Billed"), _("Collected"), _("Owed"),
                _("Collection rate (%)")]
    for title, rows in ((_("By community"), communities), (_("By building"), buildings)):
        if rows is None:
            continue
        sheet = book.create_sheet(title)
        sheet.append([_("Period"), period.label])
        sheet.append(["", *headings])
        for row in rows:
            sheet.append([row.label, row.bills, row.billed, row.collected, row.owed,
                          _rate(row)])
    if ageing_rows is not None:
        sheet = book.create_sheet(_("Arrears ageing"))
        sheet.append([_("On"), on.isoformat() if on else ""])
        sheet.append(["", *[str(label) for label in ageing.labels()], _("Total")])
        for row in ageing_rows:
            sheet.append([row.label, *row.amounts, row.total])
    return _bytes(book)


def arrears_workbook(rows, on):
    book = _book()
    sheet = book.create_sheet(_("Arrears"))
    sheet.append([_("Community"), _("Building"), _("House"), pgettext("property", "Owner"),
                  _("Phone"), _("Owed"), _("Bills owed"), _("Oldest due date"), _("Days overdue")])
    for row in rows:
        sheet.append(text_row(sheet, [
            row.house.community.name, row.house.unit.building.name, row.house.label,
            row.owner_name, row.owner_phone, row.owed, row.bills, row.oldest_due, row.age]))
    return _bytes(book)


def reconciliation_workbook(result):
    book = _book()
    summary = book.create_sheet(_("Summary"))
    summary.append([_("Day"), result.day.isoformat()])
    summary.append([_("Our payments"), result.our_count, result.our_amount])
    summary.append([_("WeChat Pay's payments"), result.their_count, result.their_amount])
    summary.append([_("Matched payments"), result.matched, result.matched_amount])
    summary.append([_("Matched refunds"), result.refunds_matched,
                    result.refunds_matched_amount])
    sheet = book.create_sheet(_("Mismatches"))
    sheet.append([_("Kind"), _("Problem"), _("Number"), _("WeChat Pay number"),
                  _("Community"), _("Our amount"), _("WeChat Pay's amount")])
    for item in result.mismatches:
        sheet.append([str(item.kind_label), str(item.problem_label), item.number,
                      item.transaction_id, item.community, item.ours, item.theirs])
    return _bytes(book)
