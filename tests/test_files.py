from __future__ import annotations

from pathlib import Path

import pytest

from crypto._files import AtomicFile, atomic_write, win_extended_path


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "回执.json"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["回执.json"]


def test_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "bid.sealbid"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), AtomicFile(target) as f:
        f.write(b"half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["bid.sealbid"]


def test_private_files_are_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "key.p12"
    atomic_write(target, b"k", private=True)
    assert target.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("C:\\short\\a.pdf", "C:\\short\\a.pdf"),
        ("C:\\" + "长" * 250 + "\\a.pdf", "\\\\?\\C:\\" + "长" * 250 + "\\a.pdf"),
        ("\\\\srv\\share\\" + "x" * 250, "\\\\?\\UNC\\srv\\share\\" + "x" * 250),
        ("\\\\?\\C:\\" + "x" * 300, "\\\\?\\C:\\" + "x" * 300),
    ],
)
def test_windows_long_paths_use_the_extended_form(given: str, expected: str) -> None:
    assert win_extended_path(given) == expected


def test_a_failing_flush_removes_the_temp_file(tmp_path: Path) -> None:
    # RLIMIT_FSIZE makes the kernel refuse writes past 1 MiB, as a full disk would.
    import resource
    import signal

    target = tmp_path / "big.bin"
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, old_limit[1]))
    try:
        with pytest.raises(OSError), AtomicFile(target) as f:
            f.write(b"x" * (2 << 20))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)
    assert list(tmp_path.iterdir()) == []
