"""Starting the app: `sealbid` with no arguments opens it on the embedded sandbox platform."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ui.context import AppContext
from ui.firststart import FirstStartDialog

REPO = Path(__file__).resolve().parent.parent


def test_sealbid_without_arguments_opens_the_app_on_the_sandbox(tmp_path: Path) -> None:
    data = tmp_path / "数据"
    data.mkdir()
    (data / "settings.ini").write_text("[platform]\nmode=sandbox\n", "utf-8")
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        SEALBID_DATA_DIR=str(data),
        SEALBID_SMOKE_TEST="1",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "sealbid"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SealBid ready: http://127.0.0.1:" in proc.stdout
    # The sandbox was seeded in the user's data folder, with its demo identities.
    assert (data / "sandbox-platform" / "sandbox.json").is_file()


def test_first_start_offers_the_sandbox_or_a_url(qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(settings=settings, data_dir=tmp_path)
    dialog = FirstStartDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.sandbox.isChecked()
    dialog.remote.setChecked(True)
    dialog.url.setText("http://platform.example.cn")  # plain http to a remote host: refused
    dialog._accept()
    assert dialog.error.text()
    assert ctx.platform_mode == ""
    dialog.url.setText("https://ggzy.example.cn/")
    dialog._accept()
    assert ctx.platform_mode == "url"
    assert ctx.setting("platform/url") == "https://ggzy.example.cn"
    dialog2 = FirstStartDialog(ctx)
    qtbot.addWidget(dialog2)
    dialog2._accept()
    assert ctx.platform_mode == "sandbox"
