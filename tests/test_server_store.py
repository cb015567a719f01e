"""The bid store and the partial uploads on disk."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from server.store import BlobStore, UploadFiles, striped_lock


def test_upload_and_blob_locks_are_never_the_same_lock() -> None:
    """Regression: finish holds an upload's lock and then takes its digest's lock. With one
    shared set of striped locks, an upload id and a digest on the same stripe deadlocked the
    finish against itself (a hang in about one finish in 256)."""
    keys = [os.urandom(16).hex() for _ in range(2000)]
    uploads = {id(striped_lock("upload", k)) for k in keys}
    blobs = {id(striped_lock("blob", k)) for k in keys}
    assert not uploads & blobs
    assert striped_lock("upload", keys[0]) is striped_lock("upload", keys[0])


def test_append_drops_bytes_past_the_recorded_offset(tmp_path: Path) -> None:
    parts = UploadFiles(tmp_path / "uploads")
    uid = "ab" * 16
    parts.create(uid)
    parts.append(uid, 0, b"hello ")
    # A crash after writing but before recording: the next chunk comes for offset 6 again.
    parts.append(uid, 6, b"unrecorded")
    parts.append(uid, 6, b"world")
    assert parts.path(uid).read_bytes() == b"hello world"
    parts.truncate(uid, 5)
    assert parts.size(uid) == 5
    assert list(parts.ids()) == [uid]


def test_put_file_links_and_is_idempotent(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    src = tmp_path / "x.part"
    src.write_bytes(b"sealed bid")
    sha = hashlib.sha256(b"sealed bid").hexdigest()
    assert blobs.put_file(src, sha) is True
    assert blobs.put_file(src, sha) is False
    assert blobs.path(sha).read_bytes() == b"sealed bid"
    assert blobs.path(sha).parent.parent.name == sha[:2]
    assert list(blobs.digests()) == [sha]
    blobs.remove(sha)
    assert not blobs.exists(sha)


def test_put_stream_leaves_no_temp_file(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "docs")
    sha, size = blobs.put_stream(iter(["招标".encode(), "文件".encode()]))
    assert size == len("招标文件".encode())
    assert sha == hashlib.sha256("招标文件".encode()).hexdigest()
    assert [p.name for p in (tmp_path / "docs").iterdir()] == [sha[:2]]
