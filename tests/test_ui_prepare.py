"""The "Prepare and seal" page on the real sandbox platform: form, documents, drafts, sealing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from uikit import UiWorld

from crypto import open_bid, verify
from crypto.ca import KeyType, Role, SandboxCA
from crypto.errors import ExpiresBeforeOpeningError
from ui._drafts import draft_path
from ui._summary_form import normalize_money
from ui.prepare import PreparePage

PRICE_CAPITALS = "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"


def _sections(page: PreparePage) -> list[str]:
    combo = page.section_combo
    return [combo.itemData(i) for i in range(combo.count())]


def open_section(ui: UiWorld, qtbot: Any, which: str = "works") -> PreparePage:
    """Log in, let the page list the sections, pick one in the chooser; the page."""
    if ui.ctx.identity is None:
        ui.login("bidder", 0)
    ui.window.navigate("prepare")
    page = ui.window.page("prepare")
    assert isinstance(page, PreparePage)
    qtbot.waitUntil(lambda: len(_sections(page)) >= 3, timeout=20_000)
    ids = _sections(page)
    # The works section a week ahead is HFJS-YYYY-0101-01; the goods lot (in 万元) AHZC-….
    if which == "works":
        sid = next(s for s in ids if s.startswith("HFJS") and s.endswith("-01"))
    else:
        sid = next(s for s in ids if s.startswith("AHZC"))
    with qtbot.waitSignal(page.sectionLoaded, timeout=20_000):
        page.section_combo.activated.emit(page.section_combo.findData(sid))
    assert page.section is not None and page.section.id == sid
    return page


def fill_valid(page: PreparePage, price: str = "1,234,567.89") -> None:
    page.form_widget.set_field("price", price)
    page.form_widget.set_field("duration", "365")
    page.form_widget.set_field("quality", "合格")
    page.form_widget.set_field("manager", "张三")
    page.form_widget.set_field("bond", "800000")


def make_docs(tmp: Path, *names: str, size: int = 2048) -> list[Path]:
    folder = tmp / "投标文件"
    folder.mkdir(exist_ok=True)
    out = []
    for i, name in enumerate(names):
        p = folder / name
        p.write_bytes(bytes([i + 1]) * size)
        out.append(p)
    return out


def test_form_is_generated_from_the_section_and_shows_capitals_live(
    ui: UiWorld, qtbot: Any
) -> None:
    page = open_section(ui, qtbot)
    form = page.form_widget
    assert form.keys() == ["price", "duration", "quality", "manager", "bond"]
    assert isinstance(form.editor("price"), QLineEdit)
    assert isinstance(form.editor("quality"), QComboBox)
    quality = form.editor("quality")
    assert isinstance(quality, QComboBox)
    assert [quality.itemText(i) for i in range(quality.count())] == ["合格", "优良"]
    assert form.editor("price").accessibleName() == "投标报价"

    price = form.editor("price")
    qtbot.keyClicks(price, "1234")
    assert "壹仟贰佰叁拾肆元整" in form.capital_label("price").text()
    qtbot.keyClicks(price, "567.8")
    assert "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角整" in form.capital_label("price").text()
    qtbot.keyClicks(price, "9")
    assert PRICE_CAPITALS in form.capital_label("price").text()
    assert form.summary()["price"] == "1234567.89"
    # Thousands separators and a full-width input method's digits are the same amount.
    form.set_field("price", "１，２３４，５６７．８９")
    assert form.summary()["price"] == "1234567.89"
    assert PRICE_CAPITALS in form.capital_label("price").text()
    # The preview shows the figures and the capitals, and who bids (from the certificate).
    preview = page.preview.toPlainText()
    assert "1,234,567.89 元" in preview and PRICE_CAPITALS in preview
    assert ui.sandbox.identities("bidder")[0].name in preview


def test_money_in_wan_yuan_is_written_in_yuan_capitals(ui: UiWorld, qtbot: Any) -> None:
    page = open_section(ui, qtbot, which="goods")
    form = page.form_widget
    assert "万元" in form._rows["price"].label.text()
    form.set_field("price", "123.4567")
    assert "壹佰贰拾叁万肆仟伍佰陆拾柒元整" in form.capital_label("price").text()
    assert form.field_problem("price") is None
    form.set_field("price", "1.1234567")  # finer than a fen
    assert form.field_problem("price")
    # The optional bond may stay empty; the required ones may not.
    assert not any("bond" in p or "投标保证金" in p for p in form.problems())


@pytest.mark.parametrize("bad", ["12a", "1.234", "-5", "1,23,4.00", "1e5"])
def test_invalid_money_blocks_sealing_with_a_reason(ui: UiWorld, qtbot: Any, bad: str) -> None:
    page = open_section(ui, qtbot)
    page.add_paths(make_docs(ui.tmp, "商务标.pdf"))
    fill_valid(page)
    assert page.seal_button.isEnabled()
    assert not page.reason_label.isVisible()
    page.form_widget.set_field("price", bad)
    assert not page.seal_button.isEnabled()
    assert page.reason_label.isVisible()
    assert "投标报价" in page.reason_label.text()
    message = page.form_widget.message_label("price")
    assert message.isVisibleTo(page.form_widget) and message.text()
    assert page.form_widget.editor("price").property("invalid") is True
    assert page.form_widget.capital_label("price").text() == ""
    # What was typed stays, so nothing is lost while it is being corrected.
    assert page.form_widget.field_text("price") == bad
    page.form_widget.set_field("price", "100.5")
    assert page.seal_button.isEnabled()


def test_missing_required_fields_and_documents_are_named(ui: UiWorld, qtbot: Any) -> None:
    page = open_section(ui, qtbot)
    assert not page.seal_button.isEnabled()
    reason = page.reason_label.text()
    assert "工期" in reason and "项目负责人" in reason
    fill_valid(page)
    assert not page.seal_button.isEnabled()
    assert page.tr("add at least one document") in page.reason_label.text()


def test_documents_add_reorder_remove_and_drop(ui: UiWorld, qtbot: Any) -> None:
    page = open_section(ui, qtbot)
    a, b, c = make_docs(ui.tmp, "商务标.pdf", "技术标（暗标）.pdf", "资格审查资料.docx")
    assert page.add_paths([a, b]) == []
    assert page.documents.names() == ["商务标.pdf", "技术标（暗标）.pdf"]
    assert page.documents.data(page.documents.index(0, 1)) == "2.0 KiB"
    assert "4.0 KiB" in page.total_label.text()

    # Refused: a folder, a missing file, the same file twice, a name a bid cannot hold, and
    # another file with the same name; each with its reason, the rest still added.
    (ui.tmp / "其他").mkdir()
    other = ui.tmp / "其他" / "商务标.pdf"
    other.write_bytes(b"x")
    con = ui.tmp / "其他" / "CON.pdf"
    con.write_bytes(b"x")
    problems = page.add_paths([ui.tmp / "其他", ui.tmp / "不存在.pdf", a, con, other, c])
    assert len(problems) == 5
    assert "folder" in problems[0] or "文件夹" in problems[0]
    assert "不存在.pdf" in problems[1]
    assert "CON" in problems[3]
    assert page.doc_message.text().count("\n") == 4
    assert page.documents.names() == ["商务标.pdf", "技术标（暗标）.pdf", "资格审查资料.docx"]

    # Alt+Down moves the selected document, Alt+Up back, Del removes.
    view = page.doc_view
    page.tabs.setCurrentIndex(0)
    view.setFocus()
    view.selectRow(0)
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert page.documents.names() == ["技术标（暗标）.pdf", "商务标.pdf", "资格审查资料.docx"]
    assert view.selected_rows() == [1]  # the selection follows the moved row
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert page.documents.names()[2] == "商务标.pdf"
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert page.documents.names() == ["技术标（暗标）.pdf", "资格审查资料.docx"]

    # Files dropped from the desktop go in where they are dropped (here: empty space → end).
    d = make_docs(ui.tmp, "报价清单.xlsx")[0]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(d)), QUrl.fromLocalFile(str(ui.tmp / "其他"))])
    page.show()
    view.resize(600, 400)
    pos = QPointF(view.viewport().rect().bottomLeft()) + QPointF(10, -5)
    # What the window system sends while a file is dragged in and released: enter, move, drop.
    for event_type in (QDragEnterEvent, QDragMoveEvent, QDropEvent):
        args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton)
        point = pos if event_type is QDropEvent else pos.toPoint()
        event = event_type(point, *args, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(view.viewport(), event)
        assert event.isAccepted()
    assert page.documents.names() == ["技术标（暗标）.pdf", "资格审查资料.docx", "报价清单.xlsx"]
    assert "其他" in page.doc_message.text()

    # Dragging rows inside the list reorders them (the model's drop of its own rows).
    rows = page.documents.mimeData([page.documents.index(2, 0)])
    assert page.documents.dropMimeData(rows, Qt.DropAction.MoveAction, 0, 0, view.rootIndex())
    assert page.documents.names() == ["报价清单.xlsx", "技术标（暗标）.pdf", "资格审查资料.docx"]


def test_draft_is_saved_and_restored_after_a_restart(ui: UiWorld, qtbot: Any) -> None:
    page = open_section(ui, qtbot)
    docs = make_docs(ui.tmp, "商务标.pdf", "技术标.pdf", "资格审查资料.pdf")
    page.add_paths(docs)
    page.doc_view.selectRow(2)
    page.move_selected(-1)
    fill_valid(page, price="12,345,678.90")
    page.form_widget.set_field("manager", "李四 ")
    out = ui.tmp / "我的投标.sealbid"
    with qtbot.waitSignal(page.draftSaved, timeout=10_000) as saved:
        page.output_edit.setText(str(out))
    path = Path(saved.args[0])
    assert path == draft_path(ui.ctx.drafts_dir, page.section_id or "")
    body = json.loads(path.read_text("utf-8"))
    assert body["documents"] == [str(docs[0]), str(docs[2]), str(docs[1])]
    assert body["fields"]["price"] == "12,345,678.90"
    # Exactly what a draft holds: no room for a password or a key.
    assert set(body) == {
        "format",
        "version",
        "section",
        "documents",
        "fields",
        "output",
        "last_sealed",
    }
    sid = page.section_id
    ui.wait_tasks()

    # "Restart": a fresh page on the same data folder; one document has gone missing meanwhile.
    docs[1].unlink()
    fresh = PreparePage(ui.ctx)
    qtbot.addWidget(fresh)
    with qtbot.waitSignal(fresh.sectionLoaded, timeout=20_000):
        fresh.show_item(sid)
    assert fresh.documents.names() == ["商务标.pdf", "资格审查资料.pdf", "技术标.pdf"]
    assert fresh.documents.missing() == [docs[1]]
    assert fresh.documents.data(fresh.documents.index(2, 1)) == fresh.documents.tr("missing")
    assert "技术标.pdf" in fresh.doc_message.text()
    assert fresh.form_widget.field_text("price") == "12,345,678.90"
    assert fresh.form_widget.field_text("manager") == "李四 "
    assert fresh.form_widget.field_text("quality") == "合格"
    assert fresh.output_edit.text() == str(out)
    assert not fresh.seal_button.isEnabled()
    assert "技术标.pdf" in fresh.reason_label.text()
    # Putting the file back (the page refreshes sizes when shown) lets the bid be sealed.
    docs[1].write_bytes(b"back")
    fresh.activated()
    assert fresh.documents.missing() == []
    assert fresh.seal_button.isEnabled()


def test_a_damaged_draft_is_set_aside_and_reported(ui: UiWorld, qtbot: Any) -> None:
    ui.login("bidder", 0)
    ui.window.navigate("prepare")
    page = ui.window.page("prepare")
    assert isinstance(page, PreparePage)
    qtbot.waitUntil(lambda: len(_sections(page)) >= 3, timeout=20_000)
    sid = next(s for s in _sections(page) if s.startswith("AHZC"))
    path = draft_path(ui.ctx.drafts_dir, sid)
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"format": "sealbid-draft", "documents": [')  # cut off by a crash
    with qtbot.waitSignal(page.sectionLoaded, timeout=20_000):
        ui.ctx.navigate.emit("prepare", sid)
    assert path.with_name(path.name + ".damaged").exists() and not path.exists()
    assert "JSON" in page.doc_message.text()
    assert page.documents.rowCount() == 0
    # The next change writes a fresh draft beside the damaged copy.
    with qtbot.waitSignal(page.draftSaved, timeout=10_000):
        page.form_widget.set_field("manager", "王五")
    assert json.loads(path.read_text("utf-8"))["fields"]["manager"] == "王五"


def test_seal_a_small_bid_that_opens_with_the_bidders_key(ui: UiWorld, qtbot: Any) -> None:
    page = open_section(ui, qtbot)
    docs = make_docs(ui.tmp, "商务标.pdf", "技术标.pdf")
    page.add_paths(docs)
    fill_valid(page)
    seen: list[tuple[str, str]] = []
    ui.ctx.sealedBid.connect(lambda s, p: seen.append((s, p)))
    assert page.seal_button.isEnabled()
    with qtbot.waitSignal(page.sealed, timeout=30_000) as sealed:
        qtbot.keyClick(page, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    result = sealed.args[0]
    path = Path(result.path)
    assert path.parent == ui.ctx.bids_dir
    assert path.name.startswith(page.section.code) and path.suffix == ".sealbid"
    assert seen == [(page.section_id, str(path))]
    assert page.result_box.isVisible()
    assert page.result_label.text().startswith(
        page.tr("Self-check passed: your key opens this bid.")
    )
    assert result.payload_sha256 in page.result_label.text()
    assert ui.errors() == []

    info = verify(path).info
    assert info.section == page.section_id
    assert info.tender_version == page.section.tender_version
    opened = open_bid(path, ui.ctx.identity, ui.tmp / "opened")
    assert opened.summary == {
        "price": "1234567.89",
        "duration": 365,
        "quality": "合格",
        "manager": "张三",
        "bond": "800000",
    }
    assert [name for name, _ in opened.documents] == ["商务标.pdf", "技术标.pdf"]
    assert (opened.directory / "documents" / "技术标.pdf").read_bytes() == docs[1].read_bytes()

    # "Submit now" hands the file to the submissions page.
    navigated: list[tuple[str, object]] = []
    ui.ctx.navigate.connect(lambda key, item: navigated.append((key, item)))
    qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    assert navigated[0] == ("submissions", {"section": page.section_id, "path": str(path)})


def test_cancel_while_sealing_leaves_no_file_and_no_error(ui: UiWorld, qtbot: Any) -> None:
    page = open_section(ui, qtbot)
    big = ui.tmp / "投标文件（大）.bin"
    with open(big, "wb") as f:
        f.truncate(256 << 20)  # sparse: quick to make, 65536 chunks of 4 KiB to seal
    page.add_paths([big])
    fill_valid(page)
    page.chunk_size = 4096
    cancelled: list[bool] = []
    page.sealCancelled.connect(lambda: cancelled.append(True))
    with qtbot.waitSignal(page.sealProgress, timeout=30_000):
        page.start_seal()
    assert page.progress_box.isVisible()
    assert not page.seal_button.isEnabled()
    page.cancel_button.click()
    ui.wait_tasks()
    assert cancelled == [True]
    assert not page.progress_box.isVisible()
    assert list(ui.ctx.bids_dir.iterdir()) == []  # neither the bid nor a temporary part
    assert ui.errors() == []
    assert page.seal_button.isEnabled()


def test_sealing_without_login_says_so_and_offers_it(ui: UiWorld, qtbot: Any) -> None:
    page = open_section(ui, qtbot)
    page.add_paths(make_docs(ui.tmp, "商务标.pdf"))
    fill_valid(page)
    ui.ctx.set_identity(None)
    assert page.login_button.isVisible()
    failed: list[str] = []
    page.sealFailed.connect(failed.append)
    qtbot.mouseClick(page.seal_button, Qt.MouseButton.LeftButton)
    assert failed and page.seal_status.text() == failed[0]
    assert failed[0] == page.tr(
        "Log in with your certificate before sealing: the bid is signed with your signing"
        " key and must open with your own encryption key."
    )
    assert page.login_prompt is not None and page.login_prompt.isVisible()
    page.login_prompt.reject()
    assert page.seal_task is None
    assert not ui.ctx.bids_dir.exists() or list(ui.ctx.bids_dir.iterdir()) == []


def test_certificate_expiring_before_the_opening_is_refused(ui: UiWorld, qtbot: Any) -> None:
    page = open_section(ui, qtbot)
    page.add_paths(make_docs(ui.tmp, "商务标.pdf"))
    fill_valid(page)
    # The same company, a certificate from the sandbox CA that ends before the opening.
    bidder = ui.sandbox.identities("bidder")[0]
    ca = SandboxCA.load(ui.sandbox.data_dir / "sandbox" / "ca")
    short = ca.issue(
        role=Role.BIDDER,
        name=bidder.name,
        org_code=bidder.org_code,
        key_type=KeyType.P256,
        not_after=datetime.now(UTC) + timedelta(days=1),
    )
    ui.ctx.set_identity(short.identity())
    with qtbot.waitSignal(page.sealFailed, timeout=30_000) as failed:
        page.start_seal()
    ui.wait_tasks()
    assert ui.errors()[-1][0] == ExpiresBeforeOpeningError.code
    assert ui.errors()[-1][1] in failed.args[0]
    assert not page.result_box.isVisible()
    assert not ui.ctx.bids_dir.exists() or list(ui.ctx.bids_dir.iterdir()) == []


def test_a_new_clarification_stops_sealing_until_the_bidder_has_seen_it(
    ui: UiWorld, qtbot: Any
) -> None:
    page = open_section(ui, qtbot)
    page.add_paths(make_docs(ui.tmp, "商务标.pdf"))
    fill_valid(page)
    before = page.section.tender_version
    ui.sandbox.platform.publish_document(
        None, page.section_id, "答疑澄清第2号.txt", "clarification", "工期不变。".encode()
    )
    with qtbot.waitSignal(page.sectionLoaded, timeout=30_000) as loaded:
        page.start_seal()
    assert loaded.args[0].tender_version != before
    assert page.section.tender_version == loaded.args[0].tender_version
    assert ui.errors()[-1][0] == "ui.tender_changed"
    assert not ui.ctx.bids_dir.exists() or list(ui.ctx.bids_dir.iterdir()) == []
    # What was typed is still there, and sealing now goes through.
    assert page.form_widget.summary()["price"] == "1234567.89"
    with qtbot.waitSignal(page.sealed, timeout=30_000) as sealed:
        page.start_seal()
    assert verify(sealed.args[0].path).info.tender_version == page.section.tender_version


def test_export_preview_pdf(ui: UiWorld, qtbot: Any) -> None:
    page = open_section(ui, qtbot)
    fill_valid(page)
    target = ui.tmp / "导出" / "开标一览表.pdf"
    with qtbot.waitSignal(page.previewExported, timeout=30_000):
        page.export_preview(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert [p.name for p in target.parent.iterdir()] == ["开标一览表.pdf"]


def test_normalize_money() -> None:
    assert normalize_money(" 1,234,567.89 ") == ("1234567.89", None)
    assert normalize_money("１２３４．５") == ("1234.5", None)
    assert normalize_money("12,34.5")[1] == "misplaced"
    assert normalize_money("abc") == ("abc", None)


def test_sealing_twice_to_a_chosen_file_asks_before_replacing_it(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding: a second seal silently replaced the chosen file (maybe the submitted
    one). Now it asks (No by default); with the default name a fresh name is used."""
    page = open_section(ui, qtbot)
    page.add_paths(make_docs(ui.tmp, "商务标.pdf"))
    fill_valid(page)
    out = ui.tmp / "我的投标.sealbid"
    page.output_edit.setText(str(out))
    with qtbot.waitSignal(page.sealed, timeout=30_000):
        page.start_seal()
    first = out.read_bytes()
    asked: list[Path] = []
    monkeypatch.setattr(page, "confirm_overwrite", lambda p: asked.append(p) or False)
    page.start_seal()
    assert asked == [out]
    assert page.seal_task is None and out.read_bytes() == first
    # The default name never replaces an earlier file either.
    page.output_edit.clear()
    with qtbot.waitSignal(page.sealed, timeout=30_000) as one:
        page.start_seal()
    monkeypatch.setattr(page, "_default_output", lambda stamp=None: one.args[0].path)
    with qtbot.waitSignal(page.sealed, timeout=30_000) as two:
        page.start_seal()
    assert two.args[0].path != one.args[0].path and one.args[0].path.exists()


