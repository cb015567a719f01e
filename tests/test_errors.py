"""Every error SealBid raises on purpose derives from the one root and speaks both languages."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from sealbid.errors import CancelledError, SealBidError, UsageError

MODULES = [
    "sealbid.errors",
    "sealbid.uscc",
    "crypto.errors",
    "crypto.token",
    "client.errors",
    "server.errors",
    "server.db",
    "server.receipts",
    "server.tsa",
    "reports.fonts",
    "reports.sign",
]
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _exception_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for name in MODULES:
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            # Private classes (``_Rejected``) are control flow that never leaves their module.
            if (
                issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
                and not obj.__name__.startswith("_")
            ):
                found.append(obj)
    return found


def test_found_the_error_classes() -> None:
    names = {c.__name__ for c in _exception_classes()}
    assert {"SealBidError", "TruncatedError", "WrongKeyError", "InvalidUSCCError"} <= names


@pytest.mark.parametrize("cls", _exception_classes(), ids=lambda c: c.__name__)
def test_every_public_error_derives_from_the_root(cls: type[BaseException]) -> None:
    assert issubclass(cls, SealBidError)


@pytest.mark.parametrize("cls", _exception_classes(), ids=lambda c: c.__name__)
def test_every_error_has_its_own_code_and_both_languages(cls: type[SealBidError]) -> None:
    if cls is not SealBidError:
        assert cls.code != SealBidError.code
    zh, en = cls.zh, cls.en
    assert _CJK.search(zh), f"{cls.__name__}.zh has no Chinese text"
    assert not _CJK.search(en), f"{cls.__name__}.en has Chinese text"
    # Rendering never fails, even without the template's parameters.
    err = cls()
    assert err.diagnostics("zh_CN")
    assert err.diagnostics("en_US")


def test_codes_are_unique() -> None:
    codes = [c.code for c in _exception_classes()]
    assert len(codes) == len(set(codes))


def test_diagnostics_fill_parameters_and_default_to_chinese() -> None:
    err = UsageError(what="缺少文件 / missing file")
    assert err.diagnostics() == "参数有误：缺少文件 / missing file"
    assert err.diagnostics("en_US") == "Invalid input: 缺少文件 / missing file"
    assert str(err) == err.diagnostics("en_US")


def test_detail_is_shown_in_english_only() -> None:
    err = UsageError("technical note", what="x")
    assert "technical note" in err.diagnostics("en_US")
    assert "technical note" not in err.diagnostics("zh_CN")


def test_cancel_is_an_error_of_its_own_kind() -> None:
    assert issubclass(CancelledError, SealBidError)
    assert not issubclass(CancelledError, UsageError)
