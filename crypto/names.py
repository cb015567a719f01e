"""Document names inside a sealed bid: kept as the bidder gave them, safe on Windows and POSIX.

    check_document_name("商务标/报价单.pdf")     # returns the name
    check_document_name("../boot.ini")          # raises UnsafeDocumentNameError

A name is a relative path with ``/`` between folders. Everything Windows would misread or that
could escape the output folder is refused: ``..``, absolute paths, drive letters and other
colons, backslashes, NUL, control and invisible format characters (bidi overrides), reserved
device names (CON, NUL, COM1 …), trailing dots or spaces, segments longer than 255 bytes of
UTF-8 or 255 UTF-16 units, and characters Windows forbids in names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from .errors import UnsafeDocumentNameError

__all__ = ["MAX_NAME_CHARS", "check_document_name", "check_unique"]

MAX_NAME_CHARS = 1024
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
_RESERVED |= {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}
_RESERVED |= {f"COM{c}" for c in "¹²³"} | {f"LPT{c}" for c in "¹²³"}
_FORBIDDEN = set('<>:"|?*\\')


def _refuse(name: str, why: str) -> UnsafeDocumentNameError:
    return UnsafeDocumentNameError(name=name, why=why)


def check_document_name(name: str) -> str:
    """``name`` if it is a safe relative document path, else :class:`UnsafeDocumentNameError`."""
    if not isinstance(name, str) or not name:
        raise _refuse(str(name), "空名称 / empty name")
    if len(name) > MAX_NAME_CHARS:
        raise _refuse(name[:40] + "…", "名称过长 / name too long")
    if name.startswith("/"):
        raise _refuse(name, "绝对路径 / absolute path")
    if len(name) >= 2 and name[1] == ":" and name[0].isalpha():
        raise _refuse(name, "盘符 / drive letter")
    for ch in name:
        if ch == "\x00":
            raise _refuse(name, "包含 NUL 字符 / contains NUL")
        category = unicodedata.category(ch)
        if category == "Cc":
            raise _refuse(name, "包含控制字符 / contains a control character")
        if category == "Cf":
            # Bidi overrides and invisible characters: "报价单\u202efdp.exe" shows as
            # "报价单exe.pdf" in Explorer.
            raise _refuse(name, f"包含不可见格式字符 U+{ord(ch):04X} / contains a format character")
        if ch in _FORBIDDEN:
            raise _refuse(name, f"包含 Windows 禁用字符 {ch!r} / contains {ch!r}")
    for part in name.split("/"):
        if part in ("", ".", ".."):
            raise _refuse(name, "路径段为空或为 . / .. / empty, '.' or '..' segment")
        if part[-1] in ". ":
            raise _refuse(name, "以点或空格结尾 / ends with a dot or space")
        # NTFS allows 255 UTF-16 units per name, ext4 255 bytes: a longer one cannot be opened.
        if len(part.encode("utf-16-le")) > 510 or len(part.encode("utf-8")) > 255:
            raise _refuse(name, "某一级名称过长 / a path segment is too long")
        stem = part.split(".")[0].rstrip(" ").upper()
        if stem in _RESERVED:
            raise _refuse(name, f"Windows 保留名 {stem} / reserved Windows name {stem}")
    return name


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def check_unique(names: Iterable[str]) -> None:
    """Refuse two names that one case-insensitive file system would store as one file,
    including a file whose name is also used as a folder."""
    seen: set[str] = set()
    folders: set[str] = set()
    for name in names:
        key = _fold(name)
        if key in seen or key in folders:
            raise _refuse(name, "重复的文档名 / duplicate document name")
        seen.add(key)
        parts = key.split("/")
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            if folder in seen:
                raise _refuse(name, "文档名与文件夹名冲突 / name clashes with a folder")
            folders.add(folder)
