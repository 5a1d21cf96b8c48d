"""Money: named rounding, formatting, terbilang."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.rules.money import (
    format_number,
    format_percent,
    format_rupiah,
    round_rupiah,
    terbilang,
    to_decimal,
)


@pytest.mark.parametrize(
    ("amount", "rule", "expected"),
    [
        (Decimal("13079.367"), "half_up_per_line", 13079),
        (Decimal("1211052.5"), "half_up_per_line", 1211053),
        (Decimal("1211052.5"), "half_even_per_line", 1211052),
        (Decimal("1211053.5"), "half_even_per_line", 1211054),
        (Decimal("99.99"), "down_per_line", 99),
        (Decimal("99.01"), "up_per_line", 100),
        (Decimal("2422105.0"), "half_up_per_line", 2422105),
    ],
)
def test_round_rupiah(amount, rule, expected):
    got = round_rupiah(amount, rule)
    assert got == expected and type(got) is int


def test_round_rupiah_unknown_rule():
    with pytest.raises(ValueError, match="unknown rounding rule"):
        round_rupiah(Decimal(1), "bankers")


@given(st.decimals(min_value=0, max_value=10**12, places=3, allow_nan=False))
def test_round_is_within_half(amount):
    got = round_rupiah(amount)
    assert isinstance(got, int) and abs(Decimal(got) - amount) <= Decimal("0.5")


def test_to_decimal():
    assert to_decimal(Decimal("1.5")) == Decimal("1.5")
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal(" 12.5 ") == Decimal("12.5")
    with pytest.raises(TypeError):
        to_decimal(True)
    with pytest.raises(TypeError):
        to_decimal(None)
    with pytest.raises(ValueError):
        to_decimal(float("nan"))


def test_formatting():
    assert format_rupiah(2_422_105) == "Rp 2.422.105"
    assert format_rupiah(-5) == "-Rp 5"
    assert format_number(Decimal("5813.052")) == "5.813,052"
    assert format_number(Decimal("100")) == "100"
    assert format_number(1_000) == "1.000"
    assert format_percent(Decimal("0.0054")) == "0,54%"
    assert format_percent(Decimal("0.02")) == "2%"


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "nol rupiah"),
        (1, "satu rupiah"),
        (11, "sebelas rupiah"),
        (19, "sembilan belas rupiah"),
        (100, "seratus rupiah"),
        (1_000, "seribu rupiah"),
        (1_001, "seribu satu rupiah"),
        (16_800, "enam belas ribu delapan ratus rupiah"),
        (13_079, "tiga belas ribu tujuh puluh sembilan rupiah"),
        (111_000, "seratus sebelas ribu rupiah"),
        (1_000_000, "satu juta rupiah"),
        (2_422_105, "dua juta empat ratus dua puluh dua ribu seratus lima rupiah"),
        (42_000_000, "empat puluh dua juta rupiah"),
        (87_000_000, "delapan puluh tujuh juta rupiah"),
        (129_000_000, "seratus dua puluh sembilan juta rupiah"),
        (
            138_261_040,
            "seratus tiga puluh delapan juta dua ratus enam puluh satu ribu empat puluh rupiah",
        ),
        (6_200_000_000, "enam miliar dua ratus juta rupiah"),
        (1_000_000_000_000, "satu triliun rupiah"),
    ],
)
def test_terbilang(n, words):
    assert terbilang(n) == words


def test_terbilang_without_currency_and_types():
    assert terbilang(21, currency=False) == "dua puluh satu"
    with pytest.raises(TypeError):
        terbilang(1.5)
    with pytest.raises(TypeError):
        terbilang(True)
