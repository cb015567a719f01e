"""The opening host's console (开标主持台): the host runs a real opening on the embedded platform
through the buttons while bidders act through their own clients; the board follows live;
failures are decided by cause; refused steps show the platform's words and lose nothing; the
recorder watches; a stale feed disables the steps; a restarted app finds the opening as it is."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from uikit import UiWorld

import ui._opening_feed as feed_module
from client import wire
from ui._operator_close import FailureDecisionDialog
from ui._operator_models import BoardModel
from ui.operator import OperatorPage
from ui.widgets import row_table

TIMEOUT = 20_000


# --- helpers ---------------------------------------------------------------------------------


def _section(ui: UiWorld, bidders: int = 3) -> str:
    kit = ui.kit()
    sid: str = kit.section(bidders=bidders)
    kit.past_opening(sid)
    return sid


def _console(ui: UiWorld, role: str = "host", index: int = 0) -> OperatorPage:
    ui.login(role, index)
    page = ui.window.page("operator")
    assert isinstance(page, OperatorPage)
    asked: list[tuple[str, str]] = []
    page.confirm = lambda title, text: asked.append((title, text)) is None
    page.asked = asked  # type: ignore[attr-defined]
    return page


def _open(ui: UiWorld, page: OperatorPage, sid: str) -> None:
    """Pick ``sid`` in the openings list, as the host does."""
    qtbot = ui.qtbot
    qtbot.waitUntil(
        lambda: page.openings_model.row_where(lambda r: r.section_id == sid) >= 0, timeout=TIMEOUT
    )
    page.openings_view.selectRow(page.openings_model.row_where(lambda r: r.section_id == sid))
    qtbot.waitUntil(
        lambda: page.feed is not None and page.feed.state is not None and not page.feed.stale,
        timeout=TIMEOUT,
    )
    assert page.feed is not None and page.feed.section_id == sid


def _state(page: OperatorPage) -> wire.OpeningState:
    assert page.feed is not None and page.feed.state is not None
    return page.feed.state


def _wait_phase(ui: UiWorld, page: OperatorPage, phase: str) -> None:
    ui.qtbot.waitUntil(
        lambda: (
            page.feed is not None
            and page.feed.state is not None
            and page.feed.state.phase == phase
            and not page._busy
        ),
        timeout=TIMEOUT,
    )


def _click(ui: UiWorld, button: Any) -> None:
    ui.qtbot.waitUntil(button.isEnabled, timeout=TIMEOUT)
    button.click()


def _board(page: OperatorPage, number: int, column: int) -> str:
    row = page.board_model.row_where(lambda b: b.number == number)
    assert row >= 0
    return str(page.board_model.data(page.board_model.index(row, column)))


def _entry(page: OperatorPage, name: str) -> wire.BidderEntry:
    rows = [b for b in page.board_model.rows() if b.name == name]
    assert len(rows) == 1
    return rows[0]


def _bidder(n: int, status: str, at: datetime | None = None) -> wire.BidderEntry:
    """A board row as the platform sends it (for the tables and the dialog alone)."""
    at = at or datetime.now(UTC)
    return wire.BidderEntry(
        number=n,
        name=f"投标人{n}",
        org_code=f"ORG{n}",
        received_at=at,
        file_sha256="0" * 64,
        signed_in_at=at,
        decryption=status,  # type: ignore[arg-type]
    )


def _to_window(ui: UiWorld, sid: str, *, release: tuple[int, ...] = ()) -> None:
    """Start, sign in all three, publish and open a 30-minute window as the host's other
    client; then the given bidders release their keys."""
    kit = ui.kit()
    host = kit.opening(kit.party("host"), sid)
    people = [kit.opening(b, sid) for b in kit.bidders(3)]
    host.start()
    for o in people:
        o.signin()
    host.publish_list()
    host.open_window(30)
    for i in release:
        people[i].release()


# --- tests -----------------------------------------------------------------------------------


def test_operator_host_runs_start_publish_window_and_the_board_follows_live(
    ui: UiWorld, qtbot: Any
) -> None:
    sid = _section(ui)
    kit = ui.kit()
    page = _console(ui)
    _open(ui, page, sid)
    assert not page.console.isHidden() and page.note_box.isHidden()
    assert _state(page).phase == "waiting"
    assert not page.publish_button.isEnabled() and not page.close_button.isEnabled()

    _click(ui, page.start_button)
    _wait_phase(ui, page, "signin")
    assert page.asked  # type: ignore[attr-defined]  # asked before an irreversible step
    assert "开标测试标段" in page.section_label.text()
    people = [kit.opening(b, sid) for b in kit.bidders(3)]
    people[0].signin()
    people[1].signin()
    # Before the list is out the staff see the count (the bidders see nobody).
    qtbot.waitUntil(lambda: _state(page).signed_in == 2, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "2" in page.summary_label.text(), timeout=TIMEOUT)
    assert not page.start_button.isEnabled()

    _click(ui, page.publish_button)
    _wait_phase(ui, page, "listed")
    qtbot.waitUntil(lambda: page.board_model.rowCount() == 3, timeout=TIMEOUT)
    names = kit.bidders(3)
    assert _entry(page, names[0].name).signed_in_at is not None
    assert _entry(page, names[2].name).signed_in_at is None
    people[2].signin()  # late, but before the window's end: allowed
    qtbot.waitUntil(lambda: _entry(page, names[2].name).signed_in_at is not None, timeout=TIMEOUT)

    page.window_minutes.setValue(20)
    _click(ui, page.open_window_button)
    _wait_phase(ui, page, "window")
    s = _state(page)
    assert s.window_closes_at is not None and s.window_opened_at is not None
    assert s.window_closes_at - s.window_opened_at == timedelta(minutes=20)
    qtbot.waitUntil(lambda: "00:19:" in page.countdown_label.text(), timeout=TIMEOUT)

    people[1].release()
    n1 = _entry(page, names[1].name).number
    qtbot.waitUntil(lambda: _entry(page, names[1].name).decryption == "opened", timeout=TIMEOUT)
    assert _board(page, n1, 5) == page.text.decryption("opened")
    assert _board(page, n1, 4) != "—"  # released (decryption started) at
    assert "3/3" in page.summary_label.text() and "1/3" in page.summary_label.text()
    log = page.log_view.toPlainText()
    assert log.count("\n") >= 5  # phase ×3, sign-ins, list, window, decryption
    assert page.text.phase("window") in log
    row = page.openings_model.row_where(lambda r: r.section_id == sid)
    assert page.openings_model.row(row).phase == "window"
    assert page.extend_button.isEnabled() and page.close_button.isEnabled()
    assert not page.announce_button.isEnabled()
    assert ui.errors() == []


def test_operator_extend_needs_a_reason_and_early_close_is_refused_while_bids_are_pending(
    ui: UiWorld, qtbot: Any
) -> None:
    sid = _section(ui)
    _to_window(ui, sid, release=(0, 1))
    page = _console(ui)
    _open(ui, page, sid)
    _wait_phase(ui, page, "window")
    before = _state(page).window_closes_at
    assert before is not None

    # No reason: refused here, nothing sent, the minutes stay as typed.
    page.extend_minutes.setValue(15)
    page.extend_reason.clear()
    _click(ui, page.extend_button)
    assert "reason" in page.step_message.text().lower() or "理由" in page.step_message.text()
    assert _state(page).window_closes_at == before
    assert page.extend_minutes.value() == 15

    page.extend_reason.setText("投标人 3 的 CA 锁驱动故障")
    _click(ui, page.extend_button)
    qtbot.waitUntil(
        lambda: _state(page).window_closes_at == before + timedelta(minutes=15), timeout=TIMEOUT
    )
    qtbot.waitUntil(lambda: "CA 锁驱动故障" in page.log_view.toPlainText(), timeout=TIMEOUT)
    assert page.extend_reason.text() == ""

    # Early close while bidder 3 has not released: the platform refuses; nothing changes.
    decided: list[Any] = []
    page.ask_failure_decisions = lambda entries: decided.append(entries)  # type: ignore[func-returns-value]
    _click(ui, page.close_button)
    qtbot.waitUntil(lambda: "全部解密后方可提前结束" in page.step_message.text(), timeout=TIMEOUT)
    assert decided == []  # early: no decisions asked (the platform would not take them)
    assert ui.errors() == []  # the platform's answer is said on the page, not in a dialog too
    qtbot.waitUntil(lambda: page.close_button.isEnabled(), timeout=TIMEOUT)
    assert _state(page).phase == "window"
    assert sum(1 for b in _state(page).bidders if b.decryption == "opened") == 2


def test_operator_close_after_the_window_decides_the_unopened_bid_by_cause(
    ui: UiWorld, qtbot: Any
) -> None:
    sid = _section(ui)
    _to_window(ui, sid, release=(0, 1))
    kit = ui.kit()
    page = _console(ui)
    _open(ui, page, sid)
    _wait_phase(ui, page, "window")
    late = _entry(page, kit.bidders(3)[2].name)
    assert late.decryption == "pending" and late.org_code

    # The event stream is up (logged in) before the platform's clock jumps.
    qtbot.waitUntil(
        lambda: page.text.phase("window") in page.log_view.toPlainText(), timeout=TIMEOUT
    )
    ui.clock.offset += timedelta(minutes=31)
    assert page.feed is not None
    page.feed.refresh()
    closes = _state(page).window_closes_at
    assert closes is not None
    qtbot.waitUntil(
        lambda: page.feed is not None and page.feed.server_now() > closes, timeout=TIMEOUT
    )

    asked: list[list[wire.BidderEntry]] = []

    def decide(entries: Any) -> tuple[str, list[wire.FailureDecision]]:
        asked.append(list(entries))
        return (
            "投标人未在解密时间内解密，按第三十一条处理",
            [
                wire.FailureDecision(
                    org_code=late.org_code or "", fault="bidder", reason="未在解密时间内提交密钥"
                )
            ],
        )

    page.ask_failure_decisions = decide
    _click(ui, page.close_button)
    _wait_phase(ui, page, "closed")
    assert [[b.number for b in entries] for entries in asked] == [[late.number]]
    qtbot.waitUntil(lambda: _entry(page, late.name).decryption == "revoked", timeout=TIMEOUT)
    entry = _entry(page, late.name)
    assert entry.cause is not None and "未在解密时间内提交密钥" in entry.cause
    assert _board(page, late.number, 5) == page.text.decryption("revoked")
    assert "未在解密时间内提交密钥" in _board(page, late.number, 7)
    opened = [b for b in _state(page).bidders if b.decryption == "opened"]
    assert len(opened) == 2 and all(b.summary for b in opened)
    qtbot.waitUntil(lambda: "第三十一条" in page.log_view.toPlainText(), timeout=TIMEOUT)
    assert "1" in page.summary_label.text()  # revoked 1
    assert page.announce_button.isEnabled() and not page.close_button.isEnabled()


def test_operator_announces_answers_an_objection_and_finishes_only_after_staff_signed(
    ui: UiWorld, qtbot: Any
) -> None:
    sid = _section(ui)
    _to_window(ui, sid, release=(0, 1, 2))
    kit = ui.kit()
    kit.opening(kit.party("host"), sid).close(early=True)
    page = _console(ui)
    _open(ui, page, sid)
    _wait_phase(ui, page, "closed")

    page.confirmation_minutes.setValue(45)
    _click(ui, page.announce_button)
    _wait_phase(ui, page, "confirming")
    s = _state(page)
    assert s.record_sha256 and s.confirmation_until is not None
    assert s.closed_at is not None
    assert s.confirmation_until - s.server_time <= timedelta(minutes=45)
    assert s.confirmation_until - s.server_time > timedelta(minutes=40)
    assert page.record_panel is not None

    bidders = [kit.opening(b, sid) for b in kit.bidders(3)]
    objection = bidders[0].object("第 2 号投标人的工期与招标文件不符")
    qtbot.waitUntil(lambda: page.objections_model.rowCount() == 1, timeout=TIMEOUT)
    assert not page.answer_button.isEnabled()  # nothing selected yet
    # Empty answer: refused here.
    assert page.select_objection(objection.id)
    _click(ui, page.answer_button)
    assert "answer" in page.step_message.text().lower() or "答复" in page.step_message.text()
    page.answer_text.setText("经核对，工期满足招标文件要求")
    _click(ui, page.answer_button)
    qtbot.waitUntil(
        lambda: _state(page).objections and _state(page).objections[0].answer is not None,
        timeout=TIMEOUT,
    )
    assert _state(page).objections[0].answer == "经核对，工期满足招标文件要求"
    qtbot.waitUntil(lambda: "经核对" in page.log_view.toPlainText(), timeout=TIMEOUT)

    # Nobody signed: the platform refuses, its reason shown, the opening stays as it was.
    _wait_phase(ui, page, "confirming")
    _click(ui, page.finish_button)
    qtbot.waitUntil(lambda: "还不能结束开标" in page.step_message.text(), timeout=TIMEOUT)
    _wait_phase(ui, page, "confirming")

    for o in bidders:
        o.sign_record("confirm")
    for role in ("host", "recorder", "supervisor"):
        kit.opening(kit.party(role), sid).sign_record("confirm")
    qtbot.waitUntil(lambda: len(page.staff_signatures()) == 3, timeout=TIMEOUT)
    assert page.text.decision("confirm") in page.staff_label.text()
    _click(ui, page.finish_button)
    _wait_phase(ui, page, "finished")
    assert not any(
        b.isEnabled()
        for b in (page.finish_button, page.announce_button, page.answer_button, page.start_button)
    )


def test_operator_recorder_watches_the_board_with_the_steps_disabled(
    ui: UiWorld, qtbot: Any
) -> None:
    sid = _section(ui)
    _to_window(ui, sid, release=(0,))
    page = _console(ui, "recorder")
    _open(ui, page, sid)
    _wait_phase(ui, page, "window")
    qtbot.waitUntil(lambda: page.board_model.rowCount() == 3, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: page.role == "recorder", timeout=TIMEOUT)
    assert sum(1 for b in page.board_model.rows() if b.decryption == "opened") == 1
    assert page.record_panel is not None
    steps = (
        page.start_button,
        page.publish_button,
        page.open_window_button,
        page.extend_button,
        page.close_button,
        page.announce_button,
        page.answer_button,
        page.finish_button,
    )
    assert not any(b.isEnabled() for b in steps)
    assert not page.role_note.isHidden()
    assert page.close_window() is None  # not even by calling it
    assert _state(page).phase == "window"


def test_operator_note_for_nobody_and_for_a_bidder(ui: UiWorld, qtbot: Any) -> None:
    page = ui.window.page("operator")
    assert isinstance(page, OperatorPage)
    assert page.console.isHidden() and not page.note_box.isHidden()
    assert page.note_label.text()  # log in first
    nobody = page.note_label.text()
    ui.login("bidder", 0)
    qtbot.waitUntil(lambda: page.role == "bidder", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: page.note_label.text() != nobody, timeout=TIMEOUT)
    assert page.console.isHidden() and not page.hall_button.isHidden()
    assert page.feed is None
    page.hall_button.click()
    assert ui.window.stack.currentWidget() is ui.window.page("hall")


def test_operator_failed_tender_with_fewer_than_three_bids(ui: UiWorld, qtbot: Any) -> None:
    sid = _section(ui, bidders=2)
    page = _console(ui)
    _open(ui, page, sid)
    _click(ui, page.start_button)
    qtbot.waitUntil(lambda: _state(page).outcome == "failed", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "流标" in page.phase_label.text(), timeout=TIMEOUT)
    assert not page.publish_button.isEnabled() and not page.open_window_button.isEnabled()


def test_operator_stale_feed_disables_the_steps_and_recovers(
    ui: UiWorld, qtbot: Any, monkeypatch: Any
) -> None:
    sid = _section(ui)
    kit = ui.kit()
    kit.opening(kit.party("host"), sid).start()
    gate = threading.Event()
    real_follow = feed_module._follow

    def blocked_stream(job: Any, *args: Any) -> None:
        # The event stream hangs (a dead line): nothing arrives until the gate opens.
        job.on_cancel(gate.set)
        gate.wait(60)
        if not job.cancelled():
            real_follow(job, *args)

    monkeypatch.setattr(feed_module, "_follow", blocked_stream)
    monkeypatch.setattr(feed_module, "STALE_AFTER", 1.0)
    page = _console(ui)
    _open(ui, page, sid)
    qtbot.waitUntil(lambda: not page.stale_banner.isHidden(), timeout=TIMEOUT)
    assert page.feed is not None and page.feed.stale
    assert ":" in page.stale_banner.text()  # "shown as of HH:MM:SS"
    assert not page.publish_button.isEnabled()
    assert page.publish_list() is None  # no step while the state may be old
    assert _state(page).phase == "signin"

    monkeypatch.setattr(feed_module, "STALE_AFTER", 12.0)
    gate.set()
    qtbot.waitUntil(lambda: page.stale_banner.isHidden(), timeout=TIMEOUT)
    qtbot.waitUntil(page.publish_button.isEnabled, timeout=TIMEOUT)
    assert page.feed is not None and not page.feed.stale


def test_operator_restarted_app_finds_the_opening_where_it_was(ui: UiWorld, qtbot: Any) -> None:
    sid = _section(ui)
    _to_window(ui, sid, release=(0, 2))
    page = _console(ui)
    _open(ui, page, sid)
    _wait_phase(ui, page, "window")
    qtbot.waitUntil(
        lambda: sum(1 for b in page.board_model.rows() if b.decryption == "opened") == 2,
        timeout=TIMEOUT,
    )
    # Every event so far is in the log (the board may show a state read before its event).
    qtbot.waitUntil(
        lambda: (
            bool(page.feed and page.feed.events)
            and page.feed.events[-1].seq == _state(page).last_event
        ),
        timeout=TIMEOUT,
    )
    board = [(b.number, b.name, b.signed_in_at, b.decryption) for b in page.board_model.rows()]
    log = page.log_view.toPlainText().splitlines()
    page.stop_feed()
    ui.window.close()

    other = ui.another("host")
    again = other.window.page("operator")
    assert isinstance(again, OperatorPage)
    again.confirm = lambda title, text: True
    _open(other, again, sid)
    _wait_phase(other, again, "window")
    qtbot.waitUntil(lambda: again.board_model.rowCount() == 3, timeout=TIMEOUT)
    assert [
        (b.number, b.name, b.signed_in_at, b.decryption) for b in again.board_model.rows()
    ] == board
    qtbot.waitUntil(
        lambda: len(again.log_view.toPlainText().splitlines()) >= len(log), timeout=TIMEOUT
    )
    assert again.log_view.toPlainText().splitlines()[: len(log)] == log
    assert again.countdown_label.text()
    # …and runs on: the last bid opens, the window ends early from the new window.
    kit = ui.kit()
    kit.opening(kit.bidders(3)[1], sid).release()
    qtbot.waitUntil(
        lambda: all(b.decryption == "opened" for b in again.board_model.rows()), timeout=TIMEOUT
    )
    _click(other, again.close_button)
    _wait_phase(other, again, "closed")


def test_operator_failure_dialog_needs_reasons(ui: UiWorld, qtbot: Any) -> None:
    entry = _bidder
    dialog = FailureDecisionDialog([entry(2, "pending"), entry(3, "failed")])
    qtbot.addWidget(dialog)
    assert dialog.result_value() is None  # the overall reason is required
    assert dialog.error_label.text()
    dialog.overall_reason.setText("按第三十一条处理")
    assert dialog.result_value() == ("按第三十一条处理", [])  # proposals stand: no overrides
    dialog.set_choice(3, "platform", "")
    assert dialog.result_value() is None  # an override needs its reason
    dialog.set_choice(3, "platform", "平台存储副本校验失败")
    assert dialog.result_value() == (
        "按第三十一条处理",
        [wire.FailureDecision(org_code="ORG3", fault="platform", reason="平台存储副本校验失败")],
    )
    # A refused close brings the same decisions back.
    again = FailureDecisionDialog(
        [entry(2, "pending"), entry(3, "failed")], previous=dialog.result_value()
    )
    qtbot.addWidget(again)
    assert again.result_value() == dialog.result_value()
    assert again.choices[1].currentData() == "platform"


def test_operator_board_of_80_bidders_keeps_selection_and_scroll_across_state_reads(
    qtbot: Any,
) -> None:
    now = datetime.now(UTC)

    def entries(opened: int) -> list[wire.BidderEntry]:
        return [_bidder(n, "opened" if n <= opened else "pending", now) for n in range(1, 81)]

    model = BoardModel()
    view = row_table(model, "board")
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show()
    model.set_rows(entries(0))
    view.selectRow(60)
    view.scrollTo(model.index(60, 0))
    scrolled = view.verticalScrollBar().value()
    assert scrolled > 0
    # A state read after each release: the same 80 bidders, one more opened.
    model.set_rows(entries(1))
    assert [i.row() for i in view.selectionModel().selectedRows()] == [60]
    assert view.verticalScrollBar().value() == scrolled
    assert model.rows()[0].decryption == "opened"
    # Another list (a different section) resets the table.
    model.set_rows(entries(1)[:3])
    assert model.rowCount() == 3


def test_operator_console_follows_the_hosts_opening_again_after_a_restart(
    ui: UiWorld, qtbot: Any
) -> None:
    kit = ui.kit()
    sid = kit.section(bidders=3)
    kit.past_opening(sid)
    page = _console(ui)
    ui.window.navigate("operator")
    _open(ui, page, sid)
    page.stop_feed()  # the app quits (or crashes) mid-opening …

    again = OperatorPage(ui.ctx)  # … and starts again with the same settings
    qtbot.addWidget(again)
    again.reload()
    qtbot.waitUntil(
        lambda: (
            again.feed is not None and again.feed.section_id == sid and again.feed.state is not None
        ),
        timeout=TIMEOUT,
    )
    assert again.openings_view.selectionModel().selectedRows()[0].row() == (
        again.openings_model.row_where(lambda r: r.section_id == sid)
    )
    again.stop_feed()
