"""A whole remote opening in the app: the host's console and three bidders' halls, each its
own app window (settings, data folder, login) on the one embedded platform, every step
clicked through the pages; the recorder and the supervisor sign through their own clients.
Ends with the host printing the signed record to a PDF file through QPrinter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openingkit import summary_for
from PySide6.QtPrintSupport import QPrinter
from uikit import UiWorld


def _yes(*_args: Any) -> bool:
    return True


def _done(qtbot: Any, task: Any, timeout: int = 30_000) -> None:
    assert task is not None, "the step did not start (button state or a refusal)"
    qtbot.waitUntil(lambda: not task.running, timeout=timeout)
    assert not task.failed


def test_hall_and_operator_windows_run_a_whole_opening_to_the_printed_record(
    ui: UiWorld, qtbot: Any, tmp_path: Path
) -> None:
    kit = ui.kit()
    sid = kit.section(bidders=3)
    kit.past_opening(sid)

    ui.login("host", 0)
    qtbot.waitUntil(lambda: ui.ctx.role == "host", timeout=20_000)
    console = ui.window.page("operator")
    console.confirm = _yes
    ui.window.navigate("operator")
    console.select_section(sid)
    qtbot.waitUntil(
        lambda: console.feed.state is not None and not console.feed.stale, timeout=20_000
    )

    bidders = [ui.another("bidder", i) for i in range(3)]
    halls = []
    for w in bidders:
        qtbot.waitUntil(lambda w=w: w.ctx.role == "bidder", timeout=20_000)
        hall = w.window.page("hall")
        hall.confirm = _yes
        w.window.navigate("hall", sid)
        halls.append(hall)
    for hall in halls:
        qtbot.waitUntil(
            lambda h=hall: h.feed is not None and h.feed.state is not None, timeout=20_000
        )
        assert hall.feed.state.phase == "waiting"

    def every_hall(phase: str) -> None:
        for h in halls:
            qtbot.waitUntil(
                lambda h=h: (
                    h.feed.state is not None and h.feed.state.phase == phase and not h.feed.stale
                ),
                timeout=30_000,
            )

    # 开始: sign-in opens in every hall without anyone clicking there.
    _done(qtbot, console.start_opening())
    every_hall("signin")
    for hall in halls:
        qtbot.waitUntil(hall.signin_button.isEnabled, timeout=20_000)
        hall.signin_button.click()
    for hall in halls:
        qtbot.waitUntil(
            lambda h=hall: h.feed.state.me is not None and h.feed.state.me.signed_in_at is not None,
            timeout=30_000,
        )
    qtbot.waitUntil(lambda: console.feed.state.signed_in == 3, timeout=30_000)

    # 公布名单 → every hall lists the three bidders.
    _done(qtbot, console.publish_list())
    every_hall("listed")
    for hall in halls:
        qtbot.waitUntil(lambda h=hall: h.bidders_model.rowCount() == 3, timeout=20_000)
    qtbot.waitUntil(lambda: console.board_model.rowCount() == 3, timeout=20_000)

    # 解密: the window opens; each bidder decrypts; the host's board shows them open.
    console.window_minutes.setValue(30)
    _done(qtbot, console.open_window())
    every_hall("window")
    for hall in halls:
        qtbot.waitUntil(hall.decrypt_button.isEnabled, timeout=20_000)
        hall.decrypt_button.click()
    qtbot.waitUntil(
        lambda: [b.decryption for b in console.board_model.rows()] == ["opened"] * 3,
        timeout=60_000,
    )
    for hall in halls:
        qtbot.waitUntil(lambda h=hall: h.feed.state.me.decryption == "opened", timeout=20_000)

    # 结束解密 early (every bid opened) → 唱标 table with every summary in every hall.
    _done(qtbot, console.close_window())
    every_hall("closed")
    for hall in halls:
        qtbot.waitUntil(lambda h=hall: h.results_model.rowCount() == 3, timeout=20_000)
    shown = {b.name: b.summary for b in halls[0].feed.state.bidders}
    for i, party in enumerate(kit.bidders(3)):
        assert shown[party.name] is not None
        assert shown[party.name]["price"].replace(",", "").startswith(summary_for(i)["price"][:7])

    # 异议: bidder 1 objects, the host answers, the bidder sees the answer.
    halls[1].ask_text = lambda *_a: "请核对第 2 号投标人的报价大写。"
    assert halls[1].raise_objection()
    qtbot.waitUntil(lambda: console.objections_model.rowCount() == 1, timeout=30_000)
    objection = console.objections_model.row(0)
    assert console.select_objection(objection.id)
    console.answer_text.setText("已核对，大写与小写一致。")
    _done(qtbot, console.answer_objection())
    qtbot.waitUntil(
        lambda: (
            halls[1].objections_model.rowCount() == 1
            and halls[1].objections_model.row(0).answer == "已核对，大写与小写一致。"
        ),
        timeout=30_000,
    )

    # 唱标 done → the record to confirm: every bidder confirms in its hall, the staff sign.
    _done(qtbot, console.announce())
    every_hall("confirming")
    for hall in halls:
        panel = hall.record_panel
        panel.confirm = _yes
        qtbot.waitUntil(lambda p=panel: p.confirm_button.isEnabled(), timeout=30_000)
        panel.confirm_button.click()
    for hall in halls:
        qtbot.waitUntil(lambda p=hall.record_panel: p.signed_this_revision(), timeout=30_000)
    host_panel = console.record_panel
    host_panel.confirm = _yes
    qtbot.waitUntil(host_panel.confirm_button.isEnabled, timeout=30_000)
    host_panel.confirm_button.click()
    qtbot.waitUntil(host_panel.signed_this_revision, timeout=30_000)
    for role in ("recorder", "supervisor"):
        kit.opening(kit.party(role), sid).sign_record("confirm")
    qtbot.waitUntil(
        lambda: {"host", "recorder", "supervisor"} <= set(console.staff_signatures()),
        timeout=30_000,
    )

    # 结束: the record is closed for everyone.
    _done(qtbot, console.finish())
    every_hall("finished")
    doc = kit.opening(kit.party("host"), sid).record()
    assert doc.closed
    assert sorted(s.role for s in doc.signatures) == sorted(
        ["bidder", "bidder", "bidder", "host", "recorder", "supervisor"]
    )
    assert all(s.decision == "confirm" for s in doc.signatures)

    # The host prints the platform's signed PDF through QPrinter (to a file here).
    out = tmp_path / "开标记录-打印.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printed: list[int] = []
    host_panel.printed.connect(printed.append)
    qtbot.waitUntil(host_panel.print_button.isEnabled, timeout=60_000)
    host_panel.print_to(printer)
    qtbot.waitUntil(lambda: bool(printed), timeout=120_000)
    from client.record import fetch_record_pdf

    signed = fetch_record_pdf(kit.client(kit.party("host")), sid)
    assert signed.ok
    import pypdfium2

    original = pypdfium2.PdfDocument(signed.pdf)
    copy = pypdfium2.PdfDocument(out.read_bytes())
    try:
        assert printed == [len(original)] and len(copy) == len(original)
    finally:
        copy.close()
        original.close()

    for w in [ui, *bidders]:
        assert w.errors() == [], w.errors()
