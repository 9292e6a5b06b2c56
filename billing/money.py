"""Money: integer öre in storage, Decimal in calculations, rounded half up here and only here.

Pure. API amounts are strings with two decimals ("4500.00"); the CSV for Excel uses the
Swedish decimal comma ("4500,00"); SIE uses a decimal point.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CURRENCY = "SEK"
_ORE = Decimal(1)
MAX_KRONOR = Decimal(10) ** 12  # far above any real amount; keeps typed input bounded


def round_ore(value: Decimal | Fraction | int) -> int:
    """Round an exact amount in öre to whole öre, half away from zero (DESIGN.md: half up).

    Fractions are accepted so callers can keep price × days ÷ days_in_month exact.
    """
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return int(value.quantize(_ORE, rounding=ROUND_HALF_UP))


def round_ratio(numerator: int, denominator: int) -> int:
    """Round numerator ÷ denominator (integers, öre) half away from zero, exactly, with integer arithmetic.

    Same result as round_ore(Fraction(numerator, denominator)), without the cost of a Fraction
    for each of a million lines.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((-2 * numerator + denominator) // (2 * denominator))


def ore_to_decimal(amount_ore: int) -> Decimal:
    """Öre as an exact Decimal of kronor with two places (4500_00 -> Decimal('4500.00'))."""
    return (Decimal(amount_ore) / 100).quantize(Decimal("0.01"))


def ore_to_float(amount_ore: int) -> float:
    """Öre as kronor for a spreadsheet cell, which holds a double: int / 100 is correctly
    rounded, so the cell is the double nearest the exact amount and reads back to the öre."""
    return amount_ore / 100


def format_amount(amount_ore: int) -> str:
    """API form: '4500.00', '-12.50' (integer arithmetic: exact, and fast for a million lines)."""
    kronor, ore = divmod(abs(int(amount_ore)), 100)
    return f"{'-' if amount_ore < 0 else ''}{kronor}.{ore:02d}"


def format_decimal_comma(amount_ore: int) -> str:
    """CSV for Swedish Excel: '4500,00', '-12,50' (no thousands separator)."""
    kronor, ore = divmod(abs(int(amount_ore)), 100)
    return f"{'-' if amount_ore < 0 else ''}{kronor},{ore:02d}"


def money(amount_ore: int) -> dict:
    """The API's Money object."""
    return {"amount": format_amount(amount_ore), "currency": CURRENCY}


def parse_amount(text: str) -> int:
    """Kronor as typed ('4500', '4 500,50', '4500.5') -> öre; ValueError if not exactly öre."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if cleaned.lower().endswith("kr"):
        cleaned = cleaned[:-2]
    try:
        value = Decimal(cleaned)
    except ArithmeticError as error:  # decimal.InvalidOperation
        raise ValueError("not an amount") from error
    if not value.is_finite() or abs(value) > MAX_KRONOR:
        raise ValueError("not a finite amount in range")
    ore = value * 100
    if ore != ore.to_integral_value():
        raise ValueError("more than two decimals")
    return int(ore)
