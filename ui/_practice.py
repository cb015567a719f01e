"""Sandbox › New practice opening… (沙箱 › 新建练习开标…): a practice opening on the embedded
sandbox platform, so that a newcomer can rehearse a remote opening alone, as a bidder or a host.

    start_practice(ctx, window)     # asks the minutes, creates it in a worker, says what next
    running_practice(ctx)           # the demo people following openings for this app
    resume_practice(ctx, window)    # after a restart: the last day's practice openings again
    stop_practice(ctx)              # stop them (the window's close and the app's quit do it)

The section, the demo bids and the demo people are :mod:`sealbid.practice`'s: the user's own
bid makes the third when the user is a sandbox bidder and says so (a demo host then runs the
opening, and its recorder and supervisor sign); otherwise three demo bids are in and the user
hosts. The demo people live in daemon threads of this process, talking to the sandbox over
HTTP like anyone else; they stop when the main window closes, the app quits or the platform
changes.
"""

from __future__ import annotations

import json
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from sealbid.errors import SealBidError
from sealbid.practice import DemoBidders, DemoHost, PracticeSection

from .context import STAFF, AppContext
from .tasks import Job, run_task
from .widgets import CST, fmt_time

__all__ = [
    "DEFAULT_MINUTES",
    "MAX_MINUTES",
    "MIN_MINUTES",
    "PracticeChoice",
    "resume_practice",
    "running_practice",
    "start_practice",
    "stop_practice",
]

log = logging.getLogger(__name__)

DEFAULT_MINUTES = 10
MIN_MINUTES = 3
"""Time enough to prepare, seal and submit a small bid of one's own."""
MAX_MINUTES = 120
STOP_WAIT = 2.0
"""Seconds the GUI thread waits for the demo people's threads when it stops them (they end in
milliseconds: their blocked reads are cut)."""


@dataclass(frozen=True)
class PracticeChoice:
    """What the user chose: minutes to the deadline and opening, and whether the user bids."""

    minutes: int
    bid_myself: bool


AskPractice = Callable[[QWidget | None, str | None], "PracticeChoice | None"]
"""``ask(parent, my_name)`` → the choice, or None (cancelled). ``my_name``: the signed-in
bidder's name (it may bid itself), None for staff or nobody."""
Inform = Callable[[QWidget | None, str, str], None]
"""``inform(parent, title, text)``: tell the user what was made and what to do."""


# --- the demo people of each app --------------------------------------------------------------

_running: weakref.WeakKeyDictionary[AppContext, list[DemoBidders | DemoHost]] = (
    weakref.WeakKeyDictionary()
)
_hooked: weakref.WeakSet[AppContext] = weakref.WeakSet()
# Flows whose worker runs: kept here until it ends (a flow without a parent window would
# otherwise be collected before its result arrives).
_flows: set[PracticeFlow] = set()


def running_practice(ctx: AppContext) -> list[DemoBidders | DemoHost]:
    """The demo people started by this app's practice openings, still following or not."""
    return list(_running.get(ctx, []))


def stop_practice(ctx: AppContext, timeout: float = STOP_WAIT) -> bool:
    """Stop every demo person of ``ctx`` (waits at most ``timeout`` seconds in all); True when
    all have ended. Idempotent; the main window's close and the app's quit call it."""
    crews = _running.pop(ctx, [])
    deadline = time.monotonic() + timeout
    ended = True
    for crew in crews:
        ended = crew.stop(timeout=max(0.0, deadline - time.monotonic())) and ended
    return ended


class _CloseWatch(QObject):
    """Stops the demo people once the main window has closed (a close the user cancelled
    leaves it visible, and them running)."""

    def __init__(self, ctx: AppContext, window: QWidget) -> None:
        super().__init__(window)
        self._ctx = weakref.ref(ctx)
        self._window = window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            QTimer.singleShot(0, self._closed)
        return False

    def _closed(self) -> None:
        ctx = self._ctx()
        if ctx is not None and isValid(self._window) and not self._window.isVisible():
            stop_practice(ctx)


