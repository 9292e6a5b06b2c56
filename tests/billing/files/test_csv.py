import csv
import io
from decimal import Decimal

from billing.files.csv_excel import COLUMNS, write_csv
from tests.billing.files._lines import HEADER, line, sample

API_COLUMNS = ("period;buyer_code;buyer_name;provider_code;provider_name;booking_ref;programme_code;programme_name;"
               "from_date;to_date;days;unit_price;unit;amount;correction_of")


def _read(data: bytes) -> list[dict]:
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), dialect="excel", delimiter=";"))


def test_the_csv_starts_with_a_bom_and_has_api_md_columns_in_order():
    data = write_csv(HEADER, sample())
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].split(b"\r\n")[0].decode() == API_COLUMNS == ";".join(COLUMNS)


def test_excels_dialect_reads_back_every_line_with_decimal_commas_and_the_same_total():
    lines = sample()
    rows = _read(write_csv(HEADER, lines))
    assert len(rows) == len(lines)
    assert {row["buyer_name"] for row in rows} >= {"Rinkeby-Kista stadsdelsförvaltning", "Hässelby-Vällingby stadsdelsförvaltning"}
    assert rows[0]["programme_name"] == 'Café "Torget" – Åkeshov'  # quotes survive Excel's quoting
    assert all("," in row["amount"] and "." not in row["amount"] for row in rows)
    total = sum(Decimal(row["amount"].replace(",", ".")) for row in rows)
    assert total * 100 == sum(line.amount_ore for line in lines)
    corrections = [row for row in rows if row["correction_of"]]
    assert [(c["correction_of"], c["amount"]) for c in corrections] == [("2026-02", "-2322,58")]
    assert [row["booking_ref"] for row in rows] == [line.booking_ref for line in lines]


def test_the_same_lines_give_the_same_bytes_and_an_empty_month_has_just_the_header():
    assert write_csv(HEADER, sample()) == write_csv(HEADER, sample())
    assert write_csv(HEADER, []) == b"\xef\xbb\xbf" + API_COLUMNS.encode() + b"\r\n"


def test_text_that_would_start_a_formula_is_prefixed_and_negative_amounts_stay_numbers():
    """CWE-1236: Excel runs a cell starting with = + - @ tab or CR; OWASP's fix is a leading apostrophe."""
    names = ["=HYPERLINK(\"http://x\";\"klicka\")", "+1+1", "-2+3", "@SUM(1)", "\tTab", "\rCR", " =1+1"]
    lines = [line(programme_name=name, ref=f"B-2026-00000{n}", amount=-90_000, days=-1)
             ._replace(buyer_name="=cmd|' /C calc'!A0") for n, name in enumerate(names, 1)]
    rows = _read(write_csv(HEADER, lines))
    assert [row["programme_name"] for row in rows] == ["'" + name for name in names]
    assert {row["buyer_name"] for row in rows} == {"'=cmd|' /C calc'!A0"}
    assert {row["amount"] for row in rows} == {"-900,00"}  # the service's own numbers: no apostrophe
    assert {row["days"] for row in rows} == {"-1"}
    assert rows[0]["provider_name"] == "Arbetsmarknadsförvaltningen"  # ordinary text untouched
