from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from financing.domain.money import MoneyError, apply_rate, round_half_up_ratio, to_major, to_minor


@pytest.mark.parametrize(
    ("amount", "minor"),
    [
        ("123.53", 12353),
        (88000, 8800000),
        ("0.01", 1),
        ("1e2", 10000),
        (Decimal("7.10"), 710),
        ("12.5", 1250),
    ],
)
def test_decimal_major_units_become_integer_minor_units(amount, minor):
    assert to_minor(amount, "usd") == minor


@pytest.mark.parametrize("amount", ["1.001", "0.005", "abc", "NaN", "Infinity"])
def test_amounts_the_currency_cannot_hold_are_refused_not_rounded(amount):
    with pytest.raises(MoneyError):
        to_minor(amount, "usd")


def test_unknown_currencies_are_refused():
    with pytest.raises(MoneyError):
        to_minor("1", "jpy")


def test_minor_units_render_back_exactly():
    assert to_major(12353, "usd") == Decimal("123.53")
    assert str(to_major(8800000, "brl")) == "88000.00"


@pytest.mark.parametrize(
    ("minor", "rate", "expected"),
    [
        (8800000, 9000, 7920000),  # 90% of 88,000.00
        (7920000, 250, 198000),  # 2.5% of 79,200.00
        (1, 5000, 1),  # 0.5 rounds half-up
        (3, 5000, 2),  # 1.5 rounds half-up
        (1, 4999, 0),
        (12345, 10000, 12345),
        (0, 9000, 0),
    ],
)
def test_rates_apply_in_basis_points_rounding_half_up(minor, rate, expected):
    assert apply_rate(minor, rate) == expected


@given(st.integers(min_value=0, max_value=10**30), st.integers(min_value=1, max_value=10**12))
def test_a_ratio_rounds_half_up_exactly(numerator, denominator):
    exact = Fraction(numerator, denominator)
    rounded = round_half_up_ratio(numerator, denominator)
    assert rounded - Fraction(1, 2) <= exact < rounded + Fraction(1, 2)
