from __future__ import annotations

import re
from decimal import Decimal, localcontext
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealbid.errors import UsageError
from sealbid.money import display, format_figures, parse_amount, to_capital, to_yuan

# Every expected string below was written out by hand from the rules in the module docstring
# (PBOC 《支付结算办法》 filling rules); PBOC's own examples are marked.
CAPITALS = [
    ("0", "零元整"),
    ("0.00", "零元整"),
    ("0.01", "壹分"),
    ("0.05", "伍分"),
    ("0.10", "壹角整"),
    ("0.5", "伍角整"),
    ("0.55", "伍角伍分"),
    ("1", "壹元整"),
    ("1.05", "壹元零伍分"),
    ("1.50", "壹元伍角整"),
    ("10", "壹拾元整"),
    ("11", "壹拾壹元整"),
    ("20.06", "贰拾元零陆分"),
    ("100", "壹佰元整"),
    ("100.50", "壹佰元伍角整"),
    ("101", "壹佰零壹元整"),
    ("110", "壹佰壹拾元整"),
    ("1001", "壹仟零壹元整"),
    ("1010", "壹仟零壹拾元整"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),  # PBOC example (the form without 零 after 元)
    ("10000.05", "壹万元零伍分"),
    ("10001", "壹万零壹元整"),
    ("10100", "壹万零壹佰元整"),
    ("100001", "壹拾万零壹元整"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),  # PBOC example (the form without 零 after 元)
    ("1000001", "壹佰万零壹元整"),
    ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
    ("10000001", "壹仟万零壹元整"),
    ("10001000", "壹仟万壹仟元整"),
    ("100000000", "壹亿元整"),
    ("100000001", "壹亿零壹元整"),
    ("100010000.00", "壹亿零壹万元整"),
    ("302000000", "叁亿零贰佰万元整"),
    ("500003000", "伍亿零叁仟元整"),
    ("1000000000", "壹拾亿元整"),
    ("1050000000", "壹拾亿伍仟万元整"),
    ("1000000000000", "壹万亿元整"),
    ("1000000000005", "壹万亿零伍元整"),
    ("1000010000000", "壹万亿零壹仟万元整"),
    ("1000100000000", "壹万零壹亿元整"),
    ("1200000000000", "壹万贰仟亿元整"),
    (
        "9999999999999999.99",
        "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
    ),
]


@pytest.mark.parametrize(("figures", "capitals"), CAPITALS)
def test_capitals_of_hand_checked_amounts(figures: str, capitals: str) -> None:
    assert to_capital(Decimal(figures)) == capitals


def test_capitals_accept_exact_values_written_with_more_places_or_an_exponent() -> None:
    # Trailing zeros and exponents do not change an exact amount in 分.
    assert to_capital(Decimal("1.230")) == "壹元贰角叁分"
    assert to_capital(Decimal("1E+5")) == "壹拾万元整"
    assert to_capital(parse_amount(12)) == "壹拾贰元整"


# -- an independent reader of capitals, for the round trip -------------------------------------

_DIGIT = {ch: i for i, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}
_BIG = {"万": 10**4, "亿": 10**8}


def _read_integer(text: str) -> int:
    """Reads 壹万贰仟亿零伍拾元-style integers with a stack: a big unit scales everything
    smaller than itself that came before it (so 壹万贰仟亿 is 12000 亿)."""
    stack: list[int] = []
    section = 0
    number = 0
    for ch in text:
        if ch in _DIGIT:
            number = _DIGIT[ch]
        elif ch in _SMALL:
            assert number, f"unit {ch} without a digit in {text}"
            section += number * _SMALL[ch]
            number = 0
        else:
            unit = _BIG[ch]
            value = section + number
            while stack and stack[-1] < unit:
                value += stack.pop()
            stack.append(value * unit)
            section = number = 0
    return sum(stack) + section + number


