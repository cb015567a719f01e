"""统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters, last one a check.

>>> validate("91350100M000100Y43")
'91350100M000100Y43'
>>> with_check_character("91350100M000100Y4")
'91350100M000100Y43'
"""

from __future__ import annotations

from .errors import UsageError

__all__ = ["InvalidUSCCError", "validate", "with_check_character"]

_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class InvalidUSCCError(UsageError):
    code = "uscc"
    zh = "统一社会信用代码“{value}”无效：{why}"
    en = "Unified social credit code '{value}' is invalid: {why}"


def _check_character(body: str) -> str:
    total = sum(_CHARSET.index(ch) * w for ch, w in zip(body, _WEIGHTS, strict=True))
    return _CHARSET[(31 - total % 31) % 31]


def with_check_character(body: str) -> str:
    """Append the check character to the first 17 characters of a code."""
    body = body.strip().upper()
    if len(body) != 17 or any(ch not in _CHARSET for ch in body):
        raise InvalidUSCCError(value=body, why="需要 17 位有效字符 / need 17 valid characters")
    return body + _check_character(body)


def validate(value: str) -> str:
    """The code, upper-cased, if it is well formed and its check character is right."""
    code = value.strip().upper()
    if len(code) != 18:
        raise InvalidUSCCError(value=value, why="长度应为 18 位 / must be 18 characters")
    bad = [ch for ch in code if ch not in _CHARSET]
    if bad:
        raise InvalidUSCCError(
            value=value, why=f"含非法字符 {bad[0]!r} / contains invalid character {bad[0]!r}"
        )
    if _check_character(code[:17]) != code[17]:
        raise InvalidUSCCError(value=value, why="校验位不符 / wrong check character")
    return code
