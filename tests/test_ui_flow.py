"""The bidder's whole flow in the app, as a user clicks through it, on the embedded platform:
log in, pick a section, prepare the bid, seal, submit, see and verify the receipt, withdraw.
And the rule that sealing, uploading and every token call run off the GUI thread."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from softhsm import sandbox_bidder_token
from uikit import UiWorld

from crypto import open_bid


class ThreadSpy:
    """Wraps functions so each call records whether it ran on the GUI (main) thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, bool]] = []
        self._monkeypatch = monkeypatch

    def watch(self, owner: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)
        label = f"{getattr(owner, '__name__', owner)}.{name}"

        def spy(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((label, threading.current_thread() is threading.main_thread()))
            return original(*args, **kwargs)

        self._monkeypatch.setattr(owner, name, spy)

    def names(self) -> set[str]:
        return {name for name, _ in self.calls}

    def on_gui_thread(self) -> list[str]:
        return [name for name, on_main in self.calls if on_main]


def _watch_core(spy: ThreadSpy) -> None:
    import crypto.envelope
    import crypto.identity
    import ui._login_jobs
    from client.platform import PlatformClient
    from crypto.token import TokenIdentity

    spy.watch(crypto.envelope, "seal_at")
    spy.watch(PlatformClient, "submit")
    spy.watch(PlatformClient, "login")
    spy.watch(PlatformClient, "withdraw")
    spy.watch(crypto.identity, "load_identity")
    if hasattr(ui._login_jobs, "load_identity"):
        spy.watch(ui._login_jobs, "load_identity")
    for name in ("open", "sign_raw", "rsa_decrypt", "ecdh"):
        spy.watch(TokenIdentity, name)


def _documents(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "投标文件"
    folder.mkdir()
    docs = []
    for name, size in (("商务标.pdf", 300_000), ("技术标（第一册）.pdf", 1_200_000)):
        path = folder / name
        path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * (size // 256))
        docs.append(path)
    return docs


def _fill_form(page: Any, section: Any) -> dict[str, str]:
    values = {}
    for field in section.form.fields:
        value = {
            "money": "12345678.90",
            "integer": "365",
            "date": "2027-06-30",
            "choice": field.choices[0] if field.choices else "",
        }.get(str(field.type), "张三")
        page.form_widget.set_field(field.key, value)
        values[field.key] = value
    return values


def _seal_and_submit(ui: UiWorld, qtbot: Any, tmp_path: Path) -> tuple[str, Path, Any]:
    """Sections → prepare → seal → submit, through the pages; returns (section, file, receipt)."""
    window = ui.window
    sections = window.page("sections")
    with qtbot.waitSignal(sections.loaded, timeout=60_000):
        window.navigate("sections")
        sections.refresh()
    open_rows = [r for r in sections.model.rows() if r.section.open_for_bids]
    section = open_rows[0].section
    assert sections.select_section(section.id)
    prepare = window.page("prepare")
    with qtbot.waitSignal(prepare.sectionLoaded, timeout=60_000):
        qtbot.mouseClick(sections.details.prepare_button, _left())
    assert window.stack.currentWidget() is prepare

    docs = _documents(tmp_path)
    prepare.add_paths(docs)
    _fill_form(prepare, section)
    qtbot.waitUntil(lambda: prepare.seal_button.isEnabled(), timeout=10_000)
    with qtbot.waitSignal(prepare.sealed, timeout=120_000) as sealed:
        qtbot.mouseClick(prepare.seal_button, _left())
    result = sealed.args[0]
    assert result.path.is_file()

    submissions = window.page("submissions")
    with qtbot.waitSignal(submissions.submitted, timeout=120_000) as submitted:
        prepare.submit_now()
    assert window.stack.currentWidget() is submissions
    return section.id, result.path, submitted.args[0]


def _left() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_bidder_flow_log_in_prepare_seal_submit_verify_withdraw(
    ui: UiWorld, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.login import LoginDialog

    spy = ThreadSpy(monkeypatch)
    _watch_core(spy)

    # Log in as a newcomer would: the sandbox's demo bidder, one click.
    dialog = LoginDialog(ui.ctx, ui.window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_tab("sandbox")
    qtbot.waitUntil(lambda: dialog.selected_person() is not None)
    with qtbot.waitSignal(dialog.loggedIn, timeout=60_000):
        dialog.start_login()
    assert ui.ctx.identity is not None

    section_id, sealed_path, receipt = _seal_and_submit(ui, qtbot, tmp_path)
    assert receipt.receipt.section_id == section_id

    # The receipt is listed and verifies against the pinned platform certificate.
    receipts = ui.window.page("receipts")
    with qtbot.waitSignal(receipts.loaded, timeout=60_000):
        ui.window.navigate("receipts")
        receipts.refresh()
    assert receipts.model.rowCount() >= 1
    assert receipts.select_path(Path(receipt.path))
    with qtbot.waitSignal(receipts.verified, timeout=60_000) as verified:
        receipts.verify_selected()
    assert verified.args[0].ok

    # Withdraw before the deadline: a withdrawal receipt comes back and is listed too.
    submissions = ui.window.page("submissions")
    ui.window.navigate("submissions")
    with qtbot.waitSignal(submissions.withdrawn, timeout=60_000) as withdrawn:
        assert submissions.withdraw_section(section_id, confirm=False)
    assert withdrawn.args[0].receipt.kind == "withdraw"
    with qtbot.waitSignal(receipts.loaded, timeout=60_000):
        ui.window.navigate("receipts")
        receipts.refresh()
    entries = [receipts.model.row(r) for r in range(receipts.model.rowCount())]
    assert {e.receipt.kind for e in entries if e.receipt} == {"submit", "withdraw"}

    # Everything slow ran in workers.
    assert {
        "crypto.envelope.seal_at",
        "PlatformClient.submit",
        "PlatformClient.login",
        "PlatformClient.withdraw",
    } <= spy.names()
    assert spy.on_gui_thread() == []
    assert ui.errors() == []

    # The sealed file opens with the bidder's key and holds what the form said.
    person = ui.sandbox.identities("bidder")[0]
    from crypto.identity import load_identity

    out = tmp_path / "opened"
    with load_identity(person.p12, password=person.password()) as identity:
        opened = open_bid(sealed_path, identity, out)
    # In the order the user left them in the list, with the form's values.
    assert [name for name, _ in opened.documents] == ["商务标.pdf", "技术标（第一册）.pdf"]
    assert "12345678.90" in json.dumps(opened.summary, ensure_ascii=False)


def test_sealing_upload_and_token_calls_run_off_the_gui_thread(
    ui: UiWorld, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the bidder's keys on a USB token (SoftHSM2): every token call — opening it,
    signing the login and the bid, unwrapping the key for the self-check — happens in a
    worker, as do sealing and the upload."""
    from crypto.token import TokenIdentity

    sandbox = json.loads((ui.sandbox.data_dir / "sandbox.json").read_text("utf-8"))
    token = sandbox_bidder_token(tmp_path, monkeypatch, sandbox, label="投标UKey", pin="246810")
    spy = ThreadSpy(monkeypatch)
    _watch_core(spy)

    from ui.login import LoginDialog

    ui.ctx.set_setting("token/module", token.module)
    dialog = LoginDialog(ui.ctx, ui.window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_tab("token")
    with qtbot.waitSignal(dialog.tokensDetected, timeout=60_000):
        dialog.detect_tokens()
    dialog.pin.setText(token.pin)
    with qtbot.waitSignal(dialog.loggedIn, timeout=60_000):
        dialog.start_login()
    assert isinstance(ui.ctx.identity, TokenIdentity)

    _seal_and_submit(ui, qtbot, tmp_path)
    names = spy.names()
    assert any("seal_at" in n for n in names)
    assert any("submit" in n for n in names)
    assert any("sign_raw" in n for n in names)
    assert any("rsa_decrypt" in n for n in names)  # the self-check unwraps with the token
    assert spy.on_gui_thread() == []
