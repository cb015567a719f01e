"""Bid amounts: strict parsing, figures with separators, and Chinese financial capitals (大写).

A bid form states its price twice, in figures and in capitals, and the two must agree. This
module turns what a user or a form field gives into an exact :class:`~decimal.Decimal` and
renders both forms; it never rounds (money is exact, so a value that does not fit is refused
with a :class:`~sealbid.errors.UsageError`).

>>> amount = parse_amount("1234567.89")
>>> to_capital(amount)
'壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分'
>>> format_figures(amount)
'1,234,567.89'
>>> display("123.4567", "万元")
'123.4567 万元（大写：壹佰贰拾叁万肆仟伍佰陆拾柒元整）'

Conventions of :func:`to_capital` (the People's Bank of China rules for filling in payment
instruments, 《支付结算办法》附件一, where they leave a choice the first form below is used):

* "整" follows an amount that ends at 元 or at 角 (``100.50`` → 壹佰元伍角整); an amount with
  分 has no "整" (``10000.05`` → 壹万元零伍分). Zero is 零元整.
* 拾 always has its digit: ``10`` → 壹拾元整, ``100000`` → 壹拾万元整.
* Inside the figure a run of zeros is written as one 零 (``1010`` → 壹仟零壹拾元整,
  ``100010000`` → 壹亿零壹万元整). A run that ends at 万, 亿 or 元 is carried by that unit and
  not written (``107000`` → 壹拾万柒仟元, ``100.50`` → 壹佰元伍角整), except that a 亿 group
  left entirely empty under 万亿 still gives one 零 (``1000010000000`` → 壹万亿零壹仟万元整).
* 角 zero with 分 present after 元 is 零 (``1.05`` → 壹元零伍分); without 元 it is dropped
  (``0.05`` → 伍分).
* Units: 拾 佰 仟 万 亿; an amount of 万亿 or more reads its count of 亿 with 万
  (``1200000000000`` → 壹万贰仟亿元整), as the figure is spoken. Amounts must be below 10^16 元.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .errors import UsageError

__all__ = ["display", "format_figures", "parse_amount", "to_capital", "to_yuan"]

#: Amounts from this many 元 on are refused: the capitals stop at 仟万亿.
LIMIT = Decimal(10) ** 16

_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
#: Each known unit and the power of ten that turns it into 元.
_UNITS = {"元": 0, "万元": 4}
_FIGURE_PLACES = {"元": (2, 2), "万元": (2, 6)}


def _shown(value: object) -> str:
    """A value for an error message, cut short so a huge input cannot flood the screen."""
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_amount(value: str | int | Decimal) -> Decimal:
    """An exact, finite, non-negative amount from a string of plain digits, an int or a Decimal.

    Strings may only be ``digits`` or ``digits.digits`` (surrounding whitespace is ignored):
    no sign, no exponent ("1e5"), no separators, no NaN or Infinity. Floats and bools are refused
    because they are not exact amounts. The number of decimal places written is kept
    (``"100.50"`` stays ``Decimal("100.50")``); checking them is the job of the caller or of
    :func:`to_capital`.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise UsageError(
            what=f"金额须为数字字符串、整数或 Decimal，不能是 {type(value).__name__} / an amount"
            f" must be a digit string, an int or a Decimal, not {type(value).__name__}"
        )
    if isinstance(value, str):
        text = value.strip()
        if not _PLAIN.fullmatch(text):
            raise UsageError(
                what=f"金额“{_shown(value)}”不是普通的非负十进制数（如 1234.56） / amount"
                f" '{_shown(value)}' is not a plain non-negative decimal number (like 1234.56)"
            )
        return Decimal(text)
    amount = Decimal(value)
    if not amount.is_finite():
        raise UsageError(
            what=f"金额“{_shown(value)}”不是有限数 / amount '{_shown(value)}' is not finite"
        )
    if amount.is_signed():
        if amount != 0:
            raise UsageError(
                what=f"金额“{_shown(value)}”为负数 / amount '{_shown(value)}' is negative"
            )
        amount = amount.copy_abs()  # -0 is zero; show it without its sign
    return amount


def _exponent(amount: Decimal) -> int:
    """The exponent of a finite Decimal (parse_amount has already refused the others)."""
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int):  # pragma: no cover - unreachable after parse_amount
        raise UsageError(what=f"金额“{_shown(amount)}”无效 / invalid amount '{_shown(amount)}'")
    return exponent


def _scaled(amount: Decimal, power: int) -> int | None:
    """``amount × 10^power`` as an int if that is exact, else None. Never rounds.

    Works on the digits with Python ints: Decimal arithmetic rounds to the context precision.
    """
    exponent = _exponent(amount) + power
    coefficient = int("".join(map(str, amount.as_tuple().digits)))
    if exponent >= 0:
        factor: int = 10**exponent
        return coefficient * factor
    divisor: int = 10 ** (-exponent)
    whole, rest = divmod(coefficient, divisor)
    return whole if rest == 0 else None


