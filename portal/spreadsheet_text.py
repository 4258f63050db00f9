"""Text people typed, in the spreadsheets the portal exports.

openpyxl writes a string that begins with "=" as a formula, and a spreadsheet program
turns text that begins with =, +, - or @ into one as soon as someone edits the cell: a
resident's note "=HYPERLINK(...)" in a sign-up list would become a live link, or worse,
on the clerk's computer. Such text goes in as a text cell with the quote prefix (the '
a clerk types for the same purpose), and reads exactly as it was typed.
"""

import re

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A plain signed number ("-5", "+8613800138000") is read as that number, never run.
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def reads_as_formula(value):
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _NUMBER.fullmatch(value))


def as_text(cell):
    """Make a written cell plain text, shown as typed."""
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def text_cell(sheet, value):
    """``value`` for a row of ``sheet``, as a text cell when it could be read as a formula."""
    if not reads_as_formula(value):
        return value
    return as_text(WriteOnlyCell(sheet, value))


def csv_text(value):
    """A CSV has no cell types: such text gets the quote in front, as a clerk types it."""
    return f"'{value}" if reads_as_formula(value) else value


def text_row(sheet, values):
    return [text_cell(sheet, value) for value in values]
