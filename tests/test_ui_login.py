"""The login dialog on the real embedded platform: sandbox identities, .p12 files, SoftHSM2 tokens.

Each test drives the widgets (tabs, text fields, buttons) and waits on the dialog's signals; the
platform, the certificates and the token are real. What can go wrong is shown inline, and the
identity is only set after the platform accepted the login.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from uikit import UiWorld

import crypto.identity
import crypto.token
from client.errors import AuthError, ConnectionFailedError
from crypto.ca import KeyType, Role, SandboxCA
from crypto.errors import CertificateExpiredError, TokenPinError, WrongPasswordError
from ui.errors import describe_error
from ui.login import LoginDialog


def _dialog(ui: UiWorld) -> LoginDialog:
    dialog = LoginDialog(ui.ctx, ui.window)
    dialog.show()
    return dialog


def _click(qtbot: Any, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _sandbox_ca(ui: UiWorld) -> SandboxCA:
    return SandboxCA.load(ui.sandbox.data_dir / "sandbox" / "ca")


def _p12(tmp: Path, name: str, issued: Any, password: bytes) -> Path:
    path = tmp / name
    issued.write_p12(path, password=password)
    return path


def _log_in_with_file(qtbot: Any, dialog: LoginDialog, path: Path, password: str) -> None:
    dialog.select_tab("file")
    dialog.set_file(str(path))
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    _click(qtbot, dialog.login_button)


def test_log_in_with_a_sandbox_demo_identity(ui: UiWorld, qtbot: Any) -> None:
    dialog = _dialog(ui)
    person = ui.sandbox.identities("bidder")[0]
    qtbot.waitUntil(lambda: dialog.sandbox_model.rowCount() == len(ui.sandbox.identities()))
    assert dialog.current_tab() == "sandbox"
    # The first bidder is chosen for a newcomer, and its certificate is shown before login.
    assert dialog.selected_person() == person
    qtbot.waitUntil(lambda: person.org_code in dialog.details.plain_text())
    with qtbot.waitSignal(dialog.loggedIn, timeout=30_000):
        _click(qtbot, dialog.login_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert ui.ctx.identity is not None
    assert person.name in ui.ctx.identity.signing_cert.subject.rfc4514_string()
    assert ui.ctx.identity_source == str(person.p12)
    assert person.name in ui.window.user_label.text()
    ui.wait_tasks()


def test_p12_file_wrong_password_then_right(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    p12, password = ui.identity_files("bidder", 1)
    mine = tmp_path / "证书" / "安徽路桥-签名加密证书.p12"
    mine.parent.mkdir()
    shutil.copy(p12, mine)
    dialog = _dialog(ui)

    with qtbot.waitSignal(dialog.failed, timeout=30_000) as failed:
        _log_in_with_file(qtbot, dialog, mine, "not-the-password")
    assert failed.args == [describe_error(WrongPasswordError())]
    assert dialog.error_text() == describe_error(WrongPasswordError())
    assert ui.ctx.identity is None
    assert dialog.password.text() == ""  # cleared …
    assert dialog.file_path.currentText() == str(mine)  # … but the file is kept
    assert dialog.isVisible()

    qtbot.keyClicks(dialog.password, password.decode())
    with qtbot.waitSignal(dialog.loggedIn, timeout=30_000):
        _click(qtbot, dialog.login_button)
    assert ui.ctx.identity is not None
    assert ui.ctx.known_identity_files()[0] == str(mine)
    ui.ctx.settings.sync()
    stored = (ui.tmp / "settings.ini").read_bytes()
    assert password not in stored and b"not-the-password" not in stored

    # Next time the file is offered first and its certificates are shown before the password.
    again = _dialog(ui)
    again.select_tab("file")
    assert again.file_path.currentText() == str(mine)
    org = ui.sandbox.identities("bidder")[1].org_code
    qtbot.waitUntil(lambda: org in again.details.plain_text())
    again.reject()
    ui.wait_tasks()


def test_certificate_the_platform_does_not_trust(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    stranger = SandboxCA.create(name="Unknown CA 未知CA")
    person = ui.sandbox.identities("bidder")[0]
    issued = stranger.issue(
        role=Role.BIDDER, name=person.name, org_code=person.org_code, key_type=KeyType.P256
    )
    path = _p12(tmp_path, "外部CA证书.p12", issued, b"pw-1234")
    dialog = _dialog(ui)
    with qtbot.waitSignal(dialog.failed, timeout=30_000) as failed:
        _log_in_with_file(qtbot, dialog, path, "pw-1234")
    message = failed.args[0]
    assert message.startswith(describe_error(AuthError()))
    assert ui.ctx.identity is None
    # The details name the certificate that was refused, and who issued it.
    assert "Unknown CA 未知CA" in dialog.details.plain_text()
    assert dialog.file_path.currentText() == str(path)
    ui.wait_tasks()


def test_expired_certificate_by_the_platform_clock(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    person = ui.sandbox.identities("bidder")[2]
    now = datetime.now(UTC)
    issued = _sandbox_ca(ui).issue(
        role=Role.BIDDER,
        name=person.name,
        org_code=person.org_code,
        key_type=KeyType.P256,
        not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=1),
    )
    path = _p12(tmp_path, "即将过期.p12", issued, b"pw-1234")
    # The PC's clock says the certificate is valid; the platform's (which decides) says not.
    ui.clock.offset = timedelta(days=3)
    dialog = _dialog(ui)
    with qtbot.waitSignal(dialog.failed, timeout=30_000) as failed:
        _log_in_with_file(qtbot, dialog, path, "pw-1234")
    expected = describe_error(CertificateExpiredError(subject="x", when="y"))
    assert failed.args[0].split("“")[0] == expected.split("“")[0]
    assert "过期" in failed.args[0]
    assert ui.ctx.identity is None
    ui.wait_tasks()


def test_platform_unreachable(ui: UiWorld, qtbot: Any) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    ui.ctx.set_setting("platform/mode", "url")
    ui.ctx.set_setting("platform/url", f"http://127.0.0.1:{port}")
    p12, password = ui.identity_files("bidder", 0)
    dialog = _dialog(ui)
    with qtbot.waitSignal(dialog.failed, timeout=30_000) as failed:
        _log_in_with_file(qtbot, dialog, p12, password.decode())
    assert failed.args[0].startswith(
        describe_error(ConnectionFailedError(url=f"http://127.0.0.1:{port}"))[:8]
    )
    assert str(port) in failed.args[0]
    assert ui.ctx.identity is None
    ui.wait_tasks()


def test_login_work_runs_off_the_gui_thread(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    real = crypto.identity.load_identity

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(crypto.identity, "load_identity", spy)
    p12, password = ui.identity_files("bidder", 0)
    dialog = _dialog(ui)
    with qtbot.waitSignal(dialog.loggedIn, timeout=30_000):
        _log_in_with_file(qtbot, dialog, p12, password.decode())
    assert threads and all(t is not threading.main_thread() for t in threads)
    ui.wait_tasks()


def test_token_login_with_wrong_then_right_pin(
    ui: UiWorld, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from softhsm import sandbox_bidder_token

    sandbox = json.loads((ui.sandbox.data_dir / "sandbox.json").read_text("utf-8"))
    token = sandbox_bidder_token(tmp_path, monkeypatch, sandbox, label="投标UKey", pin="246810")
    opened_on: list[threading.Thread] = []
    real_open = crypto.token.TokenIdentity.open

    def spy_open(**kwargs: Any) -> Any:
        opened_on.append(threading.current_thread())
        return real_open(**kwargs)

    monkeypatch.setattr(crypto.token.TokenIdentity, "open", staticmethod(spy_open))

    dialog = _dialog(ui)
    dialog.select_tab("token")
    dialog.module_path.setEditText(token.module)
    with qtbot.waitSignal(dialog.tokensDetected, timeout=30_000) as found:
        _click(qtbot, dialog.detect_button)
    assert found.args == [1]
    top = dialog.token_model.item(0, 0)
    assert top.text() == "投标UKey"
    assert top.rowCount() == 2  # the signing and the encryption certificate, read without a PIN
    bidder = ui.sandbox.identities("bidder")[0]
    assert bidder.org_code in dialog.details.plain_text()

    qtbot.keyClicks(dialog.pin, "000000")
    with qtbot.waitSignal(dialog.failed, timeout=30_000) as failed:
        _click(qtbot, dialog.login_button)
    assert failed.args[0].startswith(describe_error(TokenPinError()))
    assert dialog.pin.text() == ""
    assert ui.ctx.identity is None
    ui.wait_tasks()  # the re-detection after a wrong PIN

    qtbot.keyClicks(dialog.pin, token.pin)
    with qtbot.waitSignal(dialog.loggedIn, timeout=30_000):
        _click(qtbot, dialog.login_button)
    assert isinstance(ui.ctx.identity, crypto.token.TokenIdentity)
    assert ui.ctx.identity_source.startswith("pkcs11:")
    assert ui.ctx.setting("token/module") == token.module
    assert opened_on and all(t is not threading.main_thread() for t in opened_on)
    assert b"246810" not in (ui.tmp / "settings.ini").read_bytes()
    ui.wait_tasks()

    # A token whose PIN is locked (SoftHSM2 never locks: the flag is injected into what the
    # module reported) is explained before any PIN is sent to it.
    import dataclasses

    from ui import login as login_module

    real_list = login_module.list_tokens
    monkeypatch.setattr(
        login_module,
        "list_tokens",
        lambda module: [dataclasses.replace(t, locked=True) for t in real_list(module)],
    )
    calls = len(opened_on)
    locked = _dialog(ui)
    locked.select_tab("token")
    locked.module_path.setEditText(token.module)
    with qtbot.waitSignal(locked.tokensDetected, timeout=30_000):
        _click(qtbot, locked.detect_button)
    assert (
        "locked" in locked.token_model.item(0, 2).text().lower()
        or "锁" in locked.token_model.item(0, 2).text()
    )
    qtbot.keyClicks(locked.pin, token.pin)
    _click(qtbot, locked.login_button)
    assert "CA" in locked.error_text()
    assert len(opened_on) == calls  # nothing was sent to the token
    locked.reject()
    ui.wait_tasks()