def _hook(ctx: AppContext, window: QWidget | None) -> None:
    """Once per app: stop the demo people on close, quit and a change of platform."""
    if ctx in _hooked:
        return
    _hooked.add(ctx)
    if window is not None:
        _CloseWatch(ctx, window.window())
    app = QCoreApplication.instance()
    if app is not None:
        ref = weakref.ref(ctx)  # the application outlives the context: no strong reference

        def quitting() -> None:
            alive = ref()
            if alive is not None:
                stop_practice(alive)

        app.aboutToQuit.connect(quitting)

    def platform_changed() -> None:
        url = ctx.sandbox.url if ctx.sandbox is not None else None
        crews = _running.get(ctx, [])
        gone = [c for c in crews if c.url != url]
        if gone:
            _running[ctx] = [c for c in crews if c.url == url]
            for crew in gone:
                crew.stop(timeout=STOP_WAIT)

    ctx.platformChanged.connect(platform_changed)


# --- asking -----------------------------------------------------------------------------------


class PracticeDialog(QDialog):
    """Minutes to the deadline and opening; for a signed-in bidder, whether it bids itself."""

    def __init__(self, parent: QWidget | None, my_name: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New practice opening"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "A practice section on the sandbox platform: demo bidders submit bids now and"
                " take part in the opening by themselves. Nothing here is a real tender."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.minutes = QSpinBox()
        self.minutes.setRange(MIN_MINUTES, MAX_MINUTES)
        self.minutes.setValue(DEFAULT_MINUTES)
        self.minutes.setSuffix(self.tr(" min"))
        self.minutes.setAccessibleName(self.tr("Minutes to the bid deadline and opening"))
        form.addRow(self.tr("Deadline and opening in:"), self.minutes)
        layout.addLayout(form)
        self.bid_myself = QCheckBox(
            self.tr(
                "I submit my own bid as {0} (2 demo bids; a demo host runs the opening)"
            ).format(my_name or "")
        )
        self.bid_myself.setAccessibleName(self.tr("Submit my own bid"))
        self.bid_myself.setChecked(my_name is not None)
        self.bid_myself.setVisible(my_name is not None)
        layout.addWidget(self.bid_myself)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> PracticeChoice:
        return PracticeChoice(self.minutes.value(), self.bid_myself.isChecked())


def ask_practice(parent: QWidget | None, my_name: str | None) -> PracticeChoice | None:
    """The default :data:`AskPractice`: a modal :class:`PracticeDialog`."""
    dialog = PracticeDialog(parent, my_name)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()
    finally:
        dialog.deleteLater()


def inform_user(parent: QWidget | None, title: str, text: str) -> None:
    """The default :data:`Inform`: a message box."""
    QMessageBox.information(parent, title, text)


# --- the worker -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Made:
    section: PracticeSection
    info: dict[str, Any]
    url: str


def _create(
    job: Job,
    url: str,
    sandbox_json: Path,
    minutes: int,
    me_org_code: str | None,
    logged_in_org: str | None,
) -> _Made:
    from sealbid.practice import create_practice_section, load_sandbox_info

    job.status(QCoreApplication.translate("PracticeFlow", "Creating the practice section…"))
    info = load_sandbox_info(sandbox_json)
    made = create_practice_section(
        url,
        info,
        minutes=minutes,
        me_org_code=me_org_code,
        # Never a demo bid under the logged-in bidder's own company (when not bidding itself).
        exclude_org_codes=[logged_in_org] if logged_in_org else (),
    )
    _remember(sandbox_json.parent / SESSIONS, made)
    return _Made(made, info, url)


# --- after a restart --------------------------------------------------------------------------

SESSIONS = "practice-sessions.json"
"""Beside ``sandbox.json``: the practice openings made, so that their demo people take part
again after the app restarts."""
KEEP_SESSIONS = timedelta(days=1)


def _session_of(made: PracticeSection) -> dict[str, Any]:
    """Who takes part in a practice opening by themselves: what is started when it is made
    and again after a restart. A bidder practising alone (its own bid makes the third) gets a
    demo host as well."""
    return {
        "section_id": made.section_id,
        "demo_org_codes": list(made.demo_org_codes),
        "demo_host": made.me_org_code is not None,
        "expected_bids": len(made.bids) + (1 if made.me_org_code else 0),
        "opening_time": made.opening_time.isoformat(),
    }


def _crews(url: str, info: dict[str, Any], session: dict[str, Any]) -> list[DemoBidders | DemoHost]:
    sid = str(session["section_id"])
    codes = [str(o) for o in session.get("demo_org_codes", [])]
    crews: list[DemoBidders | DemoHost] = []
    if codes:
        crews.append(DemoBidders(url, info, sid, codes))
    if session.get("demo_host"):
        crews.append(DemoHost(url, info, sid, expected_bids=int(session.get("expected_bids", 3))))
    return crews


def _launch(ctx: AppContext, window: QWidget | None, crews: list[DemoBidders | DemoHost]) -> None:
    _hook(ctx, window)
    for crew in crews:
        crew.start()
    _running.setdefault(ctx, []).extend(crews)


def _remember(path: Path, made: PracticeSection) -> None:
    from crypto._files import atomic_write

    sessions = [s for s in _sessions(path) if s.get("section_id") != made.section_id]
    sessions.append(_session_of(made))
    atomic_write(path, json.dumps(sessions, ensure_ascii=False, indent=2).encode("utf-8"))


def _sessions(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.warning("practice sessions unreadable (%s): starting afresh", type(exc).__name__)
        return []
    return [s for s in data if isinstance(s, dict)] if isinstance(data, list) else []


def _open_sessions(job: Job, sandbox_json: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The practice openings of the last day, with the sandbox's people (read in a worker)."""
    from sealbid.practice import load_sandbox_info

    sessions = _sessions(sandbox_json.parent / SESSIONS)
    if not sessions:
        return {}, []
    since = datetime.now(UTC) - KEEP_SESSIONS
    recent = []
    for s in sessions:
        try:
            if datetime.fromisoformat(str(s["opening_time"])) >= since:
                recent.append(s)
        except (KeyError, ValueError):
            continue
    return (load_sandbox_info(sandbox_json) if recent else {}), recent


def resume_practice(ctx: AppContext, window: QWidget | None = None) -> None:
    """After a (re)start of the sandbox: the demo people of the last day's practice openings
    take part again (each does only what is left; a finished opening ends them at once)."""
    sandbox = ctx.sandbox
    if sandbox is None:
        return
    url = sandbox.url

    def start(result: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
        info, sessions = result
        if not sessions or ctx.sandbox is None or ctx.sandbox.url != url:
            return
        running = {c.section_id for c in _running.get(ctx, [])}
        crews: list[DemoBidders | DemoHost] = []
        for s in sessions:
            sid = str(s["section_id"])
            if sid in running:
                continue
            try:
                crews += _crews(url, info, s)
            except (SealBidError, ValueError, TypeError) as exc:
                log.warning("practice %s not resumed: %s", sid, type(exc).__name__)
        if not crews:
            return
        _launch(ctx, window, crews)
        log.info("practice: %d group(s) of demo people take part again", len(crews))

    task = run_task(_open_sessions, sandbox.data_dir / "sandbox.json")
    task.on_done(start)
    task.on_error(lambda exc: log.warning("practice sessions: %s", type(exc).__name__))
    task.start()


# --- the flow ---------------------------------------------------------------------------------


class PracticeFlow(QObject):
    """One "New practice opening…": ask, create in a worker, start the demo people, tell."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None,
        *,
        ask: AskPractice,
        inform: Inform,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.window = parent
        self.ask = ask
        self.inform = inform
        self.choice: PracticeChoice | None = None
        self.me: dict[str, Any] | None = None

    def run(self) -> None:
        ctx = self.ctx
        if ctx.sandbox is None:
            self.inform(
                self.window,
                self.tr("Practice opening"),
                self.tr(
                    "A practice opening needs the embedded sandbox platform. Choose it in"
                    " Settings first."
                ),
            )
            self.deleteLater()
            return
        if ctx.identity is not None and ctx.role not in STAFF:
            from crypto.envelope import bidder_of

            bidder = bidder_of(ctx.identity.signing_cert)
            if bidder.get("org_code"):
                self.me = bidder
        choice = self.ask(self.window, self.me["name"] if self.me else None)
        if choice is None:
            self.deleteLater()
            return
        self.choice = choice
        me = self.me["org_code"] if self.me and choice.bid_myself else None
        ctx.status.emit(self.tr("Creating the practice section…"))
        task = run_task(
            _create,
            ctx.sandbox.url,
            ctx.sandbox.data_dir / "sandbox.json",
            choice.minutes,
            me,
            self.me["org_code"] if self.me else None,
        )
        _flows.add(self)
        task.with_status(ctx.status.emit)
        task.on_done(self._made).on_error(self._failed).on_finished(self._ended)
        task.start()

    def _ended(self) -> None:
        _flows.discard(self)
        self.deleteLater()

    def _failed(self, exc: BaseException) -> None:
        self.ctx.status.emit(self.tr("The practice section could not be created."))
        self.ctx.errors.show(exc)

    def _made(self, made: _Made) -> None:
        ctx = self.ctx
        section = made.section
        mine = section.me_org_code is not None
        crews = _crews(made.url, made.info, _session_of(section))
        if ctx.sandbox is not None and ctx.sandbox.url == made.url:
            _launch(ctx, self.window, crews)
        ctx.status.emit(self.tr("Practice section {0} created.").format(section.section_id))
        self.inform(self.window, self.tr("Practice opening"), self.describe(made))
        if not isValid(ctx):
            return
        if mine:
            ctx.navigate.emit("prepare", section.section_id)
        elif ctx.role in STAFF:
            ctx.navigate.emit("operator", section.section_id)
        else:
            ctx.navigate.emit("sections", section.section_id)

    def describe(self, made: _Made) -> str:
        """What was made, and what to do next."""
        section = made.section
        at = section.deadline.astimezone(CST).strftime("%H:%M")
        host = next(
            (
                str(p.get("name"))
                for p in made.info.get("identities", [])
                if p.get("role") == "host"
            ),
            "",
        )
        lines = [
            self.tr("Practice section {0} created: {1}").format(section.section_id, section.name),
            self.tr("Bid deadline and opening: {0}").format(
                fmt_time(section.deadline, seconds=False)
            ),
            self.tr("Demo bidders that have submitted bids: {0}").format(
                "、".join(b.name for b in section.bids)
            ),
            "",
        ]
        if section.me_org_code is not None:
            lines += [
                self.tr(
                    "Now: on the Prepare and seal page, seal your own bid for this section and"
                    " submit it before {0} (platform time)."
                ).format(at),
                self.tr(
                    "After {0}: on the Opening hall page, join this section, sign in, and decrypt"
                    " your bid when the decryption window opens; then confirm the opening record."
                ).format(at),
                "",
                self.tr(
                    "The demo host {0} runs the opening; the demo bidders sign in, decrypt and"
                    " confirm the record by themselves."
                ).format(host),
            ]
        else:
            if self.ctx.role != "host":
                lines.append(
                    self.tr("Log in as the sandbox host {0} (File › Log in…).").format(host)
                )
            lines += [
                self.tr(
                    "After {0}: on the Opening console page, pick this section and start the opening;"
                    " publish the bidder list, open the decryption window, close it once every bid"
                    " is decrypted, announce, sign the record and finish (the recorder and the"
                    " supervisor sign too)."
                ).format(at),
                "",
                self.tr("The demo bidders sign in, decrypt and confirm the record by themselves."),
            ]
        return "\n".join(lines)


def start_practice(
    ctx: AppContext,
    parent: QWidget | None,
    *,
    ask: AskPractice | None = None,
    inform: Inform | None = None,
) -> None:
    """Sandbox › New practice opening…: ask the minutes (and, for a signed-in sandbox bidder,
    whether it bids itself), create the section and the demo bids in a worker, start the demo
    people (kept for ``ctx``: :func:`running_practice`), and tell the user what was made and
    what to do next. ``ask`` and ``inform`` replace the dialogs (tests)."""
    PracticeFlow(ctx, parent, ask=ask or ask_practice, inform=inform or inform_user).run()
