"""Money: integer rupiah, computed with ``Decimal``, rounded once by a named rule.

Amounts are ``int`` rupiah. Intermediate products are ``Decimal`` and are rounded exactly once,
per line, with the rule named by the ``money.rounding`` parameter. Floats are never used.

>>> round_rupiah(Decimal("13079.367"))
13079
>>> round_rupiah(Decimal("1211052.5"))
1211053
>>> round_rupiah(Decimal("1211052.5"), "half_even_per_line")
1211052
>>> format_rupiah(129000000)
'Rp 129.000.000'
>>> terbilang(129000000)
'seratus dua puluh sembilan juta rupiah'
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal

__all__ = [
    "DEFAULT_RULE",
    "ROUNDING_RULES",
    "format_percent",
    "format_rupiah",
    "round_rupiah",
    "terbilang",
    "to_decimal",
]

#: Named rounding rules. The name in force is the ``money.rounding`` parameter.
ROUNDING_RULES: dict[str, str] = {
    "half_up_per_line": ROUND_HALF_UP,
    "half_even_per_line": ROUND_HALF_EVEN,
    "down_per_line": ROUND_DOWN,
    "up_per_line": ROUND_UP,
}

#: The rule used when none is named (DOMAIN.md §1.1: round-half-up per line, UNCONFIRMED).
DEFAULT_RULE = "half_up_per_line"

_ONE = Decimal(1)


def round_rupiah(amount: Decimal | int, rule: str = DEFAULT_RULE) -> int:
    """Round a ``Decimal`` amount to whole rupiah with the named rule; ints pass through.

    >>> round_rupiah(Decimal("-2906.526"))
    -2907
    >>> round_rupiah(5)
    5
    >>> round_rupiah(Decimal("1.5"), "unknown")
    Traceback (most recent call last):
    ...
    ValueError: unknown rounding rule 'unknown'
    """
    try:
        mode = ROUNDING_RULES[rule]
    except KeyError:
        raise ValueError(f"unknown rounding rule {rule!r}") from None
    if isinstance(amount, int):
        return amount
    return int(amount.quantize(_ONE, rounding=mode))


def to_decimal(value: int | str | Decimal | float) -> Decimal:
    """Exact ``Decimal`` from an int, a numeric string or a ``Decimal``.

    A float (as JSON parsers give) is converted through its shortest repr, so ``2.5`` becomes
    ``Decimal('2.5')``, never ``2.5000000000000002``; it is never computed with.

    >>> to_decimal(2.5), to_decimal("10"), to_decimal(3)
    (Decimal('2.5'), Decimal('10'), Decimal('3'))
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a bool is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return Decimal(repr(value))
    if isinstance(value, str):
        return Decimal(value.strip())
    raise TypeError(f"not a number: {value!r}")


def format_rupiah(amount: int) -> str:
    """``Rp 1.234.567`` (Indonesian grouping); negative as ``-Rp 1.234``.

    >>> format_rupiah(-2907), format_rupiah(0)
    ('-Rp 2.907', 'Rp 0')
    """
    if amount < 0:
        return "-" + format_rupiah(-amount)
    return "Rp " + f"{amount:,}".replace(",", ".")


def format_number(value: Decimal | int) -> str:
    """A number with Indonesian separators: ``1.211.052,5``.

    >>> format_number(Decimal("1211052.50")), format_number(80)
    ('1.211.052,5', '80')
    """
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    text = format(value.normalize(), ",f")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def format_percent(rate: Decimal) -> str:
    """A rate (fraction of 1) as an Indonesian percentage.

    >>> format_percent(Decimal("0.0024")), format_percent(Decimal("0.5")), format_percent(Decimal(1))
    ('0,24%', '50%', '100%')
    """
    return format_number(rate * 100) + "%"


def terbilang(amount: int, currency: bool = True) -> str:
    """An amount in Indonesian words (for receipts and letters).

    Uses ``lokal-id``'s implementation (tested in ``tests/rules/test_money.py``).

    >>> terbilang(1500000)
    'satu juta lima ratus ribu rupiah'
    >>> terbilang(11, currency=False)
    'sebelas'
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("terbilang() takes an int amount in rupiah")
    from lokal.terbilang import terbilang as _terbilang

    return _terbilang(amount, currency=currency)
