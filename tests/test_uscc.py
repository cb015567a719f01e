from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealbid.errors import UsageError
from sealbid.uscc import InvalidUSCCError, validate, with_check_character

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def test_known_code_from_gb32100_examples() -> None:
    # Published example code (福建省: 91350100M000100Y43).
    assert validate("91350100M000100Y43") == "91350100M000100Y43"
    assert validate(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    "bad",
    ["", "91350100M000100Y4", "91350100M000100Y433", "91350100M000100Y44", "91350100I000100Y43"],
)
def test_bad_codes_are_refused_with_a_usage_error(bad: str) -> None:
    with pytest.raises(InvalidUSCCError) as info:
        validate(bad)
    assert isinstance(info.value, UsageError)
    assert "统一社会信用代码" in info.value.diagnostics("zh_CN")


@given(st.text(alphabet=CHARSET, min_size=17, max_size=17))
def test_check_character_round_trip(body: str) -> None:
    code = with_check_character(body)
    assert validate(code) == code
    wrong = CHARSET[(CHARSET.index(code[-1]) + 1) % 31]
    with pytest.raises(InvalidUSCCError):
        validate(code[:-1] + wrong)
