"""The "My submissions" page: upload with progress, pause and resume, a dropped line, a restart,
replace, withdraw, the deadline, and the decryption rehearsal — on the real embedded platform."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clienthelpers import seal_for
from faultproxy import FaultProxy
from uikit import UiWorld

from client import PlatformClient
from client.receipts import ReceiptStore, VerifiedReceipt
from client.uploads import UploadState, UploadStateStore
from crypto.ca import KeyType, Role, SandboxCA
from ui._upload import UploadPanel, bidder_fingerprint, platform_key
from ui.submissions import STATUS_ROLE, SubmissionsPage
from ui.widgets import fmt_size

MiB = 1 << 20


# --- helpers ---------------------------------------------------------------------------------


def _sections(ui: UiWorld) -> list[dict[str, Any]]:
    data = json.loads((ui.sandbox.data_dir / "sandbox.json").read_text("utf-8"))
    return list(data["sections"])


def later_section(ui: UiWorld) -> str:
    """A works section whose deadline is days ahead."""
    return next(
        s["id"] for s in _sections(ui) if s["id"].startswith("HFJS") and s["id"].endswith("-01")
    )


def goods_section(ui: UiWorld) -> str:
    return next(s["id"] for s in _sections(ui) if s["id"].startswith("AHZC"))


def quick_section(ui: UiWorld) -> tuple[str, datetime]:
    """The section whose deadline is a few minutes after the sandbox started."""
    s = next(s for s in _sections(ui) if s["id"].endswith("-02"))
    return s["id"], datetime.strptime(s["deadline"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def seal(ui: UiWorld, section_id: str, *, size: int = 64 << 10, name: str = "投标.sealbid") -> Path:
    """A sealed bid of the signed-in bidder for ``section_id`` (as ``sealbid seal --platform``)."""
    assert ui.ctx.identity is not None
    with PlatformClient(
        base_url=ui.sandbox.url, identity=ui.ctx.identity, state_dir=ui.tmp / "sealer"
    ) as c:
        return seal_for(
            c, ui.ctx.identity, section_id, ui.tmp / "bids" / section_id, size=size, name=name
        )


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(MiB):
            h.update(block)
    return h.hexdigest()


def page_of(ui: UiWorld) -> SubmissionsPage:
    page = ui.window.page("submissions")
    assert isinstance(page, SubmissionsPage)
    return page


def stored_receipts(ui: UiWorld, section_id: str) -> list[Any]:
    store = ReceiptStore(ui.ctx.state_dir / "receipts")
    out = []
    for p in store.list():
        r = json.loads(store.load(p).receipt)
        if r["section_id"] == section_id:
            out.append(r)
    return out


def upload_states(ui: UiWorld) -> list[Path]:
    root = ui.ctx.state_dir / "uploads"
    return sorted(root.glob("*.json")) if root.is_dir() else []


def submit(ui: UiWorld, page: SubmissionsPage, section_id: str, path: Path) -> VerifiedReceipt:
    with ui.qtbot.waitSignal(page.submitted, timeout=60_000) as blocker:
        assert page.submit_file(section_id, path)
    receipt = blocker.args[0]
    assert isinstance(receipt, VerifiedReceipt)
    return receipt


def wait_row(ui: UiWorld, page: SubmissionsPage, section_id: str, status: str) -> None:
    def shown() -> bool:
        i = page.model.row_of(section_id)
        return i >= 0 and not page.loading and page.model.index(i, 0).data(STATUS_ROLE) == status

    if not shown():
        page.refresh()
    ui.qtbot.waitUntil(shown, timeout=30_000)


class PatchGate:
    """Fault injection: a slow line. After each chunk the platform accepted, the upload waits
    until the test lets it go, so a pause lands mid-upload every time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.accepted = threading.Event()
        self.go = threading.Event()
        self.offsets: list[int] = []
        real = PlatformClient._patch

        def patch(client: PlatformClient, upload_id: str, chunk: Any, sent: Any) -> int:
            self.offsets.append(chunk.offset)
            new = real(client, upload_id, chunk, sent)
            self.accepted.set()
            self.go.wait(30)
            return new

        monkeypatch.setattr(PlatformClient, "_patch", patch)


