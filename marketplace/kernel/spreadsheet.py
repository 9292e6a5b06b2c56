"""Text cells for the files people open in Excel (CSV, XLSX, SIE): never a formula (CWE-1236).

A cell whose text starts with =, +, -, @, tab or a line break is read by Excel and LibreOffice
as a formula, so a programme called "=HYPERLINK(...)" would run on finance's machine. OWASP's
rule: prefix such text with an apostrophe, which spreadsheets show as text. Every writer passes
each text cell through `text_cell` and nothing else: numbers the service formats itself (for
example the amount "-900,00") are written as they are and stay numbers.

XLSX cells carry a type, so there the rule is the type: text is stored unchanged as a string
cell (XlsxWriter's write_string, openpyxl through `as_string_cells`), never a formula; finance
reads the name exactly as typed.
"""

from __future__ import annotations

import re

# The formula starters in OWASP's list, line feed too, and their full-width forms (which
# some East Asian Excel locales accept as the same operators).
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula (also after leading spaces)."""
    return text[:1] in FORMULA_STARTS or text.lstrip(" \u00a0")[:1] in FORMULA_STARTS


def text_cell(value) -> str:
    """A text cell's content: user text as it is, or with a leading apostrophe when it could
    start a formula. None becomes an empty cell."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if starts_formula(text) else text


_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xlsx_text(text: str) -> str:
    """Text an XLSX string cell can hold: XML 1.0 has no place for most control characters
    (openpyxl refuses them), so they are dropped rather than failing the whole file."""
    return _NOT_IN_XML.sub("", text)


def as_string_cells(cells) -> None:
    """Type every text cell of an openpyxl row as a string: openpyxl would store "=..." as a formula."""
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
