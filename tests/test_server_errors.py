"""The platform's errors derive from the one root, speak both languages and have unique codes
(the same rules tests/test_errors.py checks for the rest of SealBid)."""

from __future__ import annotations

import inspect
import re

import pytest

from sealbid.errors import SealBidError
from server import errors, receipts

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _classes() -> list[type[BaseException]]:
    return [
        obj
        for module in (errors, receipts)
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__ == module.__name__
    ]


def test_found_them() -> None:
    assert len(_classes()) > 25


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.__name__)
def test_root_code_and_languages(cls: type[SealBidError]) -> None:
    assert issubclass(cls, SealBidError)
    assert _CJK.search(cls.zh) and not _CJK.search(cls.en)
    err = cls()
    assert err.diagnostics("zh_CN") and err.diagnostics("en_US")


def test_codes_and_statuses() -> None:
    api = [c for c in _classes() if issubclass(c, errors.ApiError)]
    codes = [c.code for c in api]
    assert len(codes) == len(set(codes))
    assert errors.BadChecksum.status == 460
    assert {c.status for c in api} <= {400, 401, 403, 404, 408, 409, 413, 415, 422, 460, 503}


def test_plain_messages_leave_the_detail_out() -> None:
    from crypto.errors import CertificateUntrustedError

    exc = CertificateUntrustedError("path building failed at /etc/ssl", subject="CN=x")
    zh, en = errors.plain_messages(exc)
    assert "/etc/ssl" not in zh + en
    assert "CN=x" in zh and "CN=x" in en