def start_and_pause(
    ui: UiWorld, page: SubmissionsPage, gate: PatchGate, sid: str, bid: Path
) -> None:
    assert page.submit_file(sid, bid)
    ui.qtbot.waitUntil(gate.accepted.is_set, timeout=30_000)
    with ui.qtbot.waitSignals([page.paused, page.upload.ended], timeout=30_000):
        page.pause_button.click()
        gate.go.set()


# --- tests -----------------------------------------------------------------------------------


def test_submit_now_from_sealing_uploads_and_shows_the_verified_receipt(
    ui: UiWorld, qtbot: Any
) -> None:
    ui.login("bidder", 0)
    sid = later_section(ui)
    bid = seal(ui, sid)
    page = page_of(ui)
    # What the prepare page's "Submit now" does: navigate here with the section and file.
    with qtbot.waitSignal(page.submitted, timeout=60_000) as blocker:
        ui.ctx.navigate.emit("submissions", {"section": sid, "path": str(bid)})
    assert ui.window.stack.currentWidget() is page
    receipt = blocker.args[0]
    assert receipt.receipt.section_id == sid and receipt.receipt.kind == "submit"
    assert receipt.receipt.file_sha256 == sha256_of(bid)
    assert receipt.receipt.file_size == bid.stat().st_size
    assert page.progress.value() == page.progress.maximum()
    assert receipt.receipt.file_sha256 in page.upload.result.text()
    assert page.upload.phase == "done" and not page.pause_button.isEnabled()
    wait_row(ui, page, sid, "submitted")
    row = page.model.row(page.model.row_of(sid))
    assert row.file_sha256 == receipt.receipt.file_sha256 and row.confirmed
    assert row.deadline is not None and row.deadline > ui.ctx.server_now()
    assert not upload_states(ui)
    assert ui.errors() == []