def _read_capitals(text: str) -> Decimal:
    if text == "零元整":
        return Decimal("0.00")
    body = text.removesuffix("整")
    yuan, _, cents = body.rpartition("元")
    match = re.fullmatch(r"零?(?:([壹贰叁肆伍陆柒捌玖])角)?(?:([壹贰叁肆伍陆柒捌玖])分)?", cents)
    assert match, f"bad 角/分 part in {text}"
    jiao = _DIGIT[match[1]] if match[1] else 0
    fen = _DIGIT[match[2]] if match[2] else 0
    whole = _read_integer(yuan) if yuan else 0
    return Decimal(whole * 100 + jiao * 10 + fen).scaleb(-2)


def test_the_test_reader_reads_known_capitals() -> None:
    # The reader is checked against the hand-written table before it checks anything else.
    for figures, capitals in CAPITALS:
        assert _read_capitals(capitals) == Decimal(figures)


# Uniform integers rarely contain runs of zeros, where the rules are; mix in sparse digits.
_fen_amounts = st.one_of(
    st.integers(min_value=0, max_value=10**18 - 1),
    st.lists(st.sampled_from("00000000123456789"), min_size=1, max_size=18).map(
        lambda ds: int("".join(ds))
    ),
)


@given(_fen_amounts)
def test_capitals_round_trip_and_keep_their_shape(fen: int) -> None:
    amount = Decimal(fen).scaleb(-2)
    capitals = to_capital(amount)
    assert _read_capitals(capitals) == amount
    if fen == 0:
        assert capitals == "零元整"
        return
    # One 零 per run, never leading, never just before a unit that carries the zeros.
    assert "零零" not in capitals
    assert not capitals.startswith("零")
    assert not re.search(r"零[万亿元角分整]", capitals), capitals
    # 整 exactly when there is no 分.
    assert capitals.endswith("整") == (fen % 10 == 0)


# -- parsing and refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.56", Decimal("1234.56")),
        (" 100.50 ", Decimal("100.50")),
        ("007", Decimal(7)),
        (0, Decimal(0)),
        (10**20, Decimal(10**20)),
        (Decimal("1E+3"), Decimal(1000)),
        (Decimal("-0"), Decimal(0)),
    ],
)
def test_parse_amount_accepts_exact_non_negative_values(value: Any, expected: Decimal) -> None:
    parsed = parse_amount(value)
    assert parsed == expected
    assert isinstance(parsed, Decimal)
    assert not parsed.is_signed()


def test_parse_amount_keeps_the_places_written() -> None:
    assert str(parse_amount("100.50")) == "100.50"


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        0.1,
        True,
        None,
        "NaN",
        "inf",
        "-1",
        "+1",
        "1e5",
        "1E5",
        ".5",
        "5.",
        "1,000",
        "",
        "  ",
        "１２",  # full-width digits
        "1 000",
        -1,
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-0.01"),
    ],
)
def test_parse_amount_refuses_inexact_or_negative_input(value: Any) -> None:
    with pytest.raises(UsageError) as info:
        parse_amount(value)
    zh, en = info.value.diagnostics("zh_CN"), info.value.diagnostics("en_US")
    assert "金额" in zh and " / " in zh
    assert "amount" in en


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("0.001"),
        Decimal("1.005"),
        Decimal("123.4567"),
        # Would pass if the check multiplied by 100 in Decimal's 28-digit context and rounded.
        Decimal("0.0100000000000000000000000000001"),
        Decimal(10**16),
        Decimal("1E+16"),
        Decimal("10000000000000000.00"),
        Decimal("-1"),
        Decimal("NaN"),
    ],
)
def test_capitals_refuse_what_cannot_be_written_exactly(amount: Decimal) -> None:
    with pytest.raises(UsageError) as info:
        to_capital(amount)
    assert "金额" in info.value.diagnostics("zh_CN")


def test_capitals_refuse_a_float() -> None:
    with pytest.raises(UsageError, match="float"):
        to_capital(0.1)  # type: ignore[arg-type]


# -- units ---------------------------------------------------------------------------------------


