"""What the billing PDFs say, read back from the PDF itself: the dunning letter finance
prints and the owner's electronic receipt name what their reader must see, in Chinese,
in a Chinese font whose characters come out as text (not as boxes or codes)."""

import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from portal import pdf
from services.billing import paying
from services.billing.arrears import DunningNotice, letters_pdf
from services.billing.models import State

from .test_dunning import days_ago
from .test_receipts import paid
from .test_reminders import make_bill

pytestmark = pytest.mark.django_db

def read(data):
    """(the text of each page, the fonts that draw some text: (name, the character
    collection of a CID font, GB1 for Simplified Chinese))."""
    fonts = set()

    def drawn_with(text, _cm, _tm, font, _size):
        if text.strip():
            fonts.add(_describe(font))

    pages = PdfReader(BytesIO(data)).pages
    return [page.extract_text(visitor_text=drawn_with) for page in pages], fonts


def _describe(font):
    ordering = ""
    for descendant in font.get("/DescendantFonts", []):
        ordering = str(descendant.get_object()["/CIDSystemInfo"]["/Ordering"])
    return str(font["/BaseFont"]).lstrip("/"), ordering


def latin_words(text, *allowed):
    """Words in Latin letters, once the identifiers that are meant to have some (a
    letter or receipt number) are taken out: an untranslated string shows up here."""
    for identifier in (*allowed, "m²"):  # and the unit of floor area
        text = text.replace(identifier, "")
    return re.findall(r"[A-Za-z]+", text)


def flat(text):
    """Text without the line breaks of the layout (a table cell may wrap)."""
    return re.sub(r"\s+", "", text)


def assert_chinese_font_only(fonts):
    assert fonts and all(ordering == "GB1" for _name, ordering in fonts), fonts


@pytest.fixture
def notice(house_a, resident, finance_a):
    make_bill(house_a, "2026-08", due=days_ago(70), amount="100.00")
    make_bill(house_a, "2026-09", due=days_ago(40), amount="250.35", paid="50.00",
              state=State.PARTLY_PAID)
    notice, _created = DunningNotice.send(house_a, by=finance_a, request_key="k")
    return notice


def test_the_dunning_letter_says_who_owes_what_and_how_to_pay_in_chinese(notice, house_a):
    (text,), fonts = read(letters_pdf([notice]))

    words = flat(text)
    assert "缴费提醒函" in words and notice.number in words
    assert "账期应缴金额已缴欠费应缴日期" in words
    # Addressed to the owner by house (a printed letter names no one).
    assert f"{house_a.community.name}{house_a.label}业主" in words
    for period, owed in (("2026-08", "100.00"), ("2026-09", "200.35")):
        assert re.search(rf"{period}.*?{re.escape(owed)}", words), (period, owed)
    assert "300.35元" in words and "叁佰元叁角伍分" in words
    assert f"最早一笔于{notice.oldest_due.isoformat()}到期" in words
    assert "请于15日内" in words and "物业服务中心" in words
    assert "服务电话：" + house_a.community.service_phone in words
    assert house_a.community.company.name in words
    assert latin_words(text, notice.number) == []
    assert_chinese_font_only(fonts)


def test_letters_printed_together_keep_each_house_on_its_own_page(notice, house_a2,
                                                                  finance_a):
    make_bill(house_a2, due=days_ago(5), amount="60.00")
    other, _created = DunningNotice.send(house_a2, by=finance_a, request_key="k")

    pages, _fonts = read(letters_pdf([notice, other]))

    assert len(pages) == 2
    assert house_a2.label not in flat(pages[0]) and "300.35" in flat(pages[0])
    assert house_a2.label in flat(pages[1]) and "60.00" in flat(pages[1])


def test_the_receipt_says_its_number_company_lines_total_and_house(billed, house_a,
                                                                   resident):
    receipt = paid(paying.pay_bills(resident, billed[house_a][:1], idempotency_key="1"))

    (text,), fonts = read(receipt.render_pdf())

    words = flat(text)
    assert "收据" in words and receipt.number in words
    assert words.count(receipt.company.name) >= 2  # under the title and in the closing note
    assert flat(house_a.label) in words
    for line in receipt.lines:
        assert flat(line["description"]) + line["amount"] in words
    assert f"合计{receipt.total:.2f}" in words
    assert "合计大写" + pdf.yuan_in_capitals(receipt.total) in words
    assert latin_words(text, receipt.number, receipt.order.out_trade_no) == []
    assert_chinese_font_only(fonts)
