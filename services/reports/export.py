"""The report's figures as an .xlsx workbook: one sheet per table on the page."""

import io

from django.utils.translation import gettext as _

from .report import definitions


def workbook(report):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    period = f"{report.period.first:%Y-%m-%d} – {report.period.last:%Y-%m-%d}"
    labels = [str(column.label) for column in report.columns]

    summary = book.create_sheet(_("Summary"))
    summary.append([_("Period"), period])
    summary.append([_("Figure"), _("Unit"), *labels])
    for label, unit, values in report.summary_rows():
        summary.append([str(label), str(unit), *values])
    summary.append([])
    for text in definitions():
        summary.append([str(text)])

    for title, rows in ((_("By category"), report.category_rows()),
                        (_("By state"), report.state_rows())):
        sheet = book.create_sheet(title)
        sheet.append(["", *labels])
        for label, counts, _width in rows:
            sheet.append([str(label), *counts])

    hours = book.create_sheet(_("Peak hours"))
    hours.append([_("Weekday"), *[f"{hour:02d}" for hour in range(24)]])
    for day, cells in report.heat_map():
        hours.append([str(day), *[count for _hour, count, _shade in cells]])

    buildings = book.create_sheet(_("Top buildings"))
    buildings.append([_("Category"), _("Building"), _("Repairs")])
    for category, rows in report.building_rows():
        for label, count, _width in rows:
            buildings.append([category, label, count])

    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
