"""The desktop app under test: a real main window on the real embedded sandbox platform.

    def test_something(ui: UiWorld, qtbot) -> None:     # `ui`: the fixture in conftest.py
        ui.login("bidder", 0)                     # loads the sandbox .p12, logs in (worker)
        page = ui.window.page("sections")
        qtbot.waitUntil(lambda: page.model.rowCount() > 0)

``UiWorld`` starts the reference platform in-process exactly as the app does
(:class:`ui.sandbox.EmbeddedPlatform`), seeded from the per-process template of
``tests/platformserver`` (so no keys are made per test), with its own settings file and data
folder under ``tmp_path``. The error sink does not open dialogs; ``ui.errors()`` lists what it
would have shown. Offscreen (``QT_QPA_PLATFORM=offscreen``, set in conftest).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from platformserver import SettableClock, _fast_seed
from PySide6.QtCore import QSettings

from crypto.identity import load_identity
from ui.context import AppContext
from ui.errors import ErrorSink
from ui.i18n import install_language
from ui.sandbox import EmbeddedPlatform

__all__ = ["UiWorld", "make_world"]


@dataclass
class UiWorld:
    ctx: AppContext
    window: Any
    sandbox: EmbeddedPlatform
    clock: SettableClock
    tmp: Path
    qtbot: Any
    _kit: Any = None
    _others: list[UiWorld] = field(default_factory=list)
    _owner: UiWorld | None = None

    def identity_files(self, role: str, index: int = 0) -> tuple[Path, bytes]:
        person = self.sandbox.identities(role)[index]
        return person.p12, person.password()

    def login(self, role: str = "bidder", index: int = 0) -> None:
        """Sign in directly (the login dialog has its own tests): identity set, client made."""
        p12, password = self.identity_files(role, index)
        self.ctx.set_identity(load_identity(p12, password=password), source=str(p12))

    def kit(self) -> Any:
        """An :class:`openingkit.OpeningKit` on this world's platform and clock: sections
        with submitted bids, the clock moved past the opening, steps by other people."""
        from types import SimpleNamespace

        from openingkit import OpeningKit

        if self._kit is None:
            platform = SimpleNamespace(url=self.sandbox.url, sandbox=self.sandbox._sandbox())
            self._kit = OpeningKit(platform, self.clock, self.tmp / "kit")  # type: ignore[arg-type]
        return self._kit

    def another(self, role: str = "bidder", index: int = 0, *, language: str = "zh_CN") -> UiWorld:
        """A second app (its own window, settings, data folder and login) on this world's
        platform, as another person on another PC would run it; closed with this world."""
        from PySide6.QtCore import QSettings

        from ui.mainwindow import MainWindow

        n = len(self._others) + 1
        folder = self.tmp / f"app-{n}-{role}{index}"
        settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("platform/mode", "url")
        settings.setValue("platform/url", self.sandbox.url)
        settings.setValue("ui/language", language)
        sink = ErrorSink()
        sink.interactive = False
        ctx = AppContext(settings=settings, data_dir=folder / "data", errors=sink)
        window = MainWindow(ctx)
        window.confirm_quit = False
        sink.interactive = False
        self.qtbot.addWidget(window)
        window.show()
        other = UiWorld(ctx, window, self.sandbox, self.clock, folder, self.qtbot)
        other._owner = self
        self._others.append(other)
        other.login(role, index)
        return other

    def close(self) -> None:
        """Stop the workers (cancel, wait), then the platform: nothing outlives the test."""
        from PySide6.QtCore import QThreadPool

        from ui.tasks import cancel_all

        # Twice: delivering the first round's results may start more work (a deferred refresh).
        for _ in range(2):
            cancel_all()
            QThreadPool.globalInstance().waitForDone(60_000)
            self.qtbot.wait(10)  # deliver what the workers sent before their window goes
        for other in self._others:
            other.ctx.sandbox = None  # the platform is this world's: stopped once, below
            other.ctx.close()
        if self._kit is not None:
            self._kit.close()
        if self._owner is None:
            self.ctx.close()

    def errors(self) -> list[tuple[str, str]]:
        return list(self.ctx.errors.history)

    def wait_tasks(self, timeout_ms: int = 60_000) -> None:
        """Wait until every worker is done and its signals were delivered."""
        from ui.tasks import pending_tasks

        self.qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=timeout_ms)


def make_world(
    qtbot: Any,
    tmp_path: Path,
    *,
    language: str = "zh_CN",
    clock: Callable[[], datetime] | None = None,
    data_dir: Path | None = None,
) -> UiWorld:
    from PySide6.QtWidgets import QApplication

    from ui.mainwindow import MainWindow

    app = QApplication.instance()
    assert app is not None
    install_language(app, language)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("platform/mode", "sandbox")
    settings.setValue("ui/language", language)
    sink = ErrorSink()
    sink.interactive = False
    ctx = AppContext(settings=settings, data_dir=data_dir or tmp_path / "app", errors=sink)
    settable = SettableClock()
    if clock is not None:
        settable.function = clock
    sandbox = EmbeddedPlatform.start(ctx.sandbox_dir, seeder=_fast_seed, clock=settable)
    ctx.set_sandbox(sandbox)
    window = MainWindow(ctx)
    window.confirm_quit = False
    sink.interactive = False
    qtbot.addWidget(window)
    window.show()
    return UiWorld(ctx, window, sandbox, settable, tmp_path, qtbot)