def test_an_unreadable_draft_is_never_overwritten(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding: a draft that could not be read (locked by another program) was
    replaced by the empty form at the next keystroke."""
    import ui.prepare as prepare_module
    from ui._drafts import DraftUnreadableError

    page = open_section(ui, qtbot)
    page.add_paths(make_docs(ui.tmp, "商务标.pdf"))
    fill_valid(page, price="12,345,678.90")
    with qtbot.waitSignal(page.draftSaved, timeout=10_000) as saved:
        page.form_widget.set_field("manager", "王五")
    path = Path(saved.args[0])
    ui.wait_tasks()
    kept = path.read_bytes()

    def locked(p: Path) -> None:
        raise DraftUnreadableError("locked", path=str(p), why="Permission denied")

    monkeypatch.setattr(prepare_module, "read_draft", locked)
    sid = page.section_id
    fresh = PreparePage(ui.ctx)
    qtbot.addWidget(fresh)
    with qtbot.waitSignal(fresh.sectionLoaded, timeout=20_000):
        fresh.show_item(sid)
    assert "Permission denied" in fresh.doc_message.text()
    fresh.form_widget.set_field("duration", "200")
    (ui.tmp / "later").mkdir()
    fresh.add_paths(make_docs(ui.tmp / "later", "另一个.pdf"))
    qtbot.wait(800)  # longer than the draft's 500 ms debounce: a save would have happened
    ui.wait_tasks()
    assert path.read_bytes() == kept


def test_nothing_can_be_added_while_the_section_and_its_draft_load(ui: UiWorld, qtbot: Any) -> None:
    """Review finding: files added during the load were replaced by the draft's."""
    page = open_section(ui, qtbot)
    sid = page.section_id
    fresh = PreparePage(ui.ctx)
    qtbot.addWidget(fresh)
    with qtbot.waitSignal(fresh.sectionLoaded, timeout=20_000):
        fresh.show_item(sid)
        assert not fresh.add_button.isEnabled()
        assert not fresh.form_widget.isEnabled()
    assert fresh.add_button.isEnabled() and fresh.form_widget.isEnabled()


def test_a_closed_section_cannot_be_sealed(ui: UiWorld, qtbot: Any) -> None:
    """Review finding: after the deadline (platform time) the page still sealed."""
    page = open_section(ui, qtbot)
    page.add_paths(make_docs(ui.tmp, "商务标.pdf"))
    fill_valid(page)
    assert page.seal_button.isEnabled()
    assert page.section is not None
    ui.clock.offset = page.section.deadline - datetime.now(UTC) + timedelta(minutes=1)
    ui.ctx.note_clock_offset(ui.clock.offset)
    page._update_state()
    assert not page.seal_button.isEnabled()
    assert any("deadline" in b or "截止" in b for b in page.seal_blockers())
