"""The projects-and-sections page on the real embedded sandbox platform."""

from __future__ import annotations

import hashlib
import json
import re
import socket
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from uikit import UiWorld

import client.platform as client_platform
from client import PlatformClient, RetryPolicy, wire
from crypto import load_identity, seal
from ui._sections_model import COL_COUNTDOWN, COL_DEADLINE, COL_SECTOR, COL_STATUS, SectionRow
from ui.sections import NEW_ROLE, SectionsPage

CST = timezone(timedelta(hours=8))
FAST = RetryPolicy(attempts=2, initial=0.01, cap=0.02)


def _page(ui: UiWorld) -> SectionsPage:
    page = ui.window.page("sections")
    assert isinstance(page, SectionsPage)
    return page


def _login_and_load(ui: UiWorld, qtbot: Any) -> SectionsPage:
    page = _page(ui)
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        ui.login("bidder", 0)
    return page


def _reload(page: SectionsPage, qtbot: Any) -> None:
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.refresh()


def _seeded(ui: UiWorld) -> list[dict[str, Any]]:
    data = json.loads((ui.sandbox.data_dir / "sandbox.json").read_text("utf-8"))
    return list(data["sections"])


def _later_section(ui: UiWorld) -> str:
    """The works section days ahead that has a tender document and a clarification."""
    return next(
        s["id"] for s in _seeded(ui) if s["id"].startswith("HFJS") and "一标段" in s["name"]
    )


def _cell(page: SectionsPage, section_id: str, column: int, role: int = 0) -> Any:
    row = page.model.find(section_id)
    assert row >= 0
    return page.model.index(row, column).data(role or Qt.ItemDataRole.DisplayRole)


def _row(page: SectionsPage, section_id: str) -> SectionRow:
    row = page.row_for(section_id)
    assert row is not None
    return row


def _seconds(countdown: str) -> int:
    m = re.fullmatch(r"(?:(\d+) (?:天|d) )?(\d\d):(\d\d):(\d\d)", countdown)
    assert m is not None, countdown
    days, h, mi, s = (int(g or 0) for g in m.groups())
    return days * 86400 + h * 3600 + mi * 60 + s


def _client(ui: UiWorld, role: str, state: Path) -> PlatformClient:
    p12, password = ui.identity_files(role, 0)
    return PlatformClient(
        base_url=ui.sandbox.url,
        identity=load_identity(p12, password=password),
        state_dir=state,
        retry=FAST,
    )


def _publish_clarification(ui: UiWorld, section_id: str, name: str) -> wire.TenderDocument:
    note = ui.tmp / name
    note.write_text(f"{name}：投标有效期调整为 120 日历天。（测试）\n", "utf-8")
    with _client(ui, "host", ui.tmp / "host-state") as host:
        return host.publish_document(section_id, note, kind="clarification")


def _seal(ui: UiWorld, section: wire.Section, out: Path) -> Path:
    doc = ui.tmp / "商务标.pdf"
    doc.write_bytes(b"%PDF-1.4 bid for " + section.id.encode())
    p12, password = ui.identity_files("bidder", 0)
    out.parent.mkdir(parents=True, exist_ok=True)
    seal(
        [doc],
        out,
        identity=load_identity(p12, password=password),
        section=section.id,
        summary={"price": "1234567.89"},
        tender_version=section.tender_version,
        opening_time=section.opening_time,
    )
    return out


def test_login_first_then_sections_with_deadlines_in_utc8(ui: UiWorld, qtbot: Any) -> None:
    page = _page(ui)
    # The platform serves the catalogue to signed-in users only: the page says so first.
    assert page.stack.currentWidget() is page.login_state
    asked: list[bool] = []
    ui.window.show_login = lambda: asked.append(True)
    qtbot.mouseClick(page.login_button, Qt.MouseButton.LeftButton)
    assert asked == [True]

    page = _login_and_load(ui, qtbot)
    assert page.stack.currentWidget() is page.splitter
    seeded = _seeded(ui)
    assert page.model.rowCount() == len(seeded) == 3
    for s in seeded:
        deadline = datetime.fromisoformat(s["deadline"].replace("Z", "+00:00"))
        want = deadline.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S") + " 北京时间"
        assert _cell(page, s["id"], COL_DEADLINE) == want
    sectors = {_cell(page, s["id"], COL_SECTOR) for s in seeded}
    assert sectors == {"工程建设", "政府采购"}
    combo = [page.sector.itemData(i) for i in range(page.sector.count())]
    assert combo == ["", "工程建设", "政府采购"]
    # The details pane shows the selected section's form and documents.
    page.select_section(_later_section(ui))
    d = page.details
    labels = [d.fields_model.item(r, 0).text() for r in range(d.fields_model.rowCount())]
    assert labels == ["投标报价", "工期", "质量标准", "项目负责人", "投标保证金"]
    assert d.fields_model.item(0, 2).text() == "元"
    names = [d.docs_model.item(r, 0).text() for r in range(d.docs_model.rowCount())]
    assert names == ["招标文件.pdf", "答疑澄清第1号.txt"]
    # Nothing downloaded yet: the clarification is new to this user.
    assert d.docs_model.item(1, 0).data(NEW_ROLE) is True
    assert d.docs_model.item(0, 0).data(NEW_ROLE) is False
    assert not ui.errors()


