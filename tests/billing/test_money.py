from decimal import Decimal
from fractions import Fraction

import pytest

from billing import money


@pytest.mark.parametrize("value, expected", [
    (Decimal("0.5"), 1), (Decimal("1.5"), 2), (Decimal("2.5"), 3), (Decimal("2.4999"), 2),
    (Decimal("-0.5"), -1), (Decimal("-2.5"), -3), (Fraction(450000 * 15, 31), 217742), (Fraction(1, 2), 1),
    (Fraction(-1, 2), -1), (7, 7),
])
def test_rounding_is_half_up_to_whole_ore(value, expected):
    assert money.round_ore(value) == expected


@pytest.mark.parametrize("ore, api, comma", [
    (450000, "4500.00", "4500,00"), (5, "0.05", "0,05"), (-1250, "-12.50", "-12,50"), (0, "0.00", "0,00"),
    (123456789, "1234567.89", "1234567,89"),
])
def test_amounts_are_formatted_for_the_api_and_for_swedish_excel(ore, api, comma):
    assert money.format_amount(ore) == api
    assert money.format_decimal_comma(ore) == comma
    assert money.money(ore) == {"amount": api, "currency": "SEK"}


@pytest.mark.parametrize("text, ore", [("4500", 450000), ("4 500,50", 450050), ("4500.5", 450050), ("12 kr", 1200)])
def test_typed_amounts_become_ore(text, ore):
    assert money.parse_amount(text) == ore


@pytest.mark.parametrize("text", ["", "abc", "1,005", "NaN", "inf", "1e400000"])
def test_untypable_amounts_are_refused(text):
    with pytest.raises(ValueError):
        money.parse_amount(text)


from hypothesis import given, strategies as st  # noqa: E402


@given(st.integers(-10**12, 10**12), st.integers(1, 10**6))
def test_integer_ratio_rounding_equals_exact_half_up_rounding(numerator, denominator):
    assert money.round_ratio(numerator, denominator) == money.round_ore(Fraction(numerator, denominator))
