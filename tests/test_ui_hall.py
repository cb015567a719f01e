"""The bidder's opening hall on the real embedded platform: joining, the countdown, sign-in,
the bidder list, decryption (and a refused key with a retry), 唱标, objections with the host's
answers, a stale connection, a restarted app, staff and non-participants."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openingkit import summary_for
from PySide6.QtCore import Qt
from uikit import UiWorld

import crypto.release
from ui import _opening_feed as opening_feed
from ui._opening_models import RAW_ROLE
from ui.hall import HallPage

LONG = 30_000


def _section(ui: UiWorld, *, past: bool = True, bidders: int = 3) -> str:
    kit = ui.kit()
    sid: str = kit.section(bidders=bidders)
    if past:
        kit.past_opening(sid)
    return sid


def _host(ui: UiWorld, sid: str) -> Any:
    kit = ui.kit()
    return kit.opening(kit.party("host"), sid)


def _bidder(ui: UiWorld, sid: str, i: int) -> Any:
    kit = ui.kit()
    return kit.opening(kit.bidders(3)[i], sid)


def _hall(ui: UiWorld, qtbot: Any, sid: str) -> HallPage:
    page = ui.window.page("hall")
    assert isinstance(page, HallPage)
    assert page.join(sid)
    _fresh(page, qtbot)
    return page


def _fresh(page: HallPage, qtbot: Any) -> None:
    qtbot.waitUntil(
        lambda: page.feed is not None and page.feed.state is not None and not page.feed.stale,
        timeout=LONG,
    )


def _phase(page: HallPage, phase: str) -> bool:
    feed = page.feed
    return (
        feed is not None
        and feed.state is not None
        and feed.state.phase == phase
        and not feed.stale
        and page.phase_label.text().startswith(page.texts.phase(phase))
    )


def _me(page: HallPage) -> Any:
    assert page.feed is not None and page.feed.state is not None
    return page.feed.state.me


def _signed_in(page: HallPage) -> bool:
    feed = page.feed
    return bool(
        feed is not None
        and feed.state is not None
        and feed.state.me is not None
        and feed.state.me.signed_in_at is not None
    )


def _opened(page: HallPage) -> bool:
    feed = page.feed
    return bool(
        feed is not None
        and feed.state is not None
        and feed.state.me is not None
        and feed.state.me.decryption == "opened"
    )


def _sign_in_by_button(page: HallPage, qtbot: Any) -> None:
    qtbot.waitUntil(page.signin_button.isEnabled, timeout=LONG)
    page.signin_button.click()
    qtbot.waitUntil(lambda: _signed_in(page) and page.action_label.text() != "", timeout=LONG)
    qtbot.waitUntil(lambda: not page.signin_button.isEnabled(), timeout=LONG)


def _log(page: HallPage) -> str:
    return page.log_view.toPlainText()


# --- tests -----------------------------------------------------------------------------------


def test_hall_waits_with_countdown_and_rehearses_before_the_opening(
    ui: UiWorld, qtbot: Any
) -> None:
    sid = _section(ui, past=False)
    page = ui.window.page("hall")
    assert isinstance(page, HallPage)
    # Nobody logged in: the hall says so and joins nothing.
    assert not page.join(sid)
    assert page.feed is None and not page.notice_label.isHidden()

    ui.login("bidder", 0)
    ui.ctx.navigate.emit("hall", sid)  # from another page: selects the section and joins
    assert page.feed is not None and page.feed.section_id == sid
    _fresh(page, qtbot)
    qtbot.waitUntil(lambda: _phase(page, "waiting"), timeout=LONG)
    # The countdown runs to the opening time on the platform's clock (about ten minutes).
    qtbot.waitUntil(lambda: page.countdown_label.text().count(":") == 2, timeout=LONG)
    first = page.countdown_label.text()
    qtbot.waitUntil(lambda: page.countdown_label.text() != first, timeout=5_000)
    assert not page.signin_button.isEnabled()
    assert not page.decrypt_button.isEnabled()
    assert not page.object_button.isEnabled()
    # The section list (loaded in a worker) has it, nearest first.
    qtbot.waitUntil(lambda: page.section_combo.findData(sid) >= 0, timeout=LONG)
    assert page.section_combo.currentData() == sid

    assert page.rehearse_button.isEnabled()
    page.rehearse_button.click()
    qtbot.waitUntil(lambda: page.last_rehearsal is not None, timeout=LONG)
    assert page.last_rehearsal is not None and page.last_rehearsal.ok
    assert page.action_label.text()
    # Logging out leaves the opening: the feed stops and the hall asks for a login.
    ui.ctx.set_identity(None)
    assert page.feed is None
    assert not page.notice_label.isHidden()
    assert page.phase_label.text() == "—"
    assert ui.errors() == []


def test_hall_follows_the_host_signs_in_and_shows_the_bidder_list(ui: UiWorld, qtbot: Any) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    page = _hall(ui, qtbot, sid)
    qtbot.waitUntil(lambda: _phase(page, "waiting"), timeout=LONG)
    host = _host(ui, sid)
    host.start()
    # No click: the event brings the new phase.
    qtbot.waitUntil(lambda: _phase(page, "signin"), timeout=LONG)
    assert page.bidders_model.rowCount() == 0  # nobody listed before publication
    _sign_in_by_button(page, qtbot)
    assert not page.signin_button.isEnabled()
    assert page.object_button.isEnabled()
    assert fmt_signed(page) in page.my_status_label.text()

    _bidder(ui, sid, 1).signin()
    host.publish_list()
    qtbot.waitUntil(lambda: page.bidders_model.rowCount() == 3, timeout=LONG)
    assert _phase(page, "listed")
    names = {page.bidders_model.row(r).name for r in range(3)}
    assert names == {p.name for p in ui.kit().bidders(3)}
    me = _me(page)
    assert me.number is not None and str(me.number) in page.my_status_label.text()
    own_name = page.bidders_model.data(page.bidders_model.index(me.number - 1, 1))
    assert own_name.endswith(page.bidders_model.tr(" (you)"))  # whatever the language says
    # One log line per event, like the command line's watch.
    log = _log(page)
    assert page.texts.phase("signin") in log and page.texts.phase("listed") in log
    assert ui.errors() == []


def fmt_signed(page: HallPage) -> str:
    from ui.widgets import fmt_time

    return fmt_time(_me(page).signed_in_at)


def test_hall_decrypts_in_the_window_and_reads_out_every_summary(ui: UiWorld, qtbot: Any) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    page = _hall(ui, qtbot, sid)
    host = _host(ui, sid)
    host.start()
    qtbot.waitUntil(lambda: _phase(page, "signin"), timeout=LONG)
    _sign_in_by_button(page, qtbot)
    others = [_bidder(ui, sid, i) for i in (1, 2)]
    for o in others:
        o.signin()
    host.publish_list()
    qtbot.waitUntil(lambda: _phase(page, "listed"), timeout=LONG)
    assert not page.decrypt_button.isEnabled()
    host.open_window(30)
    qtbot.waitUntil(lambda: _phase(page, "window"), timeout=LONG)
    # The countdown now runs to the window's end (30 minutes).
    qtbot.waitUntil(lambda: page.countdown_label.text().count(":") == 2, timeout=LONG)
    qtbot.waitUntil(page.decrypt_button.isEnabled, timeout=LONG)
    page.decrypt_button.click()
    assert page.busy_bar.isVisibleTo(page)  # busy while the key is unwrapped and released
    qtbot.waitUntil(lambda: _opened(page), timeout=LONG)
    qtbot.waitUntil(lambda: not page.decrypt_button.isEnabled(), timeout=LONG)
    assert not page.busy_bar.isVisibleTo(page)
    assert page.texts.decryption("opened") in page.my_status_label.text()
    assert page.results_model.rowCount() == 0  # nothing is read out before close

    others[0].release()  # the third bidder never releases its key
    ui.clock.offset += timedelta(minutes=31)  # the window's time is up
    host.close(reason="第3家投标人未在解密时间内解密")
    qtbot.waitUntil(lambda: page.results_model.rowCount() == 3, timeout=LONG)
    model = page.results_model
    assert set(model.keys) == set(summary_for(0))
    parties = ui.kit().bidders(3)
    cause_col = model.columnCount() - 1
    for r in range(3):
        row = model.row(r)
        i = next(i for i, p in enumerate(parties) if p.name == row.name)
        if i == 2:  # not opened: no summary, the cause instead
            assert model.data(model.index(r, 3), RAW_ROLE) == "revoked"
            assert model.data(model.index(r, cause_col))
            assert model.data(model.index(r, model.column_of("price")), RAW_ROLE) is None
            continue
        for key, value in summary_for(i).items():
            cell = model.index(r, model.column_of(key))
            assert str(model.data(cell, RAW_ROLE)) == str(value)
        price = model.data(model.index(r, model.column_of("price")))
        assert "大写" in price  # money in figures and capitals
        assert model.data(model.index(r, 3)) == page.texts.decryption("opened")
        assert not model.data(model.index(r, cause_col))
    # The header names the form's fields, not the keys.
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "投标报价" in headers and "工期（日历天）" in headers
    assert page.tabs.currentWidget() is page.results_view

    # 唱标 done: the record is up for confirmation, the countdown runs to its deadline.
    host.announce(confirmation_minutes=30)
    qtbot.waitUntil(lambda: _phase(page, "confirming"), timeout=LONG)
    qtbot.waitUntil(lambda: page.countdown_label.text().count(":") == 2, timeout=LONG)
    assert page.record_panel is not None  # the record panel is embedded for this opening
    assert page.results_model.rowCount() == 3
    assert ui.errors() == []


def test_hall_shows_a_refused_key_with_the_platform_reason_and_allows_retry(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    page = _hall(ui, qtbot, sid)
    host = _host(ui, sid)
    host.start()
    qtbot.waitUntil(lambda: _phase(page, "signin"), timeout=LONG)
    _sign_in_by_button(page, qtbot)
    host.publish_list()
    host.open_window(30)
    qtbot.waitUntil(lambda: _phase(page, "window"), timeout=LONG)

    # The fault: the first unwrap hands over a wrong key (as a damaged key store would).
    real = crypto.release.unwrap_envelope
    calls: list[int] = []

    def wrong_once(*args: Any, **kwargs: Any) -> Any:
        unwrapped = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            bad = bytes(b ^ 0xFF for b in unwrapped.file_key)
            return dataclasses.replace(unwrapped, file_key=bad)
        return unwrapped

    monkeypatch.setattr(crypto.release, "unwrap_envelope", wrong_once)
    qtbot.waitUntil(page.decrypt_button.isEnabled, timeout=LONG)
    page.decrypt_button.click()
    qtbot.waitUntil(
        lambda: _me(page).last_error is not None and _me(page).decryption == "failed",
        timeout=LONG,
    )
    reason = _me(page).last_error
    qtbot.waitUntil(lambda: reason.zh in page.action_label.text(), timeout=LONG)
    qtbot.waitUntil(lambda: reason.zh in page.my_status_label.text(), timeout=LONG)
    assert "1" in page.my_status_label.text()  # the attempt count
    # The window is still open: try again.
    qtbot.waitUntil(page.decrypt_button.isEnabled, timeout=LONG)
    page.decrypt_button.click()
    qtbot.waitUntil(lambda: _opened(page), timeout=LONG)
    assert _me(page).attempts == 2
    qtbot.waitUntil(lambda: not page.decrypt_button.isEnabled(), timeout=LONG)
    assert reason.zh not in page.my_status_label.text()
    assert ui.errors() == []


def test_hall_objection_is_raised_and_shows_the_host_answer(ui: UiWorld, qtbot: Any) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    page = _hall(ui, qtbot, sid)
    host = _host(ui, sid)
    host.start()
    qtbot.waitUntil(lambda: _phase(page, "signin"), timeout=LONG)
    assert not page.object_button.isEnabled()  # not before signing in
    _sign_in_by_button(page, qtbot)
    host.publish_list()
    qtbot.waitUntil(lambda: _phase(page, "listed"), timeout=LONG)
    qtbot.waitUntil(page.object_button.isEnabled, timeout=LONG)

    # An empty text is refused here; nothing is sent.
    page.ask_text = lambda title, label, text: "   "
    page.confirm = lambda title, text: pytest.fail("no question for an empty objection")
    assert not page.raise_objection()
    assert page.action_label.text()
    # Declining the question sends nothing and keeps the text for the next try.
    offered: list[str] = []

    def ask(title: str, label: str, text: str) -> str:
        offered.append(text)
        return "第2号投标人的报价大写与小写不一致"

    page.ask_text = ask
    page.confirm = lambda title, text: False
    assert not page.raise_objection()
    page.confirm = lambda title, text: True
    page.object_button.click()
    assert offered == ["", "第2号投标人的报价大写与小写不一致"]
    qtbot.waitUntil(lambda: page.objections_model.rowCount() == 1, timeout=LONG)
    objection = page.objections_model.row(0)
    assert objection.text == "第2号投标人的报价大写与小写不一致"
    assert page.objections_model.is_mine(objection)

    host.answer(objection.id, "经核对，以大写金额为准，已记录在案")
    qtbot.waitUntil(
        lambda: (
            page.objections_model.rowCount() == 1
            and page.objections_model.row(0).answer == "经核对，以大写金额为准，已记录在案"
        ),
        timeout=LONG,
    )
    shown = page.objections_model.data(page.objections_model.index(0, 4))
    assert shown == "经核对，以大写金额为准，已记录在案"
    qtbot.waitUntil(lambda: "经核对" in _log(page), timeout=LONG)
    assert ui.errors() == []


def test_hall_keeps_nothing_of_the_previous_bidder_after_another_logs_in(
    ui: UiWorld, qtbot: Any
) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    page = _hall(ui, qtbot, sid)
    _host(ui, sid).start()
    qtbot.waitUntil(
        lambda: _phase(page, "signin") and page.rehearse_button.isEnabled(), timeout=LONG
    )
    page.rehearse_button.click()
    qtbot.waitUntil(lambda: page.last_rehearsal is not None, timeout=LONG)
    # An objection typed, then not sent: kept for this bidder's next try …
    page.ask_text = lambda title, label, text: "第一位投标人的异议草稿"
    page.confirm = lambda title, text: False
    assert not page.raise_objection()
    qtbot.waitUntil(lambda: _log(page) != "", timeout=LONG)

    ui.login("bidder", 1)  # … but not for the next person at this PC
    assert page.feed is None and page.record_panel is None and page.last_rehearsal is None
    assert _log(page) == "" and page.action_label.text() == ""
    page = _hall(ui, qtbot, sid)
    offered: list[str] = []

    def ask(title: str, label: str, text: str) -> None:
        offered.append(text)

    page.ask_text = ask
    assert not page.raise_objection()
    assert offered == [""]
    assert ui.errors() == []


def test_hall_stale_feed_shows_banner_disables_actions_and_recovers(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    page = _hall(ui, qtbot, sid)
    _host(ui, sid).start()
    qtbot.waitUntil(lambda: _phase(page, "signin"), timeout=LONG)
    qtbot.waitUntil(page.signin_button.isEnabled, timeout=LONG)
    assert page.stale_banner.isHidden()
    # Silence longer than the limit between the platform's ticks (every 5 s) = out of date.
    monkeypatch.setattr(opening_feed, "STALE_AFTER", 1.0)
    qtbot.waitUntil(lambda: not page.stale_banner.isHidden(), timeout=LONG)
    assert not page.signin_button.isEnabled()
    assert not page.rehearse_button.isEnabled()
    assert not page.sign_in()  # nothing is sent
    assert page.stale_banner.text()
    # The next tick brings a fresh state: banner gone, actions back.
    monkeypatch.setattr(opening_feed, "STALE_AFTER", 60.0)
    qtbot.waitUntil(lambda: page.stale_banner.isHidden(), timeout=LONG)
    qtbot.waitUntil(page.signin_button.isEnabled, timeout=LONG)
    assert not _signed_in(page)


def test_hall_restarted_app_rejoins_and_shows_the_current_state(ui: UiWorld, qtbot: Any) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    page = _hall(ui, qtbot, sid)
    host = _host(ui, sid)
    host.start()
    qtbot.waitUntil(lambda: _phase(page, "signin"), timeout=LONG)
    _sign_in_by_button(page, qtbot)
    host.publish_list()
    qtbot.waitUntil(lambda: _phase(page, "listed"), timeout=LONG)
    # The app closes (its feed stops; nothing of the opening is kept on this PC) …
    page.leave()
    ui.window.hide()

    # The same bidder starts the app again (its own settings and data folder).
    again = ui.another("bidder", 0)
    page2 = again.window.page("hall")
    assert isinstance(page2, HallPage)
    assert page2.join(sid)
    _fresh(page2, qtbot)
    qtbot.waitUntil(lambda: _phase(page2, "listed"), timeout=LONG)
    assert _signed_in(page2)
    assert not page2.signin_button.isEnabled()
    qtbot.waitUntil(lambda: page2.bidders_model.rowCount() == 3, timeout=LONG)
    # The log is replayed from the first event.
    qtbot.waitUntil(lambda: page2.texts.phase("listed") in _log(page2), timeout=LONG)
    assert page2.texts.phase("signin") in _log(page2)
    qtbot.waitUntil(lambda: again.ctx.role == "bidder", timeout=LONG)  # its login settled
    assert again.errors() == []


def test_hall_tells_staff_it_is_for_bidders(ui: UiWorld, qtbot: Any) -> None:
    sid = _section(ui)
    ui.login("host")
    page = ui.window.page("hall")
    assert isinstance(page, HallPage)
    qtbot.waitUntil(lambda: ui.ctx.role == "host", timeout=LONG)
    qtbot.waitUntil(lambda: not page.notice_label.isHidden(), timeout=LONG)
    note = page.notice_label.text()
    assert note
    assert not page.join(sid)
    assert page.feed is None
    assert page.notice_label.text() == note
    assert not page.section_combo.isEnabled()


def test_hall_shows_a_non_participant_the_platform_error_inline(ui: UiWorld, qtbot: Any) -> None:
    sid = _section(ui, bidders=3)
    _host(ui, sid).start()
    ui.login("bidder", 3)  # registered, but no bid submitted
    page = ui.window.page("hall")
    assert isinstance(page, HallPage)
    assert page.join(sid)
    qtbot.waitUntil(lambda: "不是本次开标的投标人" in page.error_label.text(), timeout=LONG)
    assert not page.error_label.isHidden()
    qtbot.waitUntil(lambda: ui.ctx.role == "bidder", timeout=LONG)
    assert "不是本次开标的投标人" in page.error_label.text()  # learning the role keeps it
    assert not page.signin_button.isEnabled()
    assert not page.decrypt_button.isEnabled()
    assert page.stale_banner.isHidden()
    assert ui.errors() == []


def test_hall_signs_in_and_decrypts_with_a_usb_token_off_the_gui_thread(
    ui: UiWorld, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bidder whose keys are on a USB key (SoftHSM2): the bid sealed for the token's
    certificate; sign-in signs and decryption unwraps on the token, never on the GUI thread."""
    import threading

    from softhsm import sandbox_bidder_token

    from crypto.token import TokenIdentity

    token = sandbox_bidder_token(
        tmp_path, monkeypatch, ui.sandbox._sandbox(), label="开标UKey", pin="135790"
    )
    identity = TokenIdentity.open(module=token.module, token_label=token.label, pin=token.pin)
    kit = ui.kit()
    sid = kit.section(bidders=3)
    kit.submit(kit.bidders(1)[0], sid, 0, identity=identity)  # replaces the .p12-sealed bid
    kit.past_opening(sid)
    calls: list[tuple[str, bool]] = []
    for name in ("sign_raw", "rsa_decrypt"):
        original = getattr(TokenIdentity, name)

        def spy(*args: Any, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            calls.append((_name, threading.current_thread() is threading.main_thread()))
            return _original(*args, **kw)

        monkeypatch.setattr(TokenIdentity, name, spy)
    ui.ctx.set_identity(identity, source=f"token:{token.label}")
    hall = ui.window.page("hall")
    hall.confirm = lambda *_a: True
    ui.window.navigate("hall", sid)
    qtbot.waitUntil(lambda: hall.feed is not None and hall.feed.state is not None, timeout=30_000)
    host = kit.opening(kit.party("host"), sid)
    host.start()
    qtbot.waitUntil(hall.signin_button.isEnabled, timeout=30_000)
    hall.signin_button.click()
    qtbot.waitUntil(
        lambda: hall.feed.state.me is not None and hall.feed.state.me.signed_in_at is not None,
        timeout=30_000,
    )
    host.publish_list()
    host.open_window(30)
    qtbot.waitUntil(hall.decrypt_button.isEnabled, timeout=30_000)
    hall.decrypt_button.click()
    qtbot.waitUntil(lambda: hall.feed.state.me.decryption == "opened", timeout=60_000)
    assert {name for name, _ in calls} >= {"sign_raw", "rsa_decrypt"}
    assert [name for name, on_gui in calls if on_gui] == []
    assert ui.errors() == []


def test_hall_says_what_it_shows_is_old_once_the_platform_stops_sending(
    ui: UiWorld, qtbot: Any
) -> None:
    from client.errors import ServerError

    sid = _section(ui, bidders=3)
    ui.login("bidder", 0)
    page = ui.window.page("hall")
    assert isinstance(page, HallPage)
    assert page.join(sid)
    qtbot.waitUntil(lambda: page.feed is not None and page.feed.state is not None, timeout=LONG)
    feed = page.feed
    # The feed gave up (its retries spent): fault injected through its own signal.
    feed.failed.emit(ServerError("503 for good", status=503))
    assert not feed.running
    assert not page.stale_banner.isHidden()
    assert page.stale_banner.text() and page.error_label.text()
    assert not page.signin_button.isEnabled() and not page.rehearse_button.isEnabled()


def test_hall_follows_the_same_persons_opening_again_after_a_restart(
    ui: UiWorld, qtbot: Any
) -> None:
    sid = _section(ui, bidders=3)
    _host(ui, sid).start()
    ui.login("bidder", 0)
    page = ui.window.page("hall")
    assert isinstance(page, HallPage)
    assert page.join(sid)
    qtbot.waitUntil(lambda: page.feed is not None and page.feed.state is not None, timeout=LONG)
    page.leave()  # the app quits mid-opening …

    # … and starts again (same settings, a new hall): it follows the opening at once.
    again = HallPage(ui.ctx)
    qtbot.addWidget(again)
    again.activated()
    qtbot.waitUntil(
        lambda: (
            again.feed is not None
            and again.feed.section_id == sid
            and again.feed.state is not None
            and again.feed.state.phase == "signin"
        ),
        timeout=LONG,
    )
    again.leave()

    # Another bidder on the same PC is not taken to the first one's opening.
    ui.login("bidder", 1)
    other = HallPage(ui.ctx)
    qtbot.addWidget(other)
    other.activated()
    qtbot.waitUntil(lambda: other.section_combo.count() > 0, timeout=LONG)
    ui.wait_tasks()
    assert other.feed is None