def test_search_and_sector_filter_narrow_the_rows(ui: UiWorld, qtbot: Any) -> None:
    page = _login_and_load(ui, qtbot)
    assert page.proxy.rowCount() == 3
    page.search.setText("智慧教室")  # a project name, in Chinese
    assert page.proxy.rowCount() == 1
    page.search.setText("hfjs")  # a code, in another case
    assert page.proxy.rowCount() == 2
    page.search.setText("体育馆")  # a section name
    assert page.proxy.rowCount() == 1
    assert "体育馆" in page.proxy.index(0, 2).data()
    page.search.setText("不存在的项目")
    assert page.proxy.rowCount() == 0
    page.search.clear()
    page.sector.setCurrentIndex(page.sector.findData("政府采购"))
    assert page.proxy.rowCount() == 1
    assert page.proxy.index(0, COL_SECTOR).data() == "政府采购"
    page.search.setText("hfjs")
    assert page.proxy.rowCount() == 0  # both filters apply
    page.sector.setCurrentIndex(0)
    assert page.proxy.rowCount() == 2
    # Ctrl+F goes to the search box.
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.search.hasFocus, timeout=5_000)


def test_countdown_follows_the_platform_clock(ui: UiWorld, qtbot: Any) -> None:
    page = _login_and_load(ui, qtbot)
    later = _later_section(ui)
    quick = next(s["id"] for s in _seeded(ui) if "二标段" in s["name"])
    deadline = _row(page, later).section.deadline
    before = _seconds(_cell(page, later, COL_COUNTDOWN))
    assert abs(before - (deadline - datetime.now(UTC)).total_seconds()) < 5
    page.select_section(quick)
    assert page.details.prepare_button.isEnabled()

    # The platform's clock runs two days ahead; the app learns it when it measures the offset.
    ui.clock.offset = timedelta(days=2)
    with qtbot.waitSignal(ui.ctx.clockOffsetChanged, timeout=10_000):
        ui.window.refresh_offset()
    after = _seconds(_cell(page, later, COL_COUNTDOWN))
    assert abs(after - (deadline - datetime.now(UTC) - timedelta(days=2)).total_seconds()) < 5
    # The quick section's deadline has passed by the platform's clock: closed, no new bid.
    assert _cell(page, quick, COL_COUNTDOWN) == "已截止"
    assert not page.details.prepare_button.isEnabled()
    assert page.details.prepare_button.toolTip()
    assert page.details.countdown.text() == "已截止"
    assert not _row(page, quick).is_open(ui.ctx.server_now())


def test_download_checks_the_digest_into_a_chinese_folder(ui: UiWorld, qtbot: Any) -> None:
    page = _login_and_load(ui, qtbot)
    sid = _later_section(ui)
    page.select_section(sid)
    docs = _row(page, sid).section.documents
    page.details.select_documents([d.id for d in docs])
    folder = ui.tmp / "招标文件下载" / "滨湖十二中"
    with qtbot.waitSignal(page.downloaded, timeout=30_000) as blocker:
        page.download_selected(folder)
    paths = [Path(p) for p in blocker.args[0]]
    assert sorted(p.name for p in paths) == sorted(d.name for d in docs)
    for doc in docs:
        path = folder / doc.name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == doc.sha256
        assert doc.sha256 in page.details.result.text()
    assert not page.details.open_folder_button.isHidden()
    # Downloaded: the clarification is no longer new.
    d = page.details
    assert all(d.docs_model.item(r, 0).data(NEW_ROLE) is False for r in range(2))
    assert not ui.errors()


def test_newer_clarification_is_highlighted_after_refresh(ui: UiWorld, qtbot: Any) -> None:
    page = _login_and_load(ui, qtbot)
    sid = _later_section(ui)
    page.select_section(sid)
    page.details.select_documents([d.id for d in _row(page, sid).section.documents])
    with qtbot.waitSignal(page.downloaded, timeout=30_000):
        page.download_selected(ui.tmp / "文档")
    assert not _row(page, sid).new_clarifications

    new = _publish_clarification(ui, sid, "答疑澄清第2号.txt")
    _reload(page, qtbot)
    d = page.details
    rows = {d.docs_model.item(r, 0).text(): r for r in range(d.docs_model.rowCount())}
    assert set(rows) == {"招标文件.pdf", "答疑澄清第1号.txt", "答疑澄清第2号.txt"}
    assert d.docs_model.item(rows["答疑澄清第2号.txt"], 0).data(NEW_ROLE) is True
    assert d.docs_model.item(rows["答疑澄清第1号.txt"], 0).data(NEW_ROLE) is False
    assert [x.id for x in _row(page, sid).new_clarifications] == [new.id]
    assert _cell(page, sid, COL_STATUS, Qt.ItemDataRole.BackgroundRole) is not None


