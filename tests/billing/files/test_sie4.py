from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from billing.files.sie4 import write_sie4
from billing.lines import pair_totals
from tests.billing.files._lines import HEADER, line, sample
from tests.billing.files.sie_reader import SieError, read_sie, tokenize


def test_the_file_is_sie_type_4_in_pc8_with_dimensions_objects_and_accounts():
    data = write_sie4(HEADER, sample())
    sie = read_sie(data)
    assert (sie.format, sie.sie_type, sie.flags) == ("PC8", "4", "0")
    assert sie.generated.isoformat() == "2026-04-05"
    assert sie.dimensions == {"1": "Kostnadsställe"}
    assert sie.objects[("1", "1100")] == "Rinkeby-Kista stadsdelsförvaltning"  # å/ä/ö survive code page 437
    assert set(sie.accounts) == {"7691", "7692", "3691", "3692"}
    assert "ö".encode("cp437") in data and "ö".encode("utf-8") not in data
    assert b"\r\n" in data


def test_one_balanced_voucher_per_buyer_provider_pair_debiting_cost_and_crediting_revenue():
    lines = sample()
    sie = read_sie(write_sie4(HEADER, lines))
    pairs = pair_totals(lines)
    assert len(sie.vouchers) == len(pairs)
    for voucher, pair in zip(sie.vouchers, pairs):
        assert f"köpare {pair.buyer_code} säljare {pair.provider_code}" in voucher.text
        assert voucher.date.isoformat() == "2026-03-31"
        debits = [t for t in voucher.transactions if t.account.startswith("7")]
        credits = [t for t in voucher.transactions if t.account.startswith("3")]
        assert sum(t.amount for t in debits) == Decimal(pair.amount_ore) / 100
        assert sum(t.amount for t in credits) == -Decimal(pair.amount_ore) / 100
        assert all(t.objects for t in voucher.transactions)  # every row names its cost centre


def test_corrections_name_the_month_they_correct_and_texts_with_quotes_are_escaped():
    sie = read_sie(write_sie4(HEADER, sample()))
    texts = [t.text for v in sie.vouchers for t in v.transactions]
    assert "B-2026-000001 rättelse 2026-02" in texts
    assert tokenize('#X "a \\"b\\" c" {1 "2"} 3') == ["#X", 'a "b" c', ["1", "2"], "3"]


def test_the_same_lines_give_the_same_bytes():
    assert write_sie4(HEADER, sample()) == write_sie4(HEADER, list(sample()))


def test_the_reader_refuses_an_unbalanced_voucher():
    data = write_sie4(HEADER, [line()]).replace(b"-4500.00", b"-4500.01")
    with pytest.raises(SieError):
        read_sie(data)


_amounts = st.integers(min_value=-10_000_000, max_value=10_000_000)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["RK", "ST", "AMF", "HV"]), st.sampled_from(["RK", "ST", "AMF", "HV"]),
                          _amounts), min_size=1, max_size=30))
def test_sum_of_lines_equals_totals_equals_sie_debits_equals_sie_credits(rows):
    lines = sorted((line(buyer=b, provider=p, ref=f"B-{i:06d}", amount=a) for i, (b, p, a) in enumerate(rows) if b != p),
                   key=lambda l: l.sort_key)
    total = sum(l.amount_ore for l in lines)
    assert sum(t.amount_ore for t in pair_totals(lines)) == total
    sie = read_sie(write_sie4(HEADER, lines))
    transactions = [t for v in sie.vouchers for t in v.transactions]
    debits = sum((t.amount for t in transactions if t.account.startswith("7")), Decimal(0))
    credits = sum((t.amount for t in transactions if t.account.startswith("3")), Decimal(0))
    assert debits * 100 == total and credits * 100 == -total


def test_text_fields_that_would_start_a_spreadsheet_formula_are_prefixed():
    lines = [line()._replace(buyer_name="=HYPERLINK(\"http://x\")"), line(ref="B-2026-000002")._replace(buyer_name="=HYPERLINK(\"http://x\")")]
    sie = read_sie(write_sie4(HEADER, lines))
    assert sie.objects[("1", "1100")] == "'=HYPERLINK(\"http://x\")"
    assert sie.objects[("1", "3100")] == "Arbetsmarknadsförvaltningen"
    assert [t.amount for t in sie.vouchers[0].transactions][:2] == [Decimal("4500.00"), Decimal("-4500.00")]