def test_upload_runs_off_the_gui_thread(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui.login("bidder", 0)
    sid = later_section(ui)
    bid = seal(ui, sid)
    threads: list[threading.Thread] = []
    real = PlatformClient.submit

    def spy(self: PlatformClient, *args: Any, **kw: Any) -> Any:
        threads.append(threading.current_thread())
        return real(self, *args, **kw)

    monkeypatch.setattr(PlatformClient, "submit", spy)
    page = page_of(ui)
    submit(ui, page, sid, bid)
    assert threads and all(t is not threading.main_thread() for t in threads)


def test_pause_mid_upload_then_resume_completes_with_one_receipt(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui.login("bidder", 0)
    sid = later_section(ui)
    bid = seal(ui, sid, size=20 * MiB)  # three chunks of the platform's 8 MiB
    page = page_of(ui)
    ui.window.navigate("submissions")
    gate = PatchGate(monkeypatch)
    start_and_pause(ui, page, gate, sid, bid)
    ui.wait_tasks()
    # Paused, not failed: no error, the state stays on disk, Resume is offered.
    assert ui.errors() == []
    assert page.upload.phase == "paused"
    assert 0 < page.progress.value() < page.progress.maximum()
    assert fmt_size(bid.stat().st_size) in page.upload.bytes_label.text()
    assert page.resume_button.isEnabled() and not page.pause_button.isEnabled()
    assert len(upload_states(ui)) == 1
    assert stored_receipts(ui, sid) == []
    qtbot.waitUntil(lambda: page.unfinished_model.rowCount() == 1, timeout=10_000)
    before = len(gate.offsets)
    with qtbot.waitSignal(page.submitted, timeout=60_000):
        page.resume_button.click()
    # It continued where the platform stood: the first chunk after the resume is not at 0.
    assert gate.offsets[before] > 0
    assert len(stored_receipts(ui, sid)) == 1
    assert not upload_states(ui)
    qtbot.waitUntil(lambda: page.unfinished_model.rowCount() == 0, timeout=10_000)
    assert ui.errors() == []


def test_after_a_restart_the_unfinished_upload_is_listed_and_resumes(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui.login("bidder", 0)
    sid = goods_section(ui)
    bid = seal(ui, sid, size=20 * MiB, name="第1包投标文件.sealbid")
    gate = PatchGate(monkeypatch)
    start_and_pause(ui, page_of(ui), gate, sid, bid)
    ui.wait_tasks()
    # A new page reads what the client left in state/uploads, as after restarting the app.
    fresh = SubmissionsPage(ui.ctx)
    qtbot.addWidget(fresh)
    fresh.show()
    qtbot.waitUntil(lambda: fresh.unfinished_model.rowCount() == 1, timeout=10_000)
    assert fresh.unfinished_model.item(0, 0).text() == sid
    assert fresh.unfinished_model.item(0, 1).text() == bid.name
    # How far it got, asked of the platform: the chunk it accepted before the pause.
    qtbot.waitUntil(lambda: fresh.unfinished_entries[0].offset is not None, timeout=10_000)
    assert fresh.unfinished_entries[0].offset == 8 * MiB
    assert fresh.unfinished.indexWidget(fresh.unfinished_model.index(0, 4)).isEnabled()
    with qtbot.waitSignal(fresh.submitted, timeout=60_000) as blocker:
        assert fresh.resume_unfinished(0)
    assert blocker.args[0].receipt.file_sha256 == sha256_of(bid)
    assert len(stored_receipts(ui, sid)) == 1
    assert ui.errors() == []


def test_a_connection_cut_mid_upload_is_retried_and_the_upload_completes(
    ui: UiWorld, qtbot: Any
) -> None:
    ui.login("bidder", 0)
    sid = later_section(ui)
    bid = seal(ui, sid, size=16 * MiB)
    port = int(ui.sandbox.url.rsplit(":", 1)[1])
    with FaultProxy(("127.0.0.1", port), cut_at=[3 * MiB, 12 * MiB]) as proxy:
        ui.ctx.set_setting("platform/mode", "url")
        ui.ctx.set_setting("platform/url", proxy.url)
        ui.ctx.platform_changed()
        page = page_of(ui)
        receipt = submit(ui, page, sid, bid)
        ui.wait_tasks()
        assert proxy.cuts == 2
    assert receipt.receipt.file_sha256 == sha256_of(bid)
    # The line dropped mid-chunk: progress stepped back to the platform's offset and the page
    # said it reconnected; nothing was shown as an error.
    assert page.upload.reconnects >= 1
    assert ui.errors() == []
    assert len(stored_receipts(ui, sid)) == 1


def test_replace_asks_first_then_uploads_the_new_file(ui: UiWorld, qtbot: Any) -> None:
    ui.login("bidder", 0)
    sid = later_section(ui)
    first = seal(ui, sid, name="第一版.sealbid")
    second = seal(ui, sid, name="第二版.sealbid")
    page = page_of(ui)
    ui.window.navigate("submissions")
    submit(ui, page, sid, first)
    wait_row(ui, page, sid, "submitted")
    assert page.select_section(sid)
    assert page.replace_button.isEnabled()
    asked: list[str] = []
    page.ask_confirm = lambda title, text: asked.append(text) is not None  # type: ignore[method-assign]
    assert not page.replace_selected(second)  # declined: nothing happens
    assert not page.upload.busy
    page.ask_confirm = lambda title, text: asked.append(text) is None  # type: ignore[method-assign]
    with qtbot.waitSignal(page.submitted, timeout=60_000) as blocker:
        assert page.replace_selected(second)
    assert sid in asked[-1] and second.name in asked[-1]
    assert blocker.args[0].receipt.file_sha256 == sha256_of(second)
    qtbot.waitUntil(
        lambda: (
            not page.loading
            and page.model.row_of(sid) >= 0
            and page.model.row(page.model.row_of(sid)).file_sha256 == sha256_of(second)
        ),
        timeout=30_000,
    )
    assert ui.errors() == []


def test_withdraw_before_the_deadline_shows_the_withdraw_receipt(ui: UiWorld, qtbot: Any) -> None:
    ui.login("bidder", 0)
    sid = later_section(ui)
    page = page_of(ui)
    ui.window.navigate("submissions")
    submit(ui, page, sid, seal(ui, sid))
    wait_row(ui, page, sid, "submitted")
    assert page.select_section(sid)
    assert page.withdraw_button.isEnabled()
    asked: list[str] = []
    page.ask_confirm = lambda title, text: asked.append(text) is None  # type: ignore[method-assign]
    with qtbot.waitSignal(page.withdrawn, timeout=30_000) as blocker:
        assert page.withdraw_selected()
    assert sid in asked[0]
    receipt = blocker.args[0]
    assert receipt.receipt.kind == "withdraw" and receipt.receipt.section_id == sid
    assert str(receipt.receipt.sequence) in page.action_result.text()
    wait_row(ui, page, sid, "withdrawn")
    page.select_section(sid)
    assert not page.withdraw_button.isEnabled() and not page.rehearse_button.isEnabled()
    assert [r["kind"] for r in stored_receipts(ui, sid)] == ["submit", "withdraw"]
    assert ui.errors() == []


def test_after_the_deadline_actions_are_off_and_the_platform_refuses(
    ui: UiWorld, qtbot: Any
) -> None:
    ui.login("bidder", 0)
    sid, deadline = quick_section(ui)
    page = page_of(ui)
    ui.window.navigate("submissions")
    submit(ui, page, sid, seal(ui, sid))
    wait_row(ui, page, sid, "submitted")
    page.select_section(sid)
    assert page.withdraw_button.isEnabled() and page.replace_button.isEnabled()
    assert page.rehearse_button.isEnabled()
    # The platform's clock passes the deadline; the app learns its offset.
    offset = deadline - datetime.now(UTC) + timedelta(minutes=1)
    ui.clock.offset = offset
    ui.ctx.note_clock_offset(offset)
    assert not page.withdraw_button.isEnabled()
    assert not page.replace_button.isEnabled()
    assert not page.rehearse_button.isEnabled()
    left = page.model.index(page.model.row_of(sid), page.model.LEFT).data()
    assert left in ("已截止", "closed")
    # Forced anyway: the platform decides, and its refusal is shown, translated.
    with qtbot.waitSignal(ui.ctx.errors.shown, timeout=30_000) as blocker:
        assert page.withdraw_section(sid, confirm=False)
    code, text = blocker.args
    assert code == "platform.deadline"
    assert "投标截止时间已过" in text
    assert [r["kind"] for r in stored_receipts(ui, sid)] == ["submit"]


def test_rehearsal_passes_with_the_sealing_key_and_fails_after_a_renewal(
    ui: UiWorld, qtbot: Any
) -> None:
    ui.login("bidder", 0)
    sid = later_section(ui)
    page = page_of(ui)
    ui.window.navigate("submissions")
    submit(ui, page, sid, seal(ui, sid))
    wait_row(ui, page, sid, "submitted")
    page.select_section(sid)
    assert page.rehearse_button.isEnabled()
    with qtbot.waitSignal(page.rehearsed, timeout=30_000) as blocker:
        page.rehearse_button.click()
    result = blocker.args[0]
    assert result.ok and not result.problems
    assert "#2e7d32" in page.action_result.text()  # green
    assert result.file_sha256 in page.action_result.text()

    # A renewed certificate (same company, new keys) logs in to the same account and sees
    # the same stored bid, which its key cannot open.
    me = ui.sandbox.identities("bidder")[0]
    ca = SandboxCA.load(ui.sandbox.data_dir / "sandbox" / "ca")
    renewed = ca.issue(role=Role.BIDDER, name=me.name, org_code=me.org_code, key_type=KeyType.P256)
    ui.ctx.set_identity(renewed.identity(), source="renewed")
    with qtbot.waitSignal(page.rehearsed, timeout=30_000) as blocker:
        assert page.rehearse_section(sid)
    result = blocker.args[0]
    assert not result.ok and not result.sealed_for_current
    [problem] = result.problems
    assert "证书已更新" in problem.zh
    shown = page.action_result.text()
    assert "#c62828" in shown  # red
    assert "证书已更新" in shown  # the UI's language (zh_CN)
    assert ui.errors() == []


def test_submit_dialog_preselects_the_section_the_file_was_sealed_for(
    ui: UiWorld, qtbot: Any
) -> None:
    ui.login("bidder", 0)
    sid = goods_section(ui)
    bid = seal(ui, sid, name="智能黑板.sealbid")
    page = page_of(ui)
    dialog = page.open_submit_dialog(bid)
    assert dialog is not None
    qtbot.waitUntil(
        lambda: dialog.header_section is not None and dialog.section_combo.count() > 0,
        timeout=30_000,
    )
    assert dialog.section_id() == sid and dialog.ok_button.isEnabled()
    other = next(
        i for i in range(dialog.section_combo.count()) if dialog.section_combo.itemData(i) != sid
    )
    dialog.section_combo.setCurrentIndex(other)
    assert not dialog.ok_button.isEnabled()  # sealed for another section: refused here
    dialog.section_combo.setCurrentIndex(dialog.section_combo.findData(sid))
    with qtbot.waitSignal(page.submitted, timeout=60_000) as blocker:
        dialog.ok_button.click()
    assert blocker.args[0].receipt.section_id == sid
    assert ui.errors() == []


def test_a_file_sealed_for_another_section_is_refused_before_uploading(
    ui: UiWorld, qtbot: Any
) -> None:
    ui.login("bidder", 0)
    bid = seal(ui, goods_section(ui))
    page = page_of(ui)
    with qtbot.waitSignal(ui.ctx.errors.shown, timeout=30_000) as blocker:
        page.submit_file(later_section(ui), bid)
    assert blocker.args[0] == "ui.wrong_section"
    ui.wait_tasks()
    assert page.upload.phase == "failed" and not upload_states(ui)
    assert not page.resume_button.isEnabled()  # the same file would only fail again


def test_not_logged_in_gets_a_clear_message(ui: UiWorld, qtbot: Any, tmp_path: Path) -> None:
    page = page_of(ui)
    assert not page.submit_file(later_section(ui), tmp_path / "x.sealbid")
    assert ui.errors()[-1][0] == "ui.not_logged_in"
    assert isinstance(page.upload, UploadPanel) and not page.upload.busy


def test_only_this_bidders_unfinished_uploads_are_listed_and_a_missing_file_cannot_resume(
    ui: UiWorld, qtbot: Any
) -> None:
    ui.login("bidder", 0)
    page = page_of(ui)
    store = UploadStateStore(ui.ctx.state_dir / "uploads")
    base, me = platform_key(ui.ctx), bidder_fingerprint(ui.ctx)
    assert base is not None and me is not None
    common: dict[str, Any] = {
        "base_url": base,
        "section_id": later_section(ui),
        "upload_id": "gone",
        "file_path": str(ui.tmp / "已删除的投标文件.sealbid"),
        "file_size": 100,
        "file_sha256": "00" * 32,
        "chunk_max": 8 * MiB,
    }
    store.save(UploadState(cert_sha256=me, **common))
    store.save(UploadState(cert_sha256="ab" * 32, **common))  # another user of this PC
    (store.root / ("0" * 32 + ".json")).write_text("{damaged", "utf-8")
    page.refresh_unfinished()
    qtbot.waitUntil(lambda: page.unfinished_model.rowCount() == 1, timeout=10_000)
    ui.wait_tasks()
    assert page.unfinished_model.rowCount() == 1
    assert not page.unfinished.indexWidget(page.unfinished_model.index(0, 4)).isEnabled()
    with qtbot.waitSignal(ui.ctx.errors.shown, timeout=10_000):
        assert not page.resume_unfinished(0)
    assert "已删除的投标文件.sealbid" in ui.errors()[-1][1]
    assert not page.upload.busy


def test_a_real_restart_of_the_app_and_its_sandbox_resumes_the_paused_upload(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The app quits mid-upload and starts again: a new context, window and sandbox platform on
    the same data folder. The sandbox comes back on its port (upload state is keyed by the
    platform's URL), the upload is listed and resumes from the platform's offset."""
    from uikit import make_world

    ui.login("bidder", 0)
    sid = goods_section(ui)
    bid = seal(ui, sid, size=20 * MiB, name="重启前的投标文件.sealbid")
    gate = PatchGate(monkeypatch)
    start_and_pause(ui, page_of(ui), gate, sid, bid)
    url = ui.sandbox.url
    data_dir = ui.ctx.data_dir
    ui.close()  # the app quits: workers, then the platform

    again = make_world(qtbot, tmp_path / "again", data_dir=data_dir)
    try:
        assert again.sandbox.url == url
        again.login("bidder", 0)
        page = page_of(again)
        qtbot.waitUntil(lambda: page.unfinished_model.rowCount() == 1, timeout=15_000)
        assert page.unfinished_model.item(0, 1).text() == bid.name
        with qtbot.waitSignal(page.submitted, timeout=60_000) as blocker:
            assert page.resume_unfinished(0)
        assert blocker.args[0].receipt.file_sha256 == sha256_of(bid)
        assert again.errors() == []
    finally:
        again.close()
