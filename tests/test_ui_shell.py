"""The app's shell: the task helper, the error sink, navigation and the embedded sandbox."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from uikit import UiWorld

from sealbid.errors import CancelledError, UsageError
from ui.errors import describe_error
from ui.tasks import Job, run_task


def test_task_runs_in_a_worker_and_reports_on_the_gui_thread(qtbot: Any) -> None:
    seen: dict[str, Any] = {}

    def work(job: Job, n: int) -> int:
        seen["worker"] = threading.current_thread()
        for i in range(n):
            job.progress(i + 1, n)
        return n * 2

    def done(value: int) -> None:
        seen["done_thread"] = threading.current_thread()
        seen["value"] = value

    task = run_task(work, 5).with_progress(lambda d, t: seen.setdefault("progress", (d, t)))
    task.on_done(done)
    with qtbot.waitSignal(task.signals.finished, timeout=10_000):
        task.start()
    assert seen["worker"] is not threading.main_thread()
    assert seen["done_thread"] is threading.main_thread()
    assert seen["value"] == 10


def test_cancel_is_quiet_and_errors_reach_the_handler(qtbot: Any) -> None:
    started = threading.Event()
    results: list[str] = []

    def slow(job: Job) -> None:
        started.set()
        while True:
            job.check()
            threading.Event().wait(0.01)

    task = run_task(slow).on_cancelled(lambda: results.append("cancelled"))
    task.on_error(lambda exc: results.append(f"error {exc!r}"))
    task.start()
    assert started.wait(10)
    with qtbot.waitSignal(task.signals.finished, timeout=10_000):
        task.cancel()
    assert results == ["cancelled"]

    def bad(job: Job) -> None:
        raise UsageError(what="x")

    errors: list[BaseException] = []
    task = run_task(bad).on_error(errors.append)
    with qtbot.waitSignal(task.signals.finished, timeout=10_000):
        task.start()
    assert isinstance(errors[0], UsageError)


def test_error_text_in_both_languages() -> None:
    exc = UsageError(what="金额")
    assert describe_error(exc, "zh_CN").startswith("参数有误")
    assert describe_error(exc, "en_US").startswith("Invalid input")
    os_error = FileNotFoundError(2, "No such file or directory", "投标文件.pdf")
    assert "投标文件.pdf" in describe_error(os_error, "zh_CN")
    assert "unexpected" in describe_error(KeyError("x"), "en_US")


def test_unhandled_task_error_goes_to_the_window_sink(ui: UiWorld, qtbot: Any) -> None:
    def bad(job: Job) -> None:
        raise UsageError(what="测试")

    task = run_task(bad)
    with qtbot.waitSignal(ui.ctx.errors.shown, timeout=10_000):
        task.start()
    assert ui.errors()[-1][0] == "usage"
    # Cancelling never shows anything.
    before = len(ui.errors())
    ui.ctx.errors.show(CancelledError("x"))
    assert len(ui.errors()) == before


def test_sandbox_serves_and_window_navigates(ui: UiWorld, qtbot: Any) -> None:
    assert httpx.get(ui.sandbox.url + "/api/v1/time").status_code == 200
    assert ui.sandbox.identities("bidder")
    window = ui.window
    for row in range(window.nav.count()):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + row), Qt.KeyboardModifier.ControlModifier)
        assert window.stack.currentIndex() == row
    window.navigate("settings")
    assert window.stack.currentWidget() is window.page("settings")


@pytest.mark.parametrize("language", ["zh_CN", "en_US"])
def test_status_bar_names_the_platform_and_user(qtbot: Any, tmp_path: Any, language: str) -> None:
    from uikit import make_world

    world = make_world(qtbot, tmp_path, language=language)
    try:
        assert world.sandbox.url in world.window.platform_label.text()
        world.login("bidder", 0)
        assert world.sandbox.identities("bidder")[0].name in world.window.user_label.text()
    finally:
        world.close()


def test_timer_slots_do_not_leak_a_reference_to_none(qapp: Any) -> None:
    """PySide6 6.12.0 dropped a reference to None on every Python slot a QTimer called: on
    Python 3.11 the app aborted ("deallocating None") after about 5,000 ticks of a timer —
    within minutes for the status bar's clock and the countdowns. Pinned below 6.12."""
    import sys

    from PySide6.QtCore import QTimer

    calls = [0]

    def tick() -> None:
        calls[0] += 1

    timer = QTimer()
    timer.timeout.connect(tick)
    before = sys.getrefcount(None)
    timer.start(0)
    while calls[0] < 3000:
        qapp.processEvents()
    timer.stop()
    assert abs(sys.getrefcount(None) - before) < 500


def test_progress_is_throttled_but_a_step_back_always_reaches_the_screen(qtbot: Any) -> None:
    seen: list[tuple[int, int]] = []

    def work(job: Job) -> None:
        for i in range(1, 2001):
            job.progress(i, 4000)  # a fast loop: most updates are dropped
        job.progress(1500, 4000)  # the upload re-sends from 1,500 after a dropped line
        job.progress(4000, 4000)

    task = run_task(work).with_progress(lambda d, t: seen.append((d, t)))
    with qtbot.waitSignal(task.signals.finished, timeout=10_000):
        task.start()
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == (4000, 4000))
    assert len(seen) < 200
    assert (1500, 4000) in seen


def test_sandbox_keeps_its_port_across_restarts(tmp_path: Any) -> None:
    from platformserver import _fast_seed

    from ui.sandbox import EmbeddedPlatform

    first = EmbeddedPlatform.start(tmp_path / "sandbox", seeder=_fast_seed)
    url = first.url
    first.stop()
    second = EmbeddedPlatform.start(tmp_path / "sandbox", seeder=_fast_seed)
    try:
        assert second.url == url
    finally:
        second.stop()


def test_navigation_shows_the_hall_to_bidders_and_the_operator_console_to_staff(
    ui: Any, qtbot: Any
) -> None:
    window = ui.window

    def listed() -> set[str]:
        return {
            window.nav.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(window.nav.count())
            if not window.nav.isRowHidden(r)
        }

    ui.login("bidder", 0)
    qtbot.waitUntil(lambda: ui.ctx.role == "bidder", timeout=20_000)
    assert {"hall", "prepare", "submissions"} <= listed() and "operator" not in listed()
    window.navigate("prepare")
    ui.login("host", 0)
    qtbot.waitUntil(lambda: ui.ctx.role == "host", timeout=20_000)
    assert "operator" in listed() and not {"hall", "prepare", "submissions"} & listed()
    # The page the bidder had open is hidden for the host: the console is shown instead.
    assert window.stack.currentWidget() is window.page("operator")
    ui.ctx.set_identity(None)
    assert ui.ctx.role == ""
    assert {"hall", "operator", "prepare"} <= listed()
