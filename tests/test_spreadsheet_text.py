"""Which exported text is kept from running as a formula: text that begins like one,
but not a plain signed number, which a spreadsheet reads as that number."""

import pytest

from portal.spreadsheet_text import csv_text, reads_as_formula


@pytest.mark.parametrize("text", ["=1+1", "+A1", "-1-023", "@SUM(A1)", "=HYPERLINK(\"x\")",
                                  "\t=1"])
def test_text_that_a_spreadsheet_would_run_is_quoted(text):
    assert reads_as_formula(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("value", ["-5", "+8613800138000", "-0.5", "1-2-301", "王", 5, None])
def test_numbers_and_plain_text_are_left_as_they_are(value):
    assert not reads_as_formula(value)
    assert csv_text(value) == value
