"""Small PDF documents (receipts, letters) with Chinese text.

ReportLab's built-in CID font STSong-Light renders Chinese without a font file. A
document is a title, some label/value rows, optional tables and a closing note::

    data = pdf.render(pdf.Document(title="收据", rows=[("收据编号", "SJ…")],
                                   tables=[pdf.Table(header=[...], body=[...])]))
    return pdf.response(data, "收据.pdf")

``yuan_in_capitals`` writes an amount the way Chinese receipts do (人民币大写).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PlatypusTable

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE_SIZES = {"a4": A4, "receipt": landscape(A5)}

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def yuan_in_capitals(amount):
    """Decimal yuan → 人民币大写, e.g. 123.45 → 壹佰贰拾叁元肆角伍分, 100 → 壹佰元整."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    negative = amount < 0
    fen_total = int(abs(amount) * 100)
    whole, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if whole >= 10 ** 16:
        raise ValueError(f"{amount} is too large")
    text = _integer_in_capitals(whole) + "元" if whole else ""
    if not jiao and not fen:
        text = (text or "零元") + "整"
    else:
        if jiao:
            text += _DIGITS[jiao] + "角"
        elif whole:
            text += "零"
        if fen:
            text += _DIGITS[fen] + "分"
    return ("负" if negative else "") + text


def _integer_in_capitals(number):
    groups = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    text = ""
    zero_pending = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(text)
            continue
        if text and (zero_pending or group < 1000):
            text += "零"
        text += _group_in_capitals(group) + _BIG_UNITS[index]
        zero_pending = False
    return text


def _group_in_capitals(group):
    text = ""
    zero = False
    for position in range(3, -1, -1):
        digit = group // 10 ** position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[digit] + _SMALL_UNITS[position]
    return text


@dataclass
class Table:
    header: list
    body: list
    footer: list = field(default_factory=list)
    #: Relative column widths (they are scaled to the page), or None for even ones.
    widths: list | None = None
    #: Indexes of columns aligned right (amounts).
    numeric: tuple = ()


@dataclass
class Document:
    title: str
    rows: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    subtitle: str = ""
    size: str = "a4"
    author: str = ""


def _styles():
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24,
                                alignment=1, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=11, leading=15,
                                   alignment=1, spaceAfter=4 * mm),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=10, leading=13,
                               wordWrap="CJK"),
        "number": ParagraphStyle("number", fontName=FONT, fontSize=10, leading=13,
                                 alignment=2),
        "note": ParagraphStyle("note", fontName=FONT, fontSize=10, leading=14,
                               wordWrap="CJK", spaceBefore=2 * mm),
    }


def _text(value):
    return (str(value) if value is not None else "").replace("&", "&amp;").replace(
        "<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def render(document):
    """The document as PDF bytes."""
    page = PAGE_SIZES[document.size]
    buffer = BytesIO()
    margin = 12 * mm
    template = SimpleDocTemplate(buffer, pagesize=page, leftMargin=margin,
                                 rightMargin=margin, topMargin=margin, bottomMargin=margin,
                                 title=document.title, author=document.author)
    width = page[0] - 2 * margin
    styles = _styles()
    story = [Paragraph(_text(document.title), styles["title"])]
    if document.subtitle:
        story.append(Paragraph(_text(document.subtitle), styles["subtitle"]))
    if document.rows:
        rows = [[Paragraph(_text(label), styles["cell"]), Paragraph(_text(value), styles["cell"])]
                for label, value in document.rows]
        grid = PlatypusTable(rows, colWidths=[width * 0.25, width * 0.75])
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                  ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                                  ("TOPPADDING", (0, 0), (-1, -1), 2)]))
        story += [grid, Spacer(1, 4 * mm)]
    for table in document.tables:
        story += [_table(table, width, styles), Spacer(1, 4 * mm)]
    for note in document.notes:
        story.append(Paragraph(_text(note), styles["note"]))
    template.build(story)
    return buffer.getvalue()


def _table(table, width, styles):
    columns = len(table.header)
    relative = table.widths or [1] * columns
    widths = [width * part / sum(relative) for part in relative]

    def cells(row):
        return [Paragraph(_text(value), styles["number" if index in table.numeric
                                                else "cell"])
                for index, value in enumerate(row)]

    rows = [cells(table.header)] + [cells(row) for row in table.body]
    rows += [cells(row) for row in table.footer]
    grid = PlatypusTable(rows, colWidths=widths, repeatRows=1)
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    if table.footer:
        style.append(("BACKGROUND", (0, -len(table.footer)), (-1, -1),
                      colors.HexColor("#f6f6f6")))
    grid.setStyle(TableStyle(style))
    return grid


def response(data, filename, *, inline=False):
    """An HttpResponse serving PDF bytes under a (possibly Chinese) file name."""
    result = HttpResponse(data, content_type="application/pdf")
    ascii_name = filename.encode("ascii", "ignore").decode() or "document.pdf"
    disposition = "inline" if inline else "attachment"
    result["Content-Disposition"] = (
        f'{disposition}; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(filename)}')
    return result
