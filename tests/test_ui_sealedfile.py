"""A sealed-bid file opened from outside the app (the ``.sealbid`` association, ``sealbid
投标.sealbid``): the app shows what it is, read without a key, and says so when it is not."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from uikit import UiWorld

import sealbid.cli
from crypto import load_identity, seal
from ui.sealedfile import SealedFileDialog


def _sealed(ui: UiWorld, name: str = "投标文件 第1标段.sealbid") -> Path:
    p12, password = ui.identity_files("bidder", 0)
    doc = ui.tmp / "商务标.pdf"
    doc.write_bytes(b"%PDF-1.4\n% sealed file dialog test\n")
    out = ui.tmp / name
    seal([doc], out, identity=load_identity(p12, password=password), section="FILE-7")
    return out


def _open(ui: UiWorld, qtbot: Any, path: Path) -> SealedFileDialog:
    dialogs = ui.window.open_sealed_files([path])
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert isinstance(dialog, SealedFileDialog)
    qtbot.waitUntil(lambda: dialog.info is not None or bool(dialog.error), timeout=20_000)
    return dialog


def test_sealed_file_shows_what_the_file_is_without_changing_it(ui: UiWorld, qtbot: Any) -> None:
    path = _sealed(ui)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    dialog = _open(ui, qtbot, path)
    assert dialog.error == ""
    assert dialog.info is not None and dialog.info.section == "FILE-7"
    assert dialog.fields["section"].text() == "FILE-7"
    assert "合肥建工集团有限公司" in dialog.fields["bidder"].text()
    assert "合肥建工集团有限公司" in dialog.fields["signer"].text()
    assert dialog.info.payload_sha256 in dialog.fields["payload"].text()
    assert path.name in dialog.windowTitle()
    # zh_CN by default: the status line and the labels are Chinese.
    assert "签名" in dialog.status.text(), dialog.status.text()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert ui.errors() == []


def test_sealed_file_damaged_is_said_in_the_dialog(ui: UiWorld, qtbot: Any) -> None:
    path = _sealed(ui, "损坏.sealbid")
    data = bytearray(path.read_bytes())
    data[40:60] = bytes(20)  # inside the signed header
    path.write_bytes(bytes(data))
    dialog = _open(ui, qtbot, path)
    assert dialog.info is None
    assert dialog.error and dialog.error in dialog.status.text()
    assert all(label.text() == "" for label in dialog.fields.values())


def test_sealed_file_missing_names_the_file(ui: UiWorld, qtbot: Any) -> None:
    dialog = _open(ui, qtbot, ui.tmp / "不存在.sealbid")
    assert dialog.info is None
    assert "不存在.sealbid" in dialog.error
    assert dialog.error in dialog.status.text()


def test_sealed_file_cli_opens_the_app_for_a_bare_sealed_file(
    ui: UiWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sealbid 投标.sealbid`` (what the association runs) starts the app with the file;
    anything else is still the command line, which refuses what it does not know."""
    import ui.app as app_module

    calls: list[list[str]] = []
    monkeypatch.setattr(app_module, "run_app", lambda open_files=(): calls.append(list(open_files)))
    path = _sealed(ui)
    sealbid.cli.main([str(path)])
    assert calls == [[str(path)]]
    # A sealed file that is not there: said in both languages, the app not started.
    assert sealbid.cli.main([str(ui.tmp / "没有.sealbid")]) == 2
    err = capsys.readouterr().err
    assert "找不到文件" in err and "file not found" in err and "没有.sealbid" in err
    # Anything else is still the command line, which refuses what it does not know.
    other = ui.tmp / "note.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit):
        sealbid.cli.main([str(other)])
    assert calls == [[str(path)]]
