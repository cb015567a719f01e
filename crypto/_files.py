"""Files the user depends on are written atomically: temp file beside the target, fsync, rename.

    with AtomicFile(path) as f:     # f is a binary file object
        f.write(data)               # on an exception the temp file is removed, target untouched

Portable: the temp file is closed before the rename (Windows cannot rename an open file), and
the directory fsync is skipped where the OS has none (Windows).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

__all__ = [
    "AtomicFile",
    "atomic_write",
    "fsync_dir",
    "long_path",
    "remove_quietly",
    "win_extended_path",
]

# Windows' classic MAX_PATH is 260; a document name may be up to 1024 characters.
_WIN_SHORT_LIMIT = 240


def win_extended_path(absolute: str) -> str:
    """An absolute Windows path in the ``\\\\?\\`` form that lifts the 260-character limit."""
    if absolute.startswith("\\\\?\\") or len(absolute) < _WIN_SHORT_LIMIT:
        return absolute
    if absolute.startswith("\\\\"):  # \\server\share\... -> \\?\UNC\server\share\...
        return "\\\\?\\UNC\\" + absolute[2:]
    return "\\\\?\\" + absolute


def long_path(path: Path) -> Path:
    """``path`` usable whatever its length: on Windows the extended form, elsewhere as is."""
    if os.name != "nt":
        return path
    return Path(win_extended_path(os.path.abspath(path)))


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX only; NTFS journals metadata itself)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


class AtomicFile:
    """A binary file that appears at ``path`` only when the ``with`` block succeeds."""

    def __init__(self, path: Path, *, private: bool = False) -> None:
        self.path = long_path(Path(path))
        # A dot-prefixed name in the same folder, so the rename never crosses file systems.
        self.tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.part")
        self._private = private
        self._file: BinaryIO | None = None

    def __enter__(self) -> BinaryIO:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(self.tmp, flags, 0o600 if self._private else 0o666)
        self._file = os.fdopen(fd, "wb")
        return self._file

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        f = self._file
        if f is None:
            return
        self._file = None
        try:
            if exc_type is None:
                try:
                    f.flush()
                    os.fsync(f.fileno())
                finally:
                    f.close()  # may itself fail: disk full while flushing the buffer
                os.replace(self.tmp, self.path)
            else:
                # Already failing: the first error is the one to report, not a close error.
                with contextlib.suppress(OSError):
                    f.close()
        except BaseException:
            remove_quietly(self.tmp)
            raise
        if exc_type is not None:
            remove_quietly(self.tmp)
            return
        fsync_dir(self.path.parent)


def atomic_write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` atomically; ``private`` files are created owner-only."""
    with AtomicFile(path, private=private) as f:
        f.write(data)