def _below_ten_thousand(n: int) -> str:
    """Capitals of 1 ≤ n < 10^4: one 零 per inner run of zeros, none at the end."""
    out: list[str] = []
    zero_pending = False
    for power in (3, 2, 1, 0):
        digit = n // 10**power % 10
        if digit == 0:
            zero_pending = bool(out)
        else:
            if zero_pending:
                out.append("零")
                zero_pending = False
            out.append(_DIGITS[digit] + _SMALL_UNITS[power])
    return "".join(out)


def _integer_capitals(n: int) -> str:
    """Capitals of 1 ≤ n < 10^16 without the 元."""
    if n >= 10**8:
        high, low = divmod(n, 10**8)
        text = _integer_capitals(high) + "亿"
        # 零 when the next group starts with a zero, or when the whole 亿 group under 万亿 is
        # empty (a skipped group is always spoken as 零: 壹万亿零壹仟万).
        if low and (low < 10**7 or (high >= 10**4 and high % 10**4 == 0)):
            text += "零"
        return text + (_integer_capitals(low) if low else "")
    if n >= 10**4:
        high, low = divmod(n, 10**4)
        text = _integer_capitals(high) + "万"
        if low and low < 10**3:
            text += "零"
        return text + (_integer_capitals(low) if low else "")
    return _below_ten_thousand(n)


def to_capital(amount: Decimal) -> str:
    """Chinese financial capitals of an amount in 元, as written on invoices and bid forms.

    The amount must be below 10^16 and exact in 分: trailing zeros beyond two places are fine
    (``Decimal("1.230")`` → 壹元贰角叁分), anything finer is refused rather than rounded. See
    the module docstring for the conventions.
    """
    amount = parse_amount(amount)
    if amount >= LIMIT:
        raise UsageError(
            what=f"金额“{_shown(amount)}”元过大，须小于 10^16 元 / amount '{_shown(amount)}' yuan"
            " is too large; it must be below 10^16 yuan"
        )
    fen_total = _scaled(amount, 2)
    if fen_total is None:
        raise UsageError(
            what=f"金额“{_shown(amount)}”元小于分位，不能写成大写；请先换算 / amount"
            f" '{_shown(amount)}' yuan has more than two decimal places (finer than a fen);"
            " convert it first"
        )
    if fen_total == 0:
        return "零元整"
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    parts: list[str] = []
    if yuan:
        parts.append(_integer_capitals(yuan) + "元")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif fen and yuan:
        parts.append("零")
    parts.append(_DIGITS[fen] + "分" if fen else "整")
    return "".join(parts)


def to_yuan(amount: Decimal, unit: str | None) -> Decimal:
    """The amount in 元: ``unit`` is "元" (or None, meaning 元) or "万元" (× 10000, exact)."""
    amount = parse_amount(amount)
    if unit is None:
        unit = "元"
    power = _UNITS.get(unit)
    if power is None:
        raise UsageError(
            what=f"未知的金额单位“{_shown(unit)}”，应为 元 或 万元 / unknown money unit"
            f" '{_shown(unit)}'; expected 元 (yuan) or 万元 (ten thousand yuan)"
        )
    if power == 0:
        return amount
    # Build the result from the digits rather than multiplying: Decimal arithmetic rounds to
    # the context precision, and an amount must never be rounded.
    sign, digits, _ = amount.as_tuple()
    exponent = _exponent(amount) + power
    if exponent > 0:  # write 1.5 万元 as 15000, not 1.5E+4
        digits, exponent = (*digits, *(0,) * exponent), 0
    return Decimal((sign, digits, exponent))


def format_figures(amount: Decimal, places: int = 2) -> str:
    """The amount with thousands separators and exactly ``places`` decimals: 1,234,567.80.

    Padding with zeros is fine; dropping a non-zero digit is not, and is refused.
    """
    amount = parse_amount(amount)
    if isinstance(places, bool) or not isinstance(places, int) or places < 0:
        raise UsageError(
            what=f"小数位数“{_shown(places)}”无效 / invalid number of decimal places"
            f" '{_shown(places)}'"
        )
    scaled = _scaled(amount, places)
    if scaled is None:
        raise UsageError(
            what=f"金额“{_shown(amount)}”的小数多于 {places} 位 / amount '{_shown(amount)}'"
            f" has more than {places} decimal places"
        )
    whole, fraction = divmod(scaled, 10**places)
    return f"{whole:,}" + (f".{fraction:0{places}d}" if places else "")


def display(value: str | int | Decimal, unit: str | None) -> str:
    """What a record shows for a money field: figures, unit, and the capitals of the 元 amount.

    ``display("1234567.89", "元")`` → ``1,234,567.89 元（大写：壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分）``.
    Figures in 元 have two decimals; figures in 万元 keep the decimals given, at least two and
    at most six (six places of 万元 are one 分).
    """
    amount = parse_amount(value)
    shown_unit = "元" if unit is None else unit
    capitals = to_capital(to_yuan(amount, shown_unit))
    fewest, most = _FIGURE_PLACES[shown_unit]
    given = max(-_exponent(amount), 0)
    figures = format_figures(amount, min(max(given, fewest), most))
    return f"{figures} {shown_unit}（大写：{capitals}）"