def test_warning_when_the_bid_was_sealed_for_an_old_tender_version(ui: UiWorld, qtbot: Any) -> None:
    page = _login_and_load(ui, qtbot)
    works = _later_section(ui)
    goods = next(s["id"] for s in _seeded(ui) if s["id"].startswith("AHZC"))
    bid = _seal(ui, _row(page, works).section, ui.ctx.bids_dir / "滨湖" / "投标文件.sealbid")
    with _client(ui, "bidder", ui.tmp / "bidder-state") as bidder:
        bidder.submit(works, bid)
    _reload(page, qtbot)
    row = _row(page, works)
    assert row.submitted and row.submission is not None and row.submission.version_known
    assert row.local is not None and Path(row.local.path) == bid
    assert not row.outdated
    page.select_section(works)
    assert page.details.warning.isHidden()

    # A clarification makes a new tender version: the submitted bid and the local file are old.
    _publish_clarification(ui, works, "答疑澄清第2号.txt")
    _reload(page, qtbot)
    row = _row(page, works)
    assert row.submission_outdated and row.local_outdated
    assert not page.details.warning.isHidden()
    assert "投标文件.sealbid" in page.details.warning.text()
    assert _cell(page, works, COL_STATUS, Qt.ItemDataRole.ForegroundRole) is not None

    # A bid sealed elsewhere is announced by the prepare page (ctx.sealedBid).
    elsewhere = _seal(ui, _row(page, goods).section, ui.tmp / "别处" / "第1包.sealbid")
    _publish_clarification(ui, goods, "第1包澄清.txt")
    _reload(page, qtbot)
    assert _row(page, goods).local is None
    with qtbot.waitSignal(page.localBidsChanged, timeout=10_000):
        ui.ctx.sealedBid.emit(goods, str(elsewhere))
    assert _row(page, goods).local_outdated
    page.select_section(goods)
    assert not page.details.warning.isHidden()
    assert not ui.errors()


def test_prepare_a_bid_navigates_with_the_section(ui: UiWorld, qtbot: Any) -> None:
    page = _login_and_load(ui, qtbot)
    sid = _later_section(ui)
    page.select_section(sid)
    page.view.setFocus()
    with qtbot.waitSignal(ui.ctx.navigate, timeout=5_000) as blocker:
        qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert blocker.args == ["prepare", sid]
    # Navigation to a section (from another page) selects it, even behind a filter.
    quick = next(s["id"] for s in _seeded(ui) if "二标段" in s["name"])
    page.search.setText("智慧教室")
    ui.window.navigate("sections", quick)
    assert page.selected_row() is not None and page.selected_row().id == quick
    page.select_section(sid)
    with qtbot.waitSignal(ui.ctx.navigate, timeout=5_000) as blocker:
        qtbot.mouseClick(page.details.prepare_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["prepare", sid]


def test_failed_load_keeps_the_rows_and_shows_the_error(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _login_and_load(ui, qtbot)
    assert page.model.rowCount() == 3
    # The fault: the platform's address now leads nowhere (a port nobody listens on). Retries
    # are made quick so the test does not wait half a minute for the client to give up.
    monkeypatch.setattr(client_platform, "RetryPolicy", lambda: FAST)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ui.ctx.set_setting("platform/mode", "url")
    ui.ctx.set_setting("platform/url", f"http://127.0.0.1:{port}")
    with qtbot.waitSignal(ui.ctx.errors.shown, timeout=30_000):
        ui.ctx.platform_changed()
    # A refresh asked for during the failing load runs after it (and fails the same way):
    # wait until no load is running or queued, then look at the page.
    qtbot.waitUntil(lambda: not page.loading, timeout=30_000)
    ui.wait_tasks()
    assert ui.errors()[-1][0] == "platform.connect"
    assert page.model.rowCount() == 3
    assert not page.busy.isVisible()
    assert page.notice.text()


def test_downloading_a_later_clarification_leaves_an_earlier_one_new(
    ui: UiWorld, qtbot: Any
) -> None:
    """Review finding: the page remembered the highest version downloaded, so fetching
    clarification #3 alone marked the unread #2 as read."""
    page = _login_and_load(ui, qtbot)
    sid = _later_section(ui)
    second = _publish_clarification(ui, sid, "答疑澄清第2号.txt")
    third = _publish_clarification(ui, sid, "答疑澄清第3号.txt")
    _reload(page, qtbot)
    page.select_section(sid)
    page.details.select_documents([third.id])
    with qtbot.waitSignal(page.downloaded, timeout=30_000):
        page.download_selected(ui.tmp / "只下载第3号")
    new_ids = {x.id for x in _row(page, sid).new_clarifications}
    assert second.id in new_ids
    assert third.id not in new_ids
    # Remembered across a reload (the setting, not just the row).
    _reload(page, qtbot)
    assert second.id in {x.id for x in _row(page, sid).new_clarifications}
    assert third.id not in {x.id for x in _row(page, sid).new_clarifications}