def test_to_yuan_converts_the_known_units_exactly() -> None:
    assert to_yuan(Decimal("1.23"), "元") == Decimal("1.23")
    assert to_yuan(Decimal("1.23"), None) == Decimal("1.23")
    assert to_yuan(Decimal("123.4567"), "万元") == Decimal("1234567")
    assert str(to_yuan(Decimal("1.5"), "万元")) == "15000"  # not 1.5E+4
    assert str(to_yuan(Decimal("0.000001"), "万元")) == "0.01"
    # 30 significant digits: more than Decimal's default context would keep when multiplying.
    big = Decimal("123456789012345678901234.567891")
    assert to_yuan(big, "万元") == Decimal("1234567890123456789012345678.91")


@given(st.decimals(min_value=0, max_value=10**12, places=6, allow_nan=False))
def test_to_yuan_of_wan_is_exactly_ten_thousand_times(amount: Decimal) -> None:
    with localcontext() as ctx:
        ctx.prec = 60
        assert to_yuan(amount, "万元") == amount * 10000


@pytest.mark.parametrize("unit", ["千元", "万", "yuan", "", " 元", "亿元"])
def test_unknown_units_are_refused(unit: str) -> None:
    with pytest.raises(UsageError) as info:
        to_yuan(Decimal(1), unit)
    assert "单位" in info.value.diagnostics("zh_CN")
    assert "unit" in info.value.diagnostics("en_US")


# -- figures -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "places", "figures"),
    [
        (Decimal("1234567.8"), 2, "1,234,567.80"),
        (Decimal("0"), 2, "0.00"),
        (Decimal("999.999"), 3, "999.999"),
        (Decimal("1000"), 0, "1,000"),
        (Decimal("1.230"), 2, "1.23"),
        (Decimal("1E+6"), 2, "1,000,000.00"),
        (Decimal("9999999999999999.99"), 2, "9,999,999,999,999,999.99"),
    ],
)
def test_figures_have_separators_and_fixed_places(
    amount: Decimal, places: int, figures: str
) -> None:
    assert format_figures(amount, places) == figures


@given(_fen_amounts)
def test_figures_read_back_to_the_amount(fen: int) -> None:
    amount = Decimal(fen).scaleb(-2)
    figures = format_figures(amount)
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d\d", figures)
    assert Decimal(figures.replace(",", "")) == amount


@pytest.mark.parametrize(("amount", "places"), [(Decimal("1.234"), 2), (Decimal("1"), -1)])
def test_figures_never_round(amount: Decimal, places: int) -> None:
    with pytest.raises(UsageError):
        format_figures(amount, places)


# -- display -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("1234567.89", "元", "1,234,567.89 元（大写：壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分）"),
        ("123.4567", "万元", "123.4567 万元（大写：壹佰贰拾叁万肆仟伍佰陆拾柒元整）"),
        (12, None, "12.00 元（大写：壹拾贰元整）"),
        ("0.5", "元", "0.50 元（大写：伍角整）"),
        ("1.5", "万元", "1.50 万元（大写：壹万伍仟元整）"),
        (
            "12345.678900",
            "万元",
            "12,345.678900 万元（大写：壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整）",
        ),
        # More than six places of 万元 is fine while it is still exact in 分.
        ("1.23456700", "万元", "1.234567 万元（大写：壹万贰仟叁佰肆拾伍元陆角柒分）"),
        (Decimal("1.230"), "元", "1.23 元（大写：壹元贰角叁分）"),
    ],
)
def test_display_shows_figures_unit_and_capitals(value: Any, unit: str | None, shown: str) -> None:
    assert display(value, unit) == shown


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        ("1.2345678", "万元"),  # finer than a 分
        ("1.234", "元"),
        ("1000000000000", "万元"),  # 10^16 元
        ("1", "美元"),
        (1.5, "元"),
        ("-3", "元"),
    ],
)
def test_display_refuses_bad_amounts_and_units(value: Any, unit: str) -> None:
    with pytest.raises(UsageError) as info:
        display(value, unit)
    text = info.value.bilingual()
    assert re.search(r"[\u4e00-\u9fff]", text.splitlines()[0])
    assert "Invalid input" in text.splitlines()[1]
