"""The opening record panel (hall and console) and record printing: the record reviewed and
signed through the buttons on a real platform, saved and checked offline, and the signed PDF
printed page by page onto a PDF-file printer and compared, rasterised, with the original."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMarginsF, Qt
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrinter
from uikit import UiWorld

from client.receipts import load_certificates
from client.record import fetch_record_pdf, load_record, verify_record
from ui._opening_feed import OpeningFeed
from ui._printing import print_pdf, render_pages
from ui._record_panel import RecordPanel

PDFTOPPM = shutil.which("pdftoppm")
needs_pdftoppm = pytest.mark.skipif(PDFTOPPM is None, reason="pdftoppm (poppler) not installed")

# Both PDFs are rasterised by poppler at ~144 dpi, then averaged over 4×4 blocks: fine enough
# that thin vector lines are not drawn wider than in the printed image (which poppler only
# scales), coarse enough to forgive sub-pixel shifts. Two different pages of the record then
# differ by ~20 grey levels on average, the same page printed and original by ~3.
RASTER_W, RASTER_H, BLOCK = 1680, 1188, 4
SAME_PAGE_MAX = 6.0


# --- helpers --------------------------------------------------------------------------------


def _section(ui: UiWorld, bidders: int = 3) -> str:
    kit = ui.kit()
    # The deadline only a minute ahead: moving the platform's clock past it keeps the platform
    # within minutes of this PC's clock, which judges the PDF signer's certificate (issued by
    # the platform, valid from five minutes before its own clock).
    sid: str = kit.section(bidders=bidders, minutes=1)
    kit.past_opening(sid)
    return sid


def _finished_pdf(ui: UiWorld) -> tuple[str, bytes]:
    kit = ui.kit()
    sid = _section(ui)
    kit.run(sid, until="finished")
    fetched = fetch_record_pdf(kit.client(kit.party("host")), sid)
    assert fetched.ok
    return sid, fetched.pdf


def _pdf_printer(path: Path) -> QPrinter:
    """A PDF-file printer with the record's paper (A4 landscape) and no margins, so that a
    printed page is the original page scaled, nothing around it."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    return printer


