"""The opening host's console (开标主持台): run a remote opening step by step, watch every
bidder's decryption live, decide failures, answer objections, collect the record's signatures.

    page = OperatorPage(ctx)
    page.reload()                          # today's openings first (platform time)
    page.select_section("S-001")           # a new live feed (the old one stops)
    page.start_button.click()              # 开始开标, after page.confirm(title, text)
    page.window_minutes.setValue(30); page.open_window_button.click()
    page.close_button.click()              # failures: page.ask_failure_decisions(entries)

Only the host runs steps (the platform checks it too); the recorder and the supervisor watch
and sign the record in the record panel. Every step goes through the feed
(``feed.action``: a worker on the feed's own client, then the state is read again); a step the
platform refuses shows its message and nothing typed is lost. While the feed is stale (nothing
heard from the platform for a while) the steps are disabled and a banner says since when the
state is shown. The opening lives on the platform: a restarted app picks it up where it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from client import wire
from client.opening import OpeningClient
from sealbid.errors import SealBidError

from ._opening_feed import OpeningFeed
from ._opening_models import GREEN, RED, ObjectionsModel
from ._opening_text import OpeningText
from ._operator_close import FailureDecisionDialog
from ._operator_models import BoardModel, OpeningsModel, OpeningsSnapshot
from ._operator_models import load_openings as _load_openings
from .context import AppContext
from .errors import describe_error
from .tasks import Task, run_task
from .widgets import CST, Page, ask_yes_no, fmt_countdown, fmt_time, row_table

__all__ = ["OperatorPage"]

_SIGNERS = ("host", "recorder", "supervisor")
_OBJECTION_PHASES = ("signin", "listed", "window", "closed", "announced", "confirming")

Decisions = tuple[str, list[wire.FailureDecision]]


class OperatorPage(Page):
    key = "operator"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.text = OpeningText(self)
        self.feed: OpeningFeed | None = None
        self.record_panel: QWidget | None = None
        self.learned_role = ""  # what the platform said when the openings were loaded
        self.loading = False
        self._loads = 0
        self._busy = False
        self._failure: BaseException | None = None  # the event stream ended for good with this
        self._stashed_decisions: Decisions | None = None
        # Overridable prompts (tests replace them; no modal dialog in a test).
        self.confirm: Callable[[str, str], bool] = self._ask_yes_no
        self.ask_failure_decisions: Callable[[Sequence[wire.BidderEntry]], Decisions | None] = (
            self._ask_decisions
        )

        outer = QVBoxLayout(self)
        # -- the note shown instead of the console (not logged in, a bidder) --
        self.note_box = QWidget()
        note_layout = QVBoxLayout(self.note_box)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setAccessibleName(self.tr("Note"))
        self.hall_button = QPushButton(self.tr("Go to the opening hall"))
        self.hall_button.setAccessibleName(self.tr("Go to the opening hall"))
        self.hall_button.clicked.connect(lambda: self.ctx.navigate.emit("hall", None))
        note_layout.addWidget(self.note_label)
        note_layout.addWidget(self.hall_button, 0, Qt.AlignmentFlag.AlignLeft)
        note_layout.addStretch(1)
        outer.addWidget(self.note_box)

        self.console = QWidget()
        outer.addWidget(self.console, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        QVBoxLayout(self.console).addWidget(split)

        # -- left: the openings --
        left = QGroupBox(self.tr("Openings"))
        left_layout = QVBoxLayout(left)
        self.openings_model = OpeningsModel(self)
        self.openings_view = row_table(self.openings_model, self.tr("Openings"))
        self.openings_view.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        self.openings_view.selectionModel().selectionChanged.connect(self._opening_picked)
        self.reload_button = QPushButton(self.tr("Refresh list"))
        self.reload_button.setAccessibleName(self.tr("Refresh the openings"))
        self.reload_button.clicked.connect(self.reload)
        self.openings_status = QLabel()
        self.openings_status.setWordWrap(True)
        left_layout.addWidget(self.openings_view, 1)
        left_layout.addWidget(self.openings_status)
        left_layout.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignLeft)
        split.addWidget(left)
        left.setMinimumWidth(300)

        # -- right: the opening --
        right = QWidget()
        rl = QVBoxLayout(right)
        self.stale_banner = QLabel()
        self.stale_banner.setWordWrap(True)
        self.stale_banner.setAccessibleName(self.tr("Connection state"))
        self.stale_banner.setStyleSheet(
            "background: #fde7e9; color: #8a1c1c; padding: 6px; font-weight: bold;"
        )
        self.stale_banner.hide()
        rl.addWidget(self.stale_banner)

        self.section_label = QLabel(self.tr("Choose an opening on the left."))
        self.section_label.setWordWrap(True)
        self.section_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.phase_label = QLabel()
        self.phase_label.setAccessibleName(self.tr("Phase"))
        self.countdown_label = QLabel()
        self.countdown_label.setAccessibleName(self.tr("Countdown"))
        self.countdown_label.setStyleSheet("font-size: 15px;")
        self.summary_label = QLabel()
        self.summary_label.setAccessibleName(self.tr("Sign-in and decryption counts"))
        self.staff_label = QLabel()
        self.staff_label.setWordWrap(True)
        self.staff_label.setAccessibleName(self.tr("Opening staff"))
        for w in (
            self.section_label,
            self.phase_label,
            self.countdown_label,
            self.summary_label,
            self.staff_label,
        ):
            rl.addWidget(w)
        self.step_message = QLabel()
        self.step_message.setWordWrap(True)
        self.step_message.setAccessibleName(self.tr("Result of the last step"))
        rl.addWidget(self.step_message)

        rl.addWidget(self._build_steps())

        self.tabs = QTabWidget()
        self.board_model = BoardModel(self)
        self.board_view = row_table(self.board_model, self.tr("Decryption board"))
        self.board_view.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        self.tabs.addTab(self.board_view, self.tr("Decryption board"))
        self.tabs.addTab(self._build_objections(), self.tr("Objections"))
        self.record_box = QWidget()
        self.record_layout = QVBoxLayout(self.record_box)
        self.tabs.addTab(self.record_box, self.tr("Record and signatures"))
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setAccessibleName(self.tr("Event log"))
        self.tabs.addTab(self.log_view, self.tr("Event log"))
        rl.addWidget(self.tabs, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([480, 1000])

        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._clock.start(1000)
        ctx.identityChanged.connect(self._identity_changed)
        ctx.roleChanged.connect(self._role_changed)
        self._show_mode()
        self._update_actions()

    def title(self) -> str:
        return self.tr("Opening console")

    # -- building --

    def _build_steps(self) -> QGroupBox:
        box = QGroupBox(self.tr("Steps (host only)"))
        g = QGridLayout(box)

        def button(text: str, slot: Callable[[], Any]) -> QPushButton:
            b = QPushButton(text)
            b.setAccessibleName(text)
            b.clicked.connect(slot)
            return b

        self.recorder_edit = QLineEdit()
        self.recorder_edit.setPlaceholderText(self.tr("Recorder (default: the platform's)"))
        self.recorder_edit.setAccessibleName(self.tr("Recorder"))
        self.supervisor_edit = QLineEdit()
        self.supervisor_edit.setPlaceholderText(self.tr("Supervisor (default: the platform's)"))
        self.supervisor_edit.setAccessibleName(self.tr("Supervisor"))
        self.start_button = button(self.tr("Start the opening (开始开标)"), self.start_opening)
        g.addWidget(self.recorder_edit, 0, 0)
        g.addWidget(self.supervisor_edit, 0, 1)
        g.addWidget(self.start_button, 0, 3)

        self.publish_button = button(
            self.tr("Publish the bidder list (公布投标人名单)"), self.publish_list
        )
        g.addWidget(self.publish_button, 0, 4)

        self.window_minutes = QSpinBox()
        self.window_minutes.setRange(1, 24 * 60)
        self.window_minutes.setValue(30)
        self.window_minutes.setSuffix(self.tr(" min"))
        self.window_minutes.setAccessibleName(self.tr("Decryption window length in minutes"))
        self.open_window_button = button(self.tr("Open the decryption window"), self.open_window)
        g.addWidget(QLabel(self.tr("Window length:")), 1, 0)
        g.addWidget(self.window_minutes, 1, 1)
        g.addWidget(self.open_window_button, 1, 3)

        self.extend_minutes = QSpinBox()
        self.extend_minutes.setRange(1, 24 * 60)
        self.extend_minutes.setValue(10)
        self.extend_minutes.setSuffix(self.tr(" min"))
        self.extend_minutes.setAccessibleName(self.tr("Extension in minutes"))
        self.extend_reason = QLineEdit()
        self.extend_reason.setPlaceholderText(self.tr("Reason for the extension (on the record)"))
        self.extend_reason.setAccessibleName(self.tr("Reason for the extension"))
        self.extend_button = button(self.tr("Extend the window"), self.extend_window)
        g.addWidget(QLabel(self.tr("Extend by:")), 2, 0)
        g.addWidget(self.extend_minutes, 2, 1)
        g.addWidget(self.extend_reason, 2, 2)
        g.addWidget(self.extend_button, 2, 3)

        self.close_button = button(self.tr("End decryption (结束解密)"), self.close_window)
        g.addWidget(self.close_button, 1, 4)

        self.confirmation_minutes = QSpinBox()
        self.confirmation_minutes.setRange(1, 7 * 24 * 60)
        self.confirmation_minutes.setValue(30)
        self.confirmation_minutes.setSuffix(self.tr(" min"))
        self.confirmation_minutes.setAccessibleName(self.tr("Confirmation period in minutes"))
        self.announce_button = button(self.tr("Announce the results (唱标)"), self.announce)
        g.addWidget(QLabel(self.tr("Time to confirm the record:")), 3, 0)
        g.addWidget(self.confirmation_minutes, 3, 1)
        g.addWidget(self.announce_button, 3, 3)

        self.finish_button = button(self.tr("Finish the opening (结束开标)"), self.finish)
        g.addWidget(self.finish_button, 3, 4)
        self.role_note = QLabel(
            self.tr(
                "Only the host runs the steps. As recorder or supervisor you follow the opening"
                " here and sign the record under “Record and signatures”."
            )
        )
        self.role_note.setWordWrap(True)
        self.role_note.setAccessibleName(self.tr("Your part in the opening"))
        self.role_note.hide()
        g.addWidget(self.role_note, 4, 0, 1, 5)
        g.setColumnStretch(2, 1)
        return box

    def _build_objections(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        self.objections_model = ObjectionsModel(self)
        self.objections_view = row_table(self.objections_model, self.tr("Objections"))
        self.objections_view.horizontalHeader().setSectionResizeMode(
            3, QHeaderView.ResizeMode.Stretch
        )
        self.objections_view.selectionModel().selectionChanged.connect(
            lambda *_: self._update_actions()
        )
        layout.addWidget(self.objections_view, 1)
        row = QHBoxLayout()
        self.answer_text = QLineEdit()
        self.answer_text.setPlaceholderText(self.tr("Answer to the selected objection"))
        self.answer_text.setAccessibleName(self.tr("Answer to the selected objection"))
        self.answer_button = QPushButton(self.tr("Answer"))
        self.answer_button.setAccessibleName(self.tr("Answer the selected objection"))
        self.answer_button.clicked.connect(self.answer_objection)
        row.addWidget(self.answer_text, 1)
        row.addWidget(self.answer_button)
        layout.addLayout(row)
        return w

    # -- who is signed in --

    @property
    def role(self) -> str:
        return self.ctx.role or self.learned_role

    def _show_mode(self) -> None:
        if self.ctx.identity is None:
            self.note_label.setText(
                self.tr("Log in first: the opening console is for the opening staff.")
            )
            self.hall_button.hide()
            self.note_box.show()
            self.console.hide()
        elif self.role == "bidder":
            self.note_label.setText(
                self.tr(
                    "The opening console is for the opening staff (host, recorder, supervisor)."
                    " Bidders take part in the opening in the opening hall."
                )
            )
            self.hall_button.show()
            self.note_box.show()
            self.console.hide()
            self.stop_feed()
        else:
            self.note_box.hide()
            self.console.show()
        self._update_actions()

    def _role_changed(self, _role: str) -> None:
        self._show_mode()

    def _identity_changed(self) -> None:
        self.stop_feed()
        self.learned_role = ""
        self.openings_model.set_rows([])
        self._clear_opening()
        self._show_mode()
        if self.ctx.identity is not None:
            self.reload()

    def activated(self) -> None:
        if self.ctx.identity is not None and not self.loading:
            self.reload()

    def show_item(self, item: object) -> None:
        if isinstance(item, str):
            self.select_section(item)

    # -- the openings --

    def reload(self) -> None:
        """Load the openings (a worker): today's by platform time first."""
        if self.ctx.identity is None:
            return
        self.loading = True
        self._loads += 1
        n = self._loads
        self.openings_status.setText(self.tr("Loading the openings…"))
        task = run_task(_load_openings, self.ctx)
        task.on_done(partial(self._loaded, n))
        task.on_error(partial(self._load_failed, n))
        task.on_finished(partial(self._load_ended, n))
        task.start()

    def _loaded(self, n: int, snap: OpeningsSnapshot) -> None:
        if not isValid(self):
            return  # the window closed while the list loaded
        if n != self._loads:
            return
        self.learned_role = snap.role
        current = self.feed.section_id if self.feed is not None else None
        self.openings_model.set_rows(snap.rows)
        self.openings_view.resizeColumnsToContents()
        today = sum(1 for r in snap.rows if r.today)
        self.openings_status.setText(
            self.tr("{0} opening(s) today ({1}, platform time); {2} in all.").format(
                today, snap.server_time.astimezone(CST).strftime("%Y-%m-%d"), len(snap.rows)
            )
        )
        if current is not None:
            self._select_row(current)
            if self.feed is not None and self.feed.state is not None:
                self.openings_model.set_phase(current, self.feed.state.phase)
        else:
            # The opening this person last ran or watched here: after a restart (or a crash)
            # mid-opening the console follows it again at once.
            key = self._last_section_key()
            last = str(self.ctx.setting(key, "") or "") if key else ""
            if last and self.openings_model.row_where(lambda r: r.section_id == last) >= 0:
                self.select_section(last)
        self._show_mode()

    def _last_section_key(self) -> str:
        identity = self.ctx.identity
        if identity is None:
            return ""
        return f"console/last_section/{format(identity.signing_cert.serial_number, 'x')}"

    def _load_failed(self, n: int, exc: BaseException) -> None:
        if not isValid(self):
            return  # the window closed while the list loaded
        if n != self._loads:
            return
        self.openings_status.setText(
            self.tr("The openings could not be loaded: {0}").format(describe_error(exc))
        )

    def _load_ended(self, n: int) -> None:
        if not isValid(self):
            return  # the window closed while the list loaded
        if n == self._loads:
            self.loading = False

    def _select_row(self, section_id: str) -> None:
        i = self.openings_model.row_where(lambda r: r.section_id == section_id)
        sel = self.openings_view.selectionModel()
        sel.blockSignals(True)
        try:
            if i >= 0:
                self.openings_view.selectRow(i)
            else:
                self.openings_view.clearSelection()
        finally:
            sel.blockSignals(False)

    def _opening_picked(self, *_: Any) -> None:
        rows = self.openings_view.selectionModel().selectedRows()
        if rows:
            self.select_section(self.openings_model.row(rows[0].row()).section_id)

    # -- the selected opening --

    def closing(self) -> None:
        self.stop_feed()

    def select_section(self, section_id: str) -> None:
        """Follow ``section_id``'s opening: a new feed, the old one stopped."""
        if self.feed is not None and self.feed.section_id == section_id and self.feed.running:
            return
        self.stop_feed()
        self._clear_opening()
        self._select_row(section_id)
        key = self._last_section_key()
        if key:
            self.ctx.set_setting(key, section_id)
        row = self.openings_model.row_where(lambda r: r.section_id == section_id)
        if row >= 0:
            r = self.openings_model.row(row)
            self.section_label.setText(f"{r.project} / {r.name} ({r.code})")
        else:
            self.section_label.setText(section_id)
        feed = OpeningFeed(self.ctx, section_id, parent=self)
        feed.stateChanged.connect(lambda s, f=feed: self._on_state(f, s))
        feed.eventReceived.connect(lambda e, f=feed: self._on_event(f, e))
        feed.staleChanged.connect(lambda _s, f=feed: self._on_stale(f))
        feed.failed.connect(lambda exc, f=feed: self._on_failed(f, exc))
        self.feed = feed
        self._make_record_panel(feed)
        feed.start()
        self._on_stale(feed)
        self._update_actions()

    def stop_feed(self) -> None:
        """Stop following the opening (logged out, another section, the app closing)."""
        feed, self.feed = self.feed, None
        if feed is not None:
            feed.stop()
            feed.deleteLater()
        if self.record_panel is not None:
            self.record_panel.deleteLater()
            self.record_panel = None
        self._busy = False

    def _clear_opening(self) -> None:
        self._failure = None
        self._stashed_decisions = None
        self.board_model.set_rows([])
        self.objections_model.set_rows([])
        self.log_view.clear()
        self.section_label.setText(self.tr("Choose an opening on the left."))
        for label in (
            self.phase_label,
            self.countdown_label,
            self.summary_label,
            self.staff_label,
            self.step_message,
        ):
            label.clear()
        self.stale_banner.hide()
        self._update_actions()

    def _make_record_panel(self, feed: OpeningFeed) -> None:
        # The record panel is its own module (shared with the hall): the console works
        # without it while it is being written.
        try:
            from ._record_panel import RecordPanel
        except ImportError:
            panel: QWidget = QLabel(self.tr("The record appears here once it is announced."))
        else:
            panel = RecordPanel(self.ctx, feed, self.record_box)
        self.record_layout.addWidget(panel)
        self.record_panel = panel

    def _on_state(self, feed: OpeningFeed, state: wire.OpeningState) -> None:
        if feed is not self.feed:
            return
        self.phase_label.setText(
            self.tr("Phase: {0}").format(self.text.phase(state.phase))
            + (self.tr(" — failed tender (流标)") if state.outcome == "failed" else "")
        )
        self.openings_model.set_phase(state.section_id, state.phase)
        first = self.board_model.rowCount() != len(state.bidders)
        self.board_model.set_rows(state.bidders)
        if first:
            self.board_view.resizeColumnsToContents()
        self._show_objections(state.objections)
        self._show_summary(state)
        self._show_staff(state)
        self._tick()
        self._update_actions()

    def _show_objections(self, objections: Sequence[wire.Objection]) -> None:
        chosen = self.selected_objection()
        keep = chosen.id if chosen is not None else None
        self.objections_model.set_rows(objections)
        if keep is not None:
            self.select_objection(keep)

    def _show_summary(self, s: wire.OpeningState) -> None:
        if s.bid_count is None:
            if s.signed_in is None:
                self.summary_label.clear()
            else:
                self.summary_label.setText(
                    self.tr("Signed in: {0} (the bidder list is not published yet)").format(
                        s.signed_in
                    )
                )
            return
        n = s.bid_count
        opened = sum(1 for b in s.bidders if b.decryption == "opened")
        failed = sum(1 for b in s.bidders if b.decryption == "failed")
        text = self.tr("Signed in {0}/{1} · opened {2}/{1}").format(s.signed_in or 0, n, opened)
        if failed:
            text += self.tr(" · failed tries {0}").format(failed)
        revoked = sum(1 for b in s.bidders if b.decryption == "revoked")
        withdrawn = sum(1 for b in s.bidders if b.decryption == "withdrawn")
        if revoked or withdrawn:
            text += self.tr(" · revoked {0} · withdrawn {1}").format(revoked, withdrawn)
        self.summary_label.setText(text)

    def _show_staff(self, s: wire.OpeningState) -> None:
        if not s.host:
            self.staff_label.clear()
            return
        text = self.tr("Host: {0} · recorder: {1} · supervisor: {2}").format(
            s.host, s.recorder or "—", s.supervisor or "—"
        )
        if s.phase in ("confirming", "finished"):
            signed = self.staff_signatures()
            marks = [
                self.text.role(role)
                + " "
                + (self.text.decision(signed[role]) if role in signed else self.tr("not signed"))
                for role in _SIGNERS
            ]
            text += "\n" + self.tr("Staff signatures: {0}").format("; ".join(marks))
        self.staff_label.setText(text)

    def staff_signatures(self) -> dict[str, str]:
        """Who of the staff signed the current record revision (from the events): role →
        decision."""
        signed: dict[str, str] = {}
        for e in self.feed.events if self.feed is not None else []:
            if e.kind == "record":
                signed.clear()  # a new revision: signatures on the old digest no longer count
            elif e.kind == "signature" and e.data.get("role") in _SIGNERS:
                signed[str(e.data["role"])] = str(e.data.get("decision"))
        return signed

    def _on_event(self, feed: OpeningFeed, event: wire.OpeningEvent) -> None:
        if feed is not self.feed:
            return
        for line in self.text.describe_event(event, details=False):
            self.log_view.appendPlainText(line)
        if event.kind in ("signature", "record") and feed.state is not None:
            self._show_staff(feed.state)

    def _on_stale(self, feed: OpeningFeed) -> None:
        if feed is not self.feed:
            return
        if self._failure is not None:
            self.stale_banner.setText(
                self.tr("The platform stopped sending this opening: {0}").format(
                    describe_error(self._failure)
                )
            )
            self.stale_banner.show()
        elif not feed.stale:
            self.stale_banner.hide()
        elif feed.state is None:
            self.stale_banner.setText(self.tr("Reading the opening from the platform…"))
            self.stale_banner.show()
        else:
            self.stale_banner.setText(
                self.tr("Connection to the platform lost — reconnecting; shown as of {0}").format(
                    feed.state.server_time.astimezone(CST).strftime("%H:%M:%S")
                )
            )
            self.stale_banner.show()
        self._update_actions()

    def _on_failed(self, feed: OpeningFeed, exc: BaseException) -> None:
        # The feed itself follows again after errors a new try may mend; this one it gave up
        # on (not a participant, no such opening, a session that keeps being refused).
        if feed is not self.feed:
            return
        self._failure = exc
        self._on_stale(feed)
        self._update_actions()

    # -- the clock --

    def _tick(self) -> None:
        feed = self.feed
        state = feed.state if feed is not None else None
        if feed is None or state is None:
            self.countdown_label.clear()
            return
        now = feed.server_now()

        def until(t: datetime) -> str:
            return fmt_countdown(t - now)

        if state.phase == "waiting":
            if now < state.opening_time:
                text = self.tr("Opening time {0} — in {1}").format(
                    fmt_time(state.opening_time), until(state.opening_time)
                )
            else:
                text = self.tr("Opening time {0} reached — start the opening").format(
                    fmt_time(state.opening_time)
                )
        elif state.phase == "window" and state.window_closes_at is not None:
            if now < state.window_closes_at:
                text = self.tr("Decryption window closes at {0} — {1} left").format(
                    fmt_time(state.window_closes_at), until(state.window_closes_at)
                )
            else:
                text = self.tr("The decryption window's time is up ({0}) — end decryption").format(
                    fmt_time(state.window_closes_at)
                )
        elif state.phase == "confirming" and state.confirmation_until is not None:
            if now < state.confirmation_until:
                text = self.tr("Confirmation until {0} — {1} left").format(
                    fmt_time(state.confirmation_until), until(state.confirmation_until)
                )
            else:
                text = self.tr("The confirmation period ended at {0}").format(
                    fmt_time(state.confirmation_until)
                )
        else:
            text = self.tr("Platform time {0}").format(fmt_time(now))
        self.countdown_label.setText(text)
        self._update_actions()

    # -- what may be done now --

    def _ready(self) -> bool:
        feed = self.feed
        return (
            self.role == "host"
            and feed is not None
            and feed.running
            and feed.state is not None
            and not feed.stale
            and self._failure is None
            and not self._busy
        )

    def _update_actions(self) -> None:
        ready = self._ready()
        state = self.feed.state if self.feed is not None else None
        phase = state.phase if state is not None else None
        now = self.feed.server_now() if self.feed is not None else None
        opening_reached = state is not None and now is not None and now >= state.opening_time
        self.start_button.setEnabled(ready and phase == "waiting" and opening_reached)
        self.publish_button.setEnabled(ready and phase == "signin")
        self.open_window_button.setEnabled(ready and phase == "listed")
        self.extend_button.setEnabled(ready and phase == "window")
        self.close_button.setEnabled(ready and phase == "window")
        self.announce_button.setEnabled(ready and phase == "closed")
        self.finish_button.setEnabled(ready and phase == "confirming")
        chosen = self.selected_objection()
        self.answer_button.setEnabled(
            ready and phase in _OBJECTION_PHASES and chosen is not None and chosen.answer is None
        )
        host = self.role == "host"
        self.role_note.setVisible(self.role in ("recorder", "supervisor", "admin"))
        for w in (
            self.recorder_edit,
            self.supervisor_edit,
            self.window_minutes,
            self.extend_minutes,
            self.extend_reason,
            self.confirmation_minutes,
            self.answer_text,
        ):
            w.setEnabled(host)

    # -- objections --

    def selected_objection(self) -> wire.Objection | None:
        rows = self.objections_view.selectionModel().selectedRows()
        return self.objections_model.row(rows[0].row()) if rows else None

    def select_objection(self, objection_id: int) -> bool:
        i = self.objections_model.row_where(lambda o: o.id == objection_id)
        if i < 0:
            return False
        self.objections_view.selectRow(i)
        self._update_actions()
        return True

    # -- the steps --

    def _ask_yes_no(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def _ask_decisions(self, bidders: Sequence[wire.BidderEntry]) -> Decisions | None:
        dialog = FailureDecisionDialog(bidders, previous=self._stashed_decisions, parent=self)
        if dialog.exec() != FailureDecisionDialog.DialogCode.Accepted:
            return None
        return dialog.result_value()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.step_message.setStyleSheet(f"color: {(RED if error else GREEN).name()};")
        self.step_message.setText(text)

    def _step(
        self,
        label: str,
        fn: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], None] | None = None,
    ) -> Task | None:
        feed = self.feed
        if feed is None or not self._ready():
            return None
        self._busy = True
        self.step_message.setStyleSheet("")
        self.step_message.setText(self.tr("{0}: sending to the platform…").format(label))
        self._update_actions()
        task = feed.action(fn, *args)
        task.on_done(partial(self._step_done, feed, label, done))
        task.on_error(partial(self._step_failed, feed, label))
        task.on_finished(partial(self._step_ended, feed))
        return task.start()

    def _step_done(
        self, feed: OpeningFeed, label: str, done: Callable[[Any], None] | None, result: Any
    ) -> None:
        if not isValid(self) or feed is not self.feed:
            return
        self._say(self.tr("{0}: done.").format(label))
        if done is not None:
            done(result)

    def _step_failed(self, feed: OpeningFeed, label: str, exc: BaseException) -> None:
        if not isValid(self):
            return  # the window is gone
        if feed is not self.feed:
            return
        # The platform's own words (409 when another host window already did it, 422 for a
        # missing reason …); the feed reads the state again after every step.
        self._say(self.tr("{0}: refused — {1}").format(label, describe_error(exc)), error=True)
        if not isinstance(exc, SealBidError):
            self.ctx.errors.show(exc)  # not the platform's answer: the error dialog, logged

    def _step_ended(self, feed: OpeningFeed) -> None:
        if not isValid(self):
            return  # the window is gone
        if feed is not self.feed:
            return
        self._busy = False
        self._update_actions()

    def start_opening(self) -> Task | None:
        if not self._ready():
            return None
        recorder = self.recorder_edit.text().strip() or None
        supervisor = self.supervisor_edit.text().strip() or None
        if not self.confirm(
            self.tr("Start the opening?"),
            self.tr(
                "Start the opening of {0}? Sign-in opens for the bidders. With fewer than three"
                " bids the opening ends at once as a failed tender (流标)."
            ).format(self.section_label.text()),
        ):
            return None
        return self._step(self.tr("Start the opening"), OpeningClient.start, recorder, supervisor)

    def publish_list(self) -> Task | None:
        if not self._ready():
            return None
        if not self.confirm(
            self.tr("Publish the bidder list?"),
            self.tr(
                "Publish the bidder list? Every bidder then sees the others' names and sign-in"
                " times. This cannot be undone."
            ),
        ):
            return None
        return self._step(self.tr("Publish the bidder list"), OpeningClient.publish_list)

    def open_window(self) -> Task | None:
        if not self._ready():
            return None
        minutes = self.window_minutes.value()
        if not self.confirm(
            self.tr("Open the decryption window?"),
            self.tr(
                "Open the decryption window for {0} minutes? Bidders release their keys until"
                " it ends."
            ).format(minutes),
        ):
            return None
        return self._step(self.tr("Open the decryption window"), OpeningClient.open_window, minutes)

    def extend_window(self) -> Task | None:
        if not self._ready():
            return None
        reason = self.extend_reason.text().strip()
        minutes = self.extend_minutes.value()
        if not reason:
            self._say(
                self.tr("Give the reason for the extension: it goes on the record."), error=True
            )
            self.extend_reason.setFocus()
            return None
        if not self.confirm(
            self.tr("Extend the window?"),
            self.tr("Extend the decryption window by {0} minutes for this reason: {1}?").format(
                minutes, reason
            ),
        ):
            return None
        return self._step(
            self.tr("Extend the window"),
            OpeningClient.extend,
            minutes,
            reason,
            done=lambda _r: self.extend_reason.clear(),
        )

    def close_window(self) -> Task | None:
        """结束解密: early only when every bid opened (the platform checks); bids that did not
        open are decided by cause, with the reasons."""
        feed = self.feed
        if feed is None or feed.state is None or not self._ready():
            return None
        state = feed.state
        unopened = [b for b in state.bidders if b.decryption != "opened"]
        early = state.window_closes_at is not None and feed.server_now() < state.window_closes_at
        label = self.tr("End decryption")
        if early:
            if not self.confirm(
                self.tr("End decryption early?"),
                self.tr(
                    "The window runs until {0}. End decryption now? The platform allows it only"
                    " when every bid has opened; every summary is then published at once."
                ).format(fmt_time(state.window_closes_at)),
            ):
                return None
            return self._step(label, OpeningClient.close, None, (), True)
        if not unopened:
            if not self.confirm(
                self.tr("End decryption?"),
                self.tr("Every bid opened. End decryption and publish every summary at once?"),
            ):
                return None
            return self._step(label, OpeningClient.close, None, (), False)
        answer = self.ask_failure_decisions(unopened)
        if answer is None:
            return None
        reason, decisions = answer
        # Kept until the platform takes them: a refused close loses nothing the host typed.
        self._stashed_decisions = (reason, list(decisions))
        if not self.confirm(
            self.tr("End decryption?"),
            self.tr(
                "{0} bid(s) did not open and will be decided as you chose. End decryption and"
                " publish every summary at once? This cannot be undone."
            ).format(len(unopened)),
        ):
            return None

        def closed(_state: Any) -> None:
            self._stashed_decisions = None

        return self._step(label, OpeningClient.close, reason, tuple(decisions), False, done=closed)

    def announce(self) -> Task | None:
        if not self._ready():
            return None
        minutes = self.confirmation_minutes.value()
        if not self.confirm(
            self.tr("Announce the results?"),
            self.tr(
                "Announce the results (唱标)? The platform builds and signs the opening record;"
                " participants then have {0} minutes to confirm it."
            ).format(minutes),
        ):
            return None
        return self._step(self.tr("Announce the results"), OpeningClient.announce, minutes)

    def answer_objection(self) -> Task | None:
        if not self._ready():
            return None
        chosen = self.selected_objection()
        if chosen is None or chosen.answer is not None:
            self._say(self.tr("Select an objection that is not answered yet."), error=True)
            return None
        text = self.answer_text.text().strip()
        if not text:
            self._say(self.tr("Type the answer first: it goes on the record."), error=True)
            self.answer_text.setFocus()
            return None
        if not self.confirm(
            self.tr("Answer the objection?"),
            self.tr("Answer objection {0} of {1}? The answer goes on the record: {2}").format(
                chosen.id, chosen.raised_by, text
            ),
        ):
            return None
        return self._step(
            self.tr("Answer objection {0}").format(chosen.id),
            OpeningClient.answer,
            chosen.id,
            text,
            done=lambda _r: self.answer_text.clear(),
        )

    def finish(self) -> Task | None:
        if not self._ready():
            return None
        missing = [r for r in _SIGNERS if r not in self.staff_signatures()]
        text = self.tr("Finish the opening? The record is closed for good.")
        if missing:
            text += "\n" + self.tr("Not signed yet (as far as shown): {0}.").format(
                ", ".join(self.text.role(r) for r in missing)
            )
        if not self.confirm(self.tr("Finish the opening?"), text):
            return None
        return self._step(self.tr("Finish the opening"), OpeningClient.finish)
