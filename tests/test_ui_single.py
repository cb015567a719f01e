"""One app per person and data folder (ui/_single.py): a second start hands its sealed files
to the running app, which shows them, and stops; a socket left by a crashed app is taken over."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtNetwork import QLocalServer
from uikit import UiWorld

from ui._single import SingleInstance
from ui.sealedfile import SealedFileDialog


def test_single_second_start_hands_its_file_to_the_running_app(
    ui: UiWorld, qtbot: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "数据"
    running = SingleInstance(folder)
    assert running.acquire()
    assert running.listen()
    running.filesReceived.connect(ui.window.receive_files)
    try:
        missing = tmp_path / "投标 文件.sealbid"
        # The second start is another process, as a double click is: no lock, so it hands over.
        code = (
            "import sys; from pathlib import Path; from PySide6.QtCore import QCoreApplication;"
            "app = QCoreApplication([]); from ui._single import SingleInstance;"
            f"s = SingleInstance(Path({str(folder)!r}));"
            "assert not s.acquire();"
            f"sys.exit(0 if s.forward([{str(missing)!r}], wait_s=5) else 3)"
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


def test_single_live_app_keeps_its_folder_a_dead_one_does_not(
    ui: UiWorld, qtbot: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "other"
    assert SingleInstance(folder).forward(["x.sealbid"], wait_s=0.3) is False  # nobody there
    assert SingleInstance.key_for(folder) == SingleInstance.key_for(tmp_path / "other")
    assert SingleInstance.key_for(tmp_path / "third") != SingleInstance.key_for(folder)
    # A live app holds the folder: a second one in this process cannot take it.
    first = SingleInstance(folder)
    assert first.acquire()
    assert not SingleInstance(folder).acquire()
    first.close()
    # An app that died holding the lock (killed, no clean-up) leaves a stale lock: taken over.
    code = (
        "import os, signal, sys; from pathlib import Path; from PySide6.QtCore import"
        " QCoreApplication; app = QCoreApplication([]); from ui._single import SingleInstance;"
        f"s = SingleInstance(Path({str(folder)!r})); assert s.acquire(); assert s.listen();"
        "print('held', flush=True); os.kill(os.getpid(), signal.SIGKILL)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "held" in out.stdout
    assert (folder / "app.lock").exists()
    after = SingleInstance(folder)
    assert after.acquire()
    assert after.listen()  # the dead app's socket file is removed
    after.close()
    QLocalServer.removeServer(after.key)


def test_single_ignores_what_is_not_ours(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtNetwork import QLocalSocket

    running = SingleInstance(tmp_path / "junk")
    key = running.key
    assert running.acquire() and running.listen()
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
    import threading as _threading

    from ui.app import _log_to_file

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(_threading, "excepthook", _threading.excepthook)
    root = logging.getLogger()
    before = list(root.handlers)
    log = tmp_path / "日志" / "sealbid.log"
    try:
        _log_to_file(log, ui.window)
        try:
            raise RuntimeError(" ".join(["boom", "in", "a", "slot"]))
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        for h in root.handlers:
            h.flush()
        text = log.read_text(encoding="utf-8")
        # The type and the frames, never the message (it might hold what it was given).
        assert "uncaught RuntimeError" in text and "test_ui_single.py" in text
        assert "boom in a slot" not in text
        qtbot.waitUntil(lambda: bool(ui.errors()), timeout=5_000)
        assert ui.errors()[-1][0] == "RuntimeError"
        # An error on another thread: logged and shown on the GUI thread too.
        import threading

        def fail() -> None:
            raise ValueError("secret " + str(123000 + 456))

        t = threading.Thread(target=fail)
        t.start()
        t.join()
        qtbot.waitUntil(lambda: ui.errors()[-1][0] == "ValueError", timeout=5_000)
        for h in root.handlers:
            h.flush()
        text = log.read_text(encoding="utf-8")
        assert "uncaught ValueError" in text and "123456" not in text
    finally:
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)
                h.close()