def _pages(pdf: Path, tmp: Path) -> list[list[float]]:
    """Each page of ``pdf`` rasterised by poppler (not the code under test), as block means."""
    out = tmp / f"raster-{pdf.stem}"
    out.mkdir()
    assert PDFTOPPM is not None
    subprocess.run(
        [
            PDFTOPPM,
            "-gray",
            "-scale-to-x",
            str(RASTER_W),
            "-scale-to-y",
            str(RASTER_H),
            str(pdf),
            str(out / "p"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pages = []
    for f in sorted(out.glob("p-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        data = f.read_bytes()
        # Binary PGM: "P5\n<w> <h>\n<max>\n" then the pixels.
        parts = data.split(maxsplit=4)
        assert parts[0] == b"P5" and int(parts[1]) == RASTER_W and int(parts[2]) == RASTER_H
        pixels = parts[4]
        assert len(pixels) == RASTER_W * RASTER_H
        pages.append(_blocks(pixels))
    return pages


def _blocks(pixels: bytes) -> list[float]:
    """The mean grey of each BLOCK × BLOCK square."""
    w, h = RASTER_W // BLOCK, RASTER_H // BLOCK
    out = []
    for y in range(h):
        rows = [pixels[(y * BLOCK + d) * RASTER_W :][: w * BLOCK] for d in range(BLOCK)]
        for x in range(w):
            out.append(sum(sum(r[x * BLOCK : x * BLOCK + BLOCK]) for r in rows) / BLOCK**2)
    return out


def _diff(a: list[float], b: list[float]) -> float:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def _assert_pages_match(
    printed: list[list[float]], original: list[list[float]], numbers: list[int]
) -> None:
    """Printed page k shows original page ``numbers[k]``: closer to it than to any other."""
    assert len(printed) == len(numbers)
    for k, n in enumerate(numbers):
        same = _diff(printed[k], original[n])
        others = [_diff(printed[k], original[m]) for m in range(len(original)) if m != n]
        assert same < SAME_PAGE_MAX, (
            f"printed page {k + 1} differs from original page {n + 1}: {same:.2f}"
        )
        assert others and same * 3 < min(others), (
            f"printed page {k + 1}: {same:.2f} to page {n + 1}, {min(others):.2f} to another"
        )


# --- printing ---------------------------------------------------------------------------------


@needs_pdftoppm
def test_operator_print_pdf_prints_every_page_of_the_signed_record(
    ui: UiWorld, tmp_path: Path
) -> None:
    _sid, pdf = _finished_pdf(ui)
    original = tmp_path / "signed.pdf"
    original.write_bytes(pdf)
    count = len(render_pages(pdf, 10))
    assert count >= 2, "the record should span pages, else the page check proves little"

    printed_file = tmp_path / "printed.pdf"
    printer = _pdf_printer(printed_file)
    printer.setDocName("开标记录")
    assert print_pdf(pdf, printer) == count

    printed = _pages(printed_file, tmp_path)
    reference = _pages(original, tmp_path)
    assert len(printed) == len(reference) == count
    _assert_pages_match(printed, reference, list(range(count)))


@needs_pdftoppm
def test_operator_print_pdf_honours_the_page_range(ui: UiWorld, tmp_path: Path) -> None:
    _sid, pdf = _finished_pdf(ui)
    original = tmp_path / "signed.pdf"
    original.write_bytes(pdf)
    reference = _pages(original, tmp_path)
    assert len(reference) >= 2

    printed_file = tmp_path / "range.pdf"
    printer = _pdf_printer(printed_file)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 2)
    assert print_pdf(pdf, printer) == 1
    printed = _pages(printed_file, tmp_path)
    _assert_pages_match(printed, reference, [1])


# --- the record panel -------------------------------------------------------------------------


def _panel(ui: UiWorld, qtbot: Any, sid: str) -> tuple[RecordPanel, OpeningFeed]:
    feed = OpeningFeed(ui.ctx, sid)
    panel = RecordPanel(ui.ctx, feed)
    qtbot.addWidget(panel)
    panel.show()
    feed.start()
    qtbot.waitUntil(lambda: feed.state is not None and not feed.stale, timeout=20_000)
    return panel, feed


def _host_record(ui: UiWorld, sid: str) -> Any:
    kit = ui.kit()
    return kit.opening(kit.party("host"), sid).record()


def _org_code(ui: UiWorld, index: int) -> str:
    from openingkit import org_code_of

    kit = ui.kit()
    return org_code_of(kit.platform, kit.bidders(index + 1)[index])


def _cell(model: Any, row: int, col: int) -> str:
    return str(model.data(model.index(row, col)))


def test_hall_record_waits_for_the_results_then_shows_rows_and_signs_on_confirm(
    ui: UiWorld, qtbot: Any
) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    panel, feed = _panel(ui, qtbot, sid)
    # Before the results: no record, nothing to sign or print.
    assert panel.placeholder.text() == panel.tr(
        "The record appears after the results are announced."
    )
    assert panel.placeholder.isVisible() and panel.record is None
    assert not panel.confirm_button.isEnabled() and not panel.decline_button.isEnabled()
    assert not panel.save_button.isEnabled() and not panel.print_button.isVisible()

    ui.kit().run(sid, until="confirming")
    qtbot.waitUntil(lambda: panel.record is not None, timeout=20_000)
    qtbot.waitUntil(panel.confirm_button.isEnabled, timeout=20_000)
    assert panel.rows_model.rowCount() == 3
    assert panel.record.record_sha256 in panel.digest_label.text()
    mine = _org_code(ui, 0)
    own = [r for r in panel.rows_model.rows() if r.own]
    assert len(own) == 1 and own[0].org_code == mine
    assert own[0].decryption == "opened" and "1,234,567.89" in own[0].summary
    assert panel.own_row_label.isVisible() and own[0].name in panel.own_row_label.text()
    own_index = panel.rows_model.row_where(lambda r: r.own)
    other_index = (own_index + 1) % 3
    background = Qt.ItemDataRole.BackgroundRole
    assert panel.rows_model.data(panel.rows_model.index(own_index, 1), background) is not None
    assert panel.rows_model.data(panel.rows_model.index(other_index, 1), background) is None
    assert panel.deadline_label.isVisible()
    # Nobody signed yet: the staff and every bidder are pending.
    assert panel.signatures_model.rowCount() == 0
    assert own[0].name in panel.pending_label.text()

    # Answering "no" to the question signs nothing.
    asked: list[str] = []

    def say_no(title: str, text: str) -> bool:
        asked.append(text)
        return False

    panel.confirm = say_no
    panel.confirm_button.click()
    assert asked and panel.record.record_sha256 in asked[0]
    assert panel.confirm_button.isEnabled()

    panel.confirm = lambda title, text: True
    with qtbot.waitSignal(panel.signed, timeout=30_000):
        panel.confirm_button.click()
    qtbot.waitUntil(lambda: panel.signatures_model.rowCount() == 1, timeout=20_000)
    sig = panel.signatures_model.row(0)
    assert (sig.role, sig.org_code, sig.decision) == ("bidder", mine, "confirm")
    # The platform has it, as the host sees it.
    host_sigs = _host_record(ui, sid).signatures
    assert [(s.org_code, s.decision) for s in host_sigs] == [(mine, "confirm")]
    # Signed this revision: both buttons off, the own row says confirmed.
    qtbot.waitUntil(lambda: not panel.confirm_button.isEnabled(), timeout=10_000)
    assert not panel.decline_button.isEnabled()
    qtbot.waitUntil(
        lambda: next(r for r in panel.rows_model.rows() if r.own).confirmation == "confirmed",
        timeout=10_000,
    )

    # Others sign: the panel reads the record again on their signature events.
    kit = ui.kit()
    kit.opening(kit.bidders(2)[1], sid).sign_record("confirm")
    kit.opening(kit.party("host"), sid).sign_record("confirm")
    qtbot.waitUntil(lambda: panel.signatures_model.rowCount() == 3, timeout=20_000)
    roles = {panel.signatures_model.row(i).role for i in range(3)}
    assert roles == {"bidder", "host"}
    # Still to sign: the recorder and supervisor, not the host; the third bidder.
    state = feed.state
    assert state.host and state.recorder and state.supervisor
    qtbot.waitUntil(lambda: state.host not in panel.pending_label.text(), timeout=10_000)
    pending = panel.pending_label.text()
    assert state.recorder in pending and state.supervisor in pending
    names = {r.number: r.name for r in panel.rows_model.rows()}
    unsigned = [r.name for r in panel.rows_model.rows() if r.confirmation == "pending"]
    assert len(unsigned) == 1 and unsigned[0] in pending and len(names) == 3
    feed.stop()


def test_hall_record_decline_needs_a_reason_and_the_saved_record_verifies(
    ui: UiWorld, qtbot: Any, tmp_path: Path
) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    panel, feed = _panel(ui, qtbot, sid)
    ui.kit().run(sid, until="confirming")
    qtbot.waitUntil(panel.confirm_button.isEnabled, timeout=20_000)

    confirmed: list[str] = []

    def say_yes(title: str, text: str) -> bool:
        confirmed.append(text)
        return True

    panel.confirm = say_yes
    # Cancelled prompt: nothing happens; an empty reason: refused here, nothing signed.
    panel.ask_text = lambda title, prompt, text: None
    panel.decline_button.click()
    assert not confirmed and panel.status_label.text() == ""
    panel.ask_text = lambda title, prompt, text: "   "
    panel.decline_button.click()
    assert not confirmed
    assert panel.status_label.text() and panel.decline_button.isEnabled()
    assert _host_record(ui, sid).signatures == ()

    reason = "第 1 号投标人的报价与本人回执不符"
    offered: list[str] = []

    def type_reason(title: str, prompt: str, text: str) -> str:
        offered.append(text)
        return reason

    # "No" at the last question: nothing signed, but the reason is kept and offered again.
    panel.confirm = lambda title, text: False
    panel.ask_text = type_reason
    panel.decline_button.click()
    assert _host_record(ui, sid).signatures == ()
    panel.confirm = say_yes
    with qtbot.waitSignal(panel.signed, timeout=30_000):
        panel.decline_button.click()
    assert offered[-1] == reason
    assert panel.decline_draft == ""  # signed: the draft is done with
    assert confirmed and reason in confirmed[0]
    qtbot.waitUntil(lambda: panel.signatures_model.rowCount() == 1, timeout=20_000)
    assert _cell(panel.signatures_model, 0, 3) == reason
    sigs = _host_record(ui, sid).signatures
    assert [(s.decision, s.reason) for s in sigs] == [("decline", reason)]
    assert not panel.decline_button.isEnabled()

    # Save the record through the button (the file dialog replaced): it verifies offline.
    target = tmp_path / "out" / "开标记录.json"
    panel.ask_save_path = lambda kind, suggested: target if kind == "json" else None
    with qtbot.waitSignal(panel.saved, timeout=30_000) as saved:
        panel.save_button.click()
    assert saved.args == [str(target)]
    doc = load_record(target)
    assert doc.record_sha256 == panel.record.record_sha256
    assert len(doc.signatures) == 1
    kit = ui.kit()
    anchors = load_certificates(kit.client(kit.party("host")).platform_info().certificate_pem)
    report = verify_record(doc, anchors=anchors)
    assert report.ok, report.render()
    assert not list(target.parent.glob("*.tmp*"))  # written atomically, no leftovers

    # A record whose signature was altered (the reason changed after signing) is not saved.
    import dataclasses

    from ui._record_panel import RecordNotValidError

    view = panel.view
    forged = view.doc.signatures[0].model_copy(update={"reason": "同意"})
    panel.view = dataclasses.replace(
        view, doc=view.doc.model_copy(update={"signatures": (forged,)})
    )
    bad = tmp_path / "forged.json"
    with qtbot.waitSignal(panel.failed, timeout=30_000) as failed:
        panel.save_record_to(bad)
    assert isinstance(failed.args[0], RecordNotValidError)
    assert not bad.exists()
    feed.stop()


def test_hall_record_new_revision_is_read_and_may_be_signed_again(ui: UiWorld, qtbot: Any) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    panel, feed = _panel(ui, qtbot, sid)
    ui.kit().run(sid, until="confirming")
    qtbot.waitUntil(panel.confirm_button.isEnabled, timeout=20_000)
    panel.confirm = lambda title, text: True
    with qtbot.waitSignal(panel.signed, timeout=30_000):
        panel.confirm_button.click()
    qtbot.waitUntil(lambda: not panel.confirm_button.isEnabled(), timeout=10_000)
    first = panel.record.record_sha256

    # Another bidder objects while the record is being confirmed: a new revision, on which
    # the old signatures no longer count.
    kit = ui.kit()
    kit.opening(kit.bidders(2)[1], sid).object("唱标时第 2 号的工期读错了")
    qtbot.waitUntil(
        lambda: panel.record is not None and panel.record.record_sha256 != first, timeout=20_000
    )
    # Signing again is offered once the state and the record name the same new revision.
    qtbot.waitUntil(panel.confirm_button.isEnabled, timeout=10_000)
    assert panel.record.record_sha256 == feed.state.record_sha256 != first
    assert panel.signatures_model.rowCount() == 0
    feed.stop()


def test_hall_record_signing_refuses_a_revision_other_than_the_one_shown(
    ui: UiWorld, qtbot: Any
) -> None:
    from client.opening import OpeningClient
    from ui._record_panel import RecordChangedError, _sign_shown

    sid = _section(ui)
    kit = ui.kit()
    kit.run(sid, until="confirming")
    bidder: OpeningClient = kit.opening(kit.bidders(1)[0], sid)
    with pytest.raises(RecordChangedError):
        _sign_shown(bidder, "0" * 64, "confirm", None)
    assert _host_record(ui, sid).signatures == ()
    sig = _sign_shown(bidder, bidder.record().record_sha256, "confirm", None)
    assert sig.decision == "confirm"


def test_hall_record_stale_feed_disables_signing_until_fresh(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from faultproxy import FaultProxy

    import ui._opening_feed as feed_module

    monkeypatch.setattr(feed_module, "STALE_AFTER", 2.0)
    sid = _section(ui)
    ui.kit().run(sid, until="confirming")
    ui.login("bidder", 0)
    port = int(ui.sandbox.url.rsplit(":", 1)[1])
    with FaultProxy(("127.0.0.1", port)) as proxy:
        ui.ctx.set_setting("platform/mode", "url")
        ui.ctx.set_setting("platform/url", proxy.url)
        ui.ctx.platform_changed()
        panel, feed = _panel(ui, qtbot, sid)
        qtbot.waitUntil(panel.confirm_button.isEnabled, timeout=20_000)
        proxy.line_down()
        qtbot.waitUntil(lambda: feed.stale, timeout=20_000)
        assert panel.stale_banner.isVisible() and panel.stale_banner.text()
        assert not panel.confirm_button.isEnabled() and not panel.decline_button.isEnabled()
        proxy.line_up()
        qtbot.waitUntil(lambda: not feed.stale, timeout=30_000)
        qtbot.waitUntil(panel.confirm_button.isEnabled, timeout=10_000)
        assert not panel.stale_banner.isVisible()
        feed.stop()


@needs_pdftoppm
def test_operator_record_panel_saves_and_prints_the_finished_record(
    ui: UiWorld, qtbot: Any, tmp_path: Path
) -> None:
    sid = _section(ui)
    ui.login("host")
    panel, feed = _panel(ui, qtbot, sid)
    ui.kit().run(sid, until="finished")
    qtbot.waitUntil(lambda: panel.record is not None and panel.record.closed, timeout=30_000)
    qtbot.waitUntil(panel.save_pdf_button.isEnabled, timeout=10_000)
    assert panel.print_button.isEnabled()
    assert not panel.confirm_button.isEnabled() and not panel.decline_button.isEnabled()
    assert panel.signatures_model.rowCount() == 6
    assert panel.pending_label.text() == ""

    # Save PDF: the platform's signed PDF, checked, written whole.
    target = tmp_path / "开标记录.pdf"
    panel.ask_save_path = lambda kind, suggested: target if kind == "pdf" else None
    with qtbot.waitSignal(panel.saved, timeout=60_000):
        panel.save_pdf_button.click()
    kit = ui.kit()
    fetched = fetch_record_pdf(kit.client(kit.party("host")), sid)
    assert target.read_bytes() == fetched.pdf  # the same signed bytes
    reference = _pages(target, tmp_path)

    # Print onto a PDF-file printer: every page, each the original's.
    printed_file = tmp_path / "printed.pdf"
    printer = _pdf_printer(printed_file)
    with qtbot.waitSignal(panel.printed, timeout=60_000) as printed:
        panel.print_to(printer)
    assert printed.args == [len(reference)]
    _assert_pages_match(_pages(printed_file, tmp_path), reference, list(range(len(reference))))

    # The preview: opened without blocking; what it paints is the same pages.
    qtbot.waitUntil(panel.print_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(panel.previewOpened, timeout=60_000) as opened:
        panel.print_button.click()
    dialog = opened.args[0]
    assert dialog is panel.preview_dialog and dialog.isVisible()
    assert dialog.printer().docName() == panel._title()
    assert dialog.printer().pageLayout().orientation() == QPageLayout.Orientation.Landscape
    preview_file = tmp_path / "preview.pdf"
    dialog.paintRequested.emit(_pdf_printer(preview_file))
    assert dialog.pages_painted == len(reference)
    _assert_pages_match(_pages(preview_file, tmp_path), reference, list(range(len(reference))))
    dialog.reject()  # closed: its rendered pages (big images) are not kept by the panel
    assert panel.preview_dialog is None
    feed.stop()


def test_operator_record_pdf_that_does_not_verify_is_neither_saved_nor_printed(
    ui: UiWorld, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui._record_panel as panel_module
    from client.record import RecordPdf

    sid = _section(ui)
    ui.login("host")
    panel, feed = _panel(ui, qtbot, sid)
    ui.kit().run(sid, until="finished")
    qtbot.waitUntil(panel.save_pdf_button.isEnabled, timeout=30_000)

    # The platform's PDF altered on the way: its signature no longer holds.
    def tampered(client: Any, section_id: str, **kw: Any) -> RecordPdf:
        from reports.verify_pdf import verify_pdf

        good = fetch_record_pdf(client, section_id, **kw)
        pdf = good.pdf.replace(b"/Producer", b"/Pr0ducer", 1)
        anchors = load_certificates(client.platform_info().certificate_pem)
        report = verify_pdf(pdf, trust=anchors)
        return RecordPdf(pdf=pdf, report=report, section_id=section_id, ok=report.ok)

    monkeypatch.setattr(panel_module, "fetch_record_pdf", tampered)
    target = tmp_path / "record.pdf"
    with qtbot.waitSignal(panel.failed, timeout=60_000) as failed:
        panel.save_pdf_to(target)
    assert isinstance(failed.args[0], panel_module.RecordPdfInvalidError)
    assert not target.exists()
    assert panel.status_label.text() == failed.args[0].diagnostics("zh_CN")
    printer = _pdf_printer(tmp_path / "printed.pdf")
    with qtbot.waitSignal(panel.failed, timeout=60_000):
        panel.print_to(printer)
    assert not (tmp_path / "printed.pdf").exists()
    assert panel.pdf is None
    feed.stop()


def test_operator_record_pdf_write_error_names_the_file_in_the_user_language(
    tmp_path: Path,
) -> None:
    from ui._record_panel import _write
    from ui.errors import describe_error

    blocker = tmp_path / "不是文件夹"
    blocker.write_bytes(b"")
    target = blocker / "开标记录.pdf"  # its folder is a file: cannot be written
    with pytest.raises(OSError) as failed:
        _write(None, target, b"%PDF-1.7\n")  # type: ignore[arg-type]  # no job needed
    text = describe_error(failed.value, "zh_CN")
    assert text.startswith("无法读写文件") and "参数有误" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["不是文件夹"]  # nothing left
