"""The bid-summary form (开标一览表): checking a summary against the tender's form definition.

    check_summary(section.form, {"price": "1234567.89", "duration": 365, ...})  # or UsageError
    problems = summary_problems(form, summary)                                 # list of str

Used by the client before sealing and by the platform when a released bid is opened: a summary
that does not fit the section's form is the bidder's fault (电子招标投标办法 Art. 31).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sealbid.errors import UsageError

from .wire import SummaryForm

__all__ = ["MONEY_PLACES", "check_summary", "summary_problems"]

# Decimal places a money field may carry, by unit: fen for 元, 1 yuan for 万元.
MONEY_PLACES = {"元": 2, "万元": 6}


def _check_money(value: Any, unit: str | None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return "应为金额 / must be an amount"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return "不是金额 / not an amount"
    if not amount.is_finite() or amount < 0:
        return "金额无效 / invalid amount"
    places = MONEY_PLACES.get(unit or "元", 2)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return f"最多 {places} 位小数 / at most {places} decimal places"
    return None


def _check_field(kind: str, value: Any, unit: str | None, choices: tuple[str, ...]) -> str | None:
    if kind == "money":
        return _check_money(value, unit)
    if kind == "integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.isdigit()
        )
        return None if ok else "应为整数 / must be an integer"
    if kind == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return "应为日期 YYYY-MM-DD / must be a date YYYY-MM-DD"
        return None
    if kind == "choice":
        return None if value in choices else f"应为 {'/'.join(choices)} 之一 / must be one of them"
    if not isinstance(value, str) or not value.strip():
        return "应为文字 / must be text"
    return None


def summary_problems(form: SummaryForm, summary: Any) -> list[str]:
    """Every problem of a bid summary against the tender's form (empty when it fits): every
    required field present, each value of its type, no field the form does not define."""
    if summary is None:
        summary = {}
    if not isinstance(summary, dict):
        return ["开标一览表应为 JSON 对象 / the summary must be a JSON object"]
    problems = []
    known = {f.key for f in form.fields}
    for f in form.fields:
        if f.key not in summary or summary[f.key] in (None, ""):
            if f.required:
                problems.append(f"{f.label} ({f.key}): 必填 / required")
            continue
        why = _check_field(f.type, summary[f.key], f.unit, f.choices)
        if why:
            problems.append(f"{f.label} ({f.key}): {why}")
    for key in sorted(set(summary) - known):
        problems.append(f"{key}: 招标文件未定义此项 / not a field of this tender's form")
    return problems


def check_summary(form: SummaryForm, summary: Any) -> None:
    """:func:`summary_problems`, raising :class:`UsageError` listing every problem."""
    problems = summary_problems(form, summary)
    if problems:
        raise UsageError(what="开标一览表 / bid summary: " + "; ".join(problems))
