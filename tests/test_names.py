from __future__ import annotations

import pytest

from crypto.errors import UnsafeDocumentNameError
from crypto.names import check_document_name, check_unique


@pytest.mark.parametrize(
    "name",
    [
        "商务标.pdf",
        "技术标/施工组织设计.docx",
        "a/b/c.txt",
        "报价 (最终).xlsx",
        "contract.pdf",
        "console/x.txt",
        "COM10",
    ],
)
def test_safe_names_are_kept(name: str) -> None:
    assert check_document_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../x",
        "a/../../x",
        "/etc/passwd",
        "C:evil",
        "c:/windows/x",
        "a\\b",
        "a\x00b",
        "a\nb",
        "CON",
        "aux.txt",
        "dir/NUL.pdf",
        "LPT1",
        "x.",
        "x ",
        "a//b",
        "./a",
        "a?b",
        "a:b",
        "x" * 1025,
        "报价单\u202efdp.exe",
        "a\u200bb.pdf",
        "a\x85b",
        "a\x9bb",
        "长" * 86 + ".pdf",
        "x" * 256,
    ],
)
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(UnsafeDocumentNameError):
        check_document_name(name)


def test_names_that_collide_on_windows_are_refused() -> None:
    check_unique(["a.pdf", "b.pdf", "d/a.pdf"])
    with pytest.raises(UnsafeDocumentNameError):
        check_unique(["Report.pdf", "report.PDF"])
    with pytest.raises(UnsafeDocumentNameError):
        check_unique(["d", "d/x.pdf"])
    with pytest.raises(UnsafeDocumentNameError):
        check_unique(["d/x.pdf", "D"])
