"""One app per person and data folder (ui/_single.py): a second start hands its sealed files
to the running app, which shows them, and stops; a socket left by a crashed app is taken over."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtNetwork import QLocalServer

from tests.uikit import UiWorld
from ui._single import SingleInstance
from ui.sealedfile import SealedFileDialog


def test_single_second_start_hands_its_file_to_the_running_app(
    ui: UiWorld, qtbot: Any, tmp_path: Path
) -> None:
    key = SingleInstance.key_for(tmp_path / "数据")
    running = SingleInstance(key)
    assert running.listen()
    running.filesReceived.connect(ui.window.receive_files)
    try:
        missing = tmp_path / "投标 文件.sealbid"
        # The second start is another process, as a double click is.
        code = (
            "import sys; from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]);"
            "from ui._single import SingleInstance;"
            f"sys.exit(0 if SingleInstance({key!r}).forward([{str(missing)!r}]) else 3)"
        )
        proc = subprocess.Popen([sys.executable, "-c", code])
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
        assert proc.returncode == 0
        qtbot.waitUntil(
            lambda: any(
                isinstance(w, SealedFileDialog) and w.path == missing.resolve()
                for w in ui.window.findChildren(SealedFileDialog)
            ),
            timeout=10_000,
        )
    finally:
        running.close()


def test_single_no_running_app_and_a_stale_socket(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    key = SingleInstance.key_for(tmp_path / "other")
    assert SingleInstance(key).forward(["x.sealbid"], timeout_ms=300) is False
    # Another person's or folder's key is another name.
    assert SingleInstance.key_for(tmp_path / "other") == key
    assert SingleInstance.key_for(tmp_path / "third") != key
    # A server that vanished without cleaning up (a crash): the next app takes the name.
    first = SingleInstance(key)
    assert first.listen()
    second = SingleInstance(key)
    assert second.listen()  # removeServer + listen again
    first.close()
    second.close()
    QLocalServer.removeServer(key)


def test_single_ignores_what_is_not_ours(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtNetwork import QLocalSocket

    key = SingleInstance.key_for(tmp_path / "junk")
    running = SingleInstance(key)
    assert running.listen()
    got: list[list[str]] = []
    running.filesReceived.connect(got.append)
    try:
        sock = QLocalSocket()
        sock.connectToServer(key)
        assert sock.waitForConnected(2000)
        sock.write(b"not json\n")
        sock.flush()
        qtbot.waitUntil(lambda: sock.state() == QLocalSocket.LocalSocketState.UnconnectedState)
        assert got == []
    finally:
        running.close()


def test_single_app_log_file_keeps_an_uncaught_error_and_shows_it(
    ui: UiWorld, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The windowed program has no console: an error nobody caught goes to the log file and
    to the user (ui.app._log_to_file, which run_app installs)."""
    import logging

    from ui.app import _log_to_file

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    root = logging.getLogger()
    before = list(root.handlers)
    log = tmp_path / "日志" / "sealbid.log"
    try:
        _log_to_file(log, ui.window)
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        for h in root.handlers:
            h.flush()
        text = log.read_text(encoding="utf-8")
        assert "boom in a slot" in text and "Traceback" in text
        assert ui.errors() and ui.errors()[-1][0] == "RuntimeError"
    finally:
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)
                h.close()
