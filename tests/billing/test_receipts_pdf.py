from decimal import Decimal

import pytest

from portal import pdf


@pytest.mark.parametrize(("amount", "words"), [
    ("123.45", "壹佰贰拾叁元肆角伍分"),
    ("100", "壹佰元整"),
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角"),
    ("20.10", "贰拾元壹角"),
    ("1001.01", "壹仟零壹元零壹分"),
    ("1010", "壹仟零壹拾元整"),
    ("10000", "壹万元整"),
    ("10100", "壹万零壹佰元整"),
    ("100010", "壹拾万零壹拾元整"),
    ("105000.00", "壹拾万伍仟元整"),
    ("1000000.07", "壹佰万元零柒分"),
    ("100000001", "壹亿零壹元整"),
])
def test_yuan_in_capitals(amount, words):
    assert pdf.yuan_in_capitals(Decimal(amount)) == words


def test_render_makes_a_pdf_with_chinese_text():
    data = pdf.render(pdf.Document(
        title="收据", rows=[("收据编号", "SJ20261123-000001")],
        tables=[pdf.Table(header=["项目", "金额"], body=[["物业管理费", "1.00"]],
                          numeric=(1,))], notes=["谢谢"]))
    assert data.startswith(b"%PDF-")
    assert b"STSong-Light" in data


def test_response_names_the_file_in_ascii_and_utf8():
    response = pdf.response(b"%PDF-", "收据-SJ1.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="-SJ1.pdf"' in response["Content-Disposition"]
    assert "filename*=UTF-8''%E6%94%B6%E6%8D%AE-SJ1.pdf" in response["Content-Disposition"]
