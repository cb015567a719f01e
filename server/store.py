"""Files on disk: the content-addressed bid store and the partial uploads.

    blobs = BlobStore(data / "blobs")          # blobs/ab/cd/<sha256>
    parts = UploadFiles(data / "uploads")      # uploads/<id>.part
    parts.append(upload_id, offset, chunk)     # truncate to offset, write, fsync
    blobs.put_file(parts.path(upload_id), sha) # hard link (or copy), then fsync the folders

A file enters the store only whole and durable: an upload's bytes were fsynced before its offset
was recorded, and a stored name appears by an atomic link or rename followed by a directory
fsync. Nothing here knows about receipts; ``server.app`` orders the steps (see ``finish``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from crypto._files import AtomicFile, fsync_dir, remove_quietly

__all__ = ["BlobStore", "UploadFiles", "is_upload_id", "striped_lock"]

# Windows opens low-level files in text mode unless told otherwise (CRLF translation).
_BINARY = getattr(os, "O_BINARY", 0)
_UPLOAD_ID = re.compile("[0-9a-f]{32}")


def is_upload_id(text: str) -> bool:
    """Upload ids are ours: 32 lowercase hex digits (128 random bits)."""
    return _UPLOAD_ID.fullmatch(text) is not None


_STRIPES = 256
_locks: dict[str, list[threading.Lock]] = {
    kind: [threading.Lock() for _ in range(_STRIPES)] for kind in ("upload", "blob")
}


def striped_lock(kind: str, key: str) -> threading.Lock:
    """A process-wide lock for ``key`` of ``kind`` ("upload": an upload id, "blob": a digest).

    Striped: two keys of a kind may share a lock, which only costs a little waiting. The kinds
    have separate stripes and are always taken upload first, blob second: with one shared set,
    an upload and a digest on the same stripe would deadlock a finish against itself (found by
    test_server_receipts, one finish in 256)."""
    stripes = _locks[kind]
    return stripes[int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % _STRIPES]


def _mkdirs(path: Path) -> None:
    """Create ``path`` and its missing parents, each creation made durable in its parent."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir()
        fsync_dir(d.parent)


class BlobStore:
    """Immutable files named by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        _mkdirs(root)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")  # a programming error
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_file(self, source: Path, sha256: str) -> bool:
        """Make the (already fsynced) file ``source`` durable in the store under ``sha256``.
        ``source`` stays where it is. Returns False when the store already held it."""
        target = self.path(sha256)
        if target.is_file():
            return False
        _mkdirs(target.parent)
        try:
            os.link(source, target)  # atomic: the name appears with every byte already there
        except FileExistsError:
            return False
        except OSError:
            # No hard links here (another file system): a full copy, temp -> fsync -> rename.
            with AtomicFile(target) as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
            return True
        fsync_dir(target.parent)
        return True

    def put_stream(self, chunks: Iterator[bytes]) -> tuple[str, int]:
        """Store a stream (tender documents): temp -> fsync -> rename. Returns (sha256, size)."""
        h = hashlib.sha256()
        size = 0
        tmp = self.root / f".incoming-{os.urandom(8).hex()}"
        try:
            with open(tmp, "wb") as f:
                for chunk in chunks:
                    h.update(chunk)
                    size += len(chunk)
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            sha = h.hexdigest()
            target = self.path(sha)
            _mkdirs(target.parent)
            os.replace(tmp, target)
            fsync_dir(target.parent)
        finally:
            remove_quietly(tmp)
        return sha, size

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")

    def remove(self, sha256: str) -> None:
        remove_quietly(self.path(sha256))
        fsync_dir(self.path(sha256).parent)

    def digests(self) -> Iterator[str]:
        """Every stored digest (and leftover temp files are removed)."""
        if not self.root.is_dir():
            return
        for entry in self.root.iterdir():
            if entry.name.startswith(".incoming-"):
                remove_quietly(entry)
        for p in self.root.glob("??/??/*"):
            if p.is_file() and len(p.name) == 64:
                yield p.name


class UploadFiles:
    """Partial uploads, one ``<id>.part`` file each, appended chunk by chunk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        _mkdirs(root)

    def path(self, upload_id: str) -> Path:
        if not is_upload_id(upload_id):
            raise ValueError("bad upload id")  # ids are ours; a programming error
        return self.root / f"{upload_id}.part"

    def create(self, upload_id: str) -> None:
        fd = os.open(self.path(upload_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o600)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_dir(self.root)

    def append(self, upload_id: str, offset: int, data: bytes | bytearray) -> None:
        """Write ``data`` at ``offset`` and make it durable. Anything past ``offset`` (bytes of a
        chunk whose offset was never recorded, after a crash) is dropped first."""
        path = self.path(upload_id)
        fd = os.open(path, os.O_WRONLY | _BINARY)
        try:
            os.ftruncate(fd, offset)
            os.lseek(fd, offset, os.SEEK_SET)
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)

    def truncate(self, upload_id: str, length: int) -> None:
        fd = os.open(self.path(upload_id), os.O_WRONLY | _BINARY)
        try:
            if os.fstat(fd).st_size != length:
                os.ftruncate(fd, length)
                os.fsync(fd)
        finally:
            os.close(fd)

    def size(self, upload_id: str) -> int | None:
        try:
            return self.path(upload_id).stat().st_size
        except FileNotFoundError:
            return None

    def remove(self, upload_id: str) -> None:
        remove_quietly(self.path(upload_id))

    def ids(self) -> Iterator[str]:
        for p in self.root.glob("*.part"):
            yield p.name[: -len(".part")]
