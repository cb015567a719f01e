"""The receipts page: every stored receipt listed and verified offline, details, a local file
checked against its receipt, tampered and unanchored receipts, and the PDF export."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from clienthelpers import seal_for
from uikit import UiWorld

from client import PlatformClient
from client.receipts import ReceiptStore, VerifiedReceipt
from ui.receipts_page import ReceiptsPage, VerifyOutcome


def _section(ui: UiWorld) -> str:
    data = json.loads((ui.sandbox.data_dir / "sandbox.json").read_text("utf-8"))
    return next(s["id"] for s in data["sections"] if s["id"].endswith("-0101-01"))


def _client(ui: UiWorld) -> PlatformClient:
    # The app's own state folder: receipts land where the page reads them.
    return PlatformClient(
        base_url=ui.sandbox.url, identity=ui.ctx.identity, state_dir=ui.ctx.state_dir
    )


def submitted(ui: UiWorld) -> tuple[str, Path, VerifiedReceipt]:
    """Bidder 0 signed in, a sealed bid submitted for a works section; the page told."""
    ui.login("bidder", 0)
    sid = _section(ui)
    with _client(ui) as c:
        bid = seal_for(c, ui.ctx.identity, sid, ui.tmp / "bids", name="合肥建工-投标.sealbid")
        receipt = c.submit(sid, bid)
    ui.ctx.receiptsChanged.emit()
    return sid, bid, receipt


def page_of(ui: UiWorld) -> ReceiptsPage:
    """The receipts page, shown (it reads the store when activated)."""
    page = ui.window.page("receipts")
    assert isinstance(page, ReceiptsPage)
    ui.window.navigate("receipts")
    return page


def wait_loaded(ui: UiWorld, page: ReceiptsPage, rows: int) -> None:
    ui.qtbot.waitUntil(lambda: not page.loading and page.model.rowCount() == rows, timeout=30_000)


def column(page: ReceiptsPage, row: int, col: int) -> Any:
    return page.proxy.index(row, col).data()


def test_a_submission_receipt_is_listed_verified_with_every_field(ui: UiWorld, qtbot: Any) -> None:
    sid, _, receipt = submitted(ui)
    page = page_of(ui)
    wait_loaded(ui, page, 1)
    m = page.model
    entry = m.row(0)
    assert entry.verified is not None and entry.error is None
    # Anchored at the platform certificate the client saved beside the receipts, as
    # `sealbid receipts` does: the signer is pinned.
    assert entry.verified.trust == "stored" and entry.anchored
    assert column(page, 0, m.SECTION) == sid
    assert column(page, 0, m.BIDDER) == ui.sandbox.identities("bidder")[0].name
    assert column(page, 0, m.SEQUENCE) == str(receipt.receipt.sequence)
    assert receipt.receipt.file_sha256 is not None
    assert column(page, 0, m.SHA256) == receipt.receipt.file_sha256[:16]
    assert "北京时间" in column(page, 0, m.RECEIVED)
    assert column(page, 0, m.STATUS) == m.status_text(entry)
    page.select_row(0)
    details = page.details.toPlainText()
    assert receipt.receipt.file_sha256 in details
    assert receipt.sha256 in details
    assert receipt.signer.subject.rfc4514_string() in details
    assert receipt.receipt.bidder.cert_sha256 in details
    assert page.export_button.isEnabled() and page.check_file_button.isEnabled()
    with qtbot.waitSignal(page.verified, timeout=30_000) as blocker:
        page.verify_button.click()
    outcome = blocker.args[0]
    assert isinstance(outcome, VerifyOutcome) and outcome.ok and outcome.file_matches is None
    assert ui.errors() == []


def test_checking_a_local_file_against_its_receipt(ui: UiWorld, qtbot: Any) -> None:
    _, bid, _ = submitted(ui)
    page = page_of(ui)
    wait_loaded(ui, page, 1)
    page.select_row(0)
    with qtbot.waitSignal(page.verified, timeout=30_000) as blocker:
        page.check_file_selected(bid)
    assert blocker.args[0].file_matches is True and blocker.args[0].ok
    assert "#2e7d32" in page.details.toHtml().lower()
    other = ui.tmp / "另一个文件.sealbid"
    other.write_bytes(bid.read_bytes()[:-1] + b"\0")
    page.ask_file = lambda: other  # type: ignore[method-assign]
    with qtbot.waitSignal(page.verified, timeout=30_000) as blocker:
        page.check_file_button.click()
    outcome = blocker.args[0]
    assert outcome.file_matches is False and not outcome.ok
    assert outcome.file_sha256 in page.details.toPlainText()
    assert "另一个文件.sealbid" in page.details.toPlainText()
    assert ui.errors() == []


def test_a_tampered_receipt_is_shown_as_not_verifying_and_cannot_be_exported(
    ui: UiWorld, qtbot: Any
) -> None:
    _, _, receipt = submitted(ui)
    page = page_of(ui)
    wait_loaded(ui, page, 1)
    assert receipt.path is not None
    signed = json.loads(receipt.path.read_text("utf-8"))
    signed["receipt"] = signed["receipt"].replace(
        f'"file_size":{receipt.receipt.file_size}', f'"file_size":{receipt.receipt.file_size + 1}'
    )
    receipt.path.write_text(json.dumps(signed), "utf-8")
    page.refresh()
    qtbot.waitUntil(lambda: not page.loading and page.model.row(0).verified is None, timeout=30_000)
    entry = page.model.row(0)
    assert entry.error is not None and getattr(entry.error, "code", "") == "platform.receipt"
    assert entry.receipt is not None  # its fields are still shown
    page.select_row(0)
    assert not page.export_button.isEnabled()
    assert "回执验证失败" in page.details.toPlainText()


def test_without_the_saved_platform_certificate_a_receipt_is_unanchored(
    ui: UiWorld, qtbot: Any
) -> None:
    submitted(ui)
    page = page_of(ui)
    wait_loaded(ui, page, 1)
    store = ReceiptStore(ui.ctx.state_dir / "receipts")
    [platform_id] = store.platforms()
    (store.root / platform_id / "platform.json").unlink()
    page.refresh()
    qtbot.waitUntil(lambda: not page.loading and not page.model.row(0).anchored, timeout=30_000)
    entry = page.model.row(0)
    assert entry.verified is not None and entry.verified.trust == "embedded"
    page.select_row(0)
    assert "未锚定" in page.details.toPlainText()  # UNANCHORED, in the UI language (zh_CN)


def test_export_pdf_to_a_chinese_path(ui: UiWorld, qtbot: Any) -> None:
    sid, _, receipt = submitted(ui)
    page = page_of(ui)
    wait_loaded(ui, page, 1)
    page.select_row(0)
    out = ui.tmp / "导出的回执" / "投标回执（施工一标段）.pdf"
    page.ask_save_path = lambda name: out  # type: ignore[method-assign]
    with qtbot.waitSignal(page.exported, timeout=60_000) as blocker:
        page.export_button.click()
    assert blocker.args[0] == str(out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert not [p for p in out.parent.iterdir() if p != out]  # no temporary file left
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert sid in text
    assert receipt.sha256 in text.replace("\n", "")
    assert page.default_export_name(page.model.row(0)).endswith(".pdf")
    assert ui.ctx.setting("receipts/export_dir") == str(out.parent)
    assert ui.errors() == []


def test_submitting_through_the_app_adds_the_receipt_to_the_list(ui: UiWorld, qtbot: Any) -> None:
    from ui.submissions import SubmissionsPage

    ui.login("bidder", 0)
    sid = _section(ui)
    with _client(ui) as c:
        bid = seal_for(c, ui.ctx.identity, sid, ui.tmp / "bids")
    receipts = page_of(ui)
    wait_loaded(ui, receipts, 0)
    assert receipts.isVisible()
    submissions = ui.window.page("submissions")
    assert isinstance(submissions, SubmissionsPage)
    with qtbot.waitSignal(submissions.submitted, timeout=60_000):
        submissions.submit_file(sid, bid)
    # ctx.receiptsChanged refreshed the list shown.
    wait_loaded(ui, receipts, 1)
    assert receipts.model.row(0).verified is not None
    assert receipts.model.row(0).receipt.kind == "submit"  # type: ignore[union-attr]
