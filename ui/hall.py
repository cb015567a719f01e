"""The bidder's opening hall (开标大厅): follow one section's remote opening and take part.

    page = HallPage(ctx)
    page.join("HFJS-2026-0101-01")          # a new OpeningFeed; the state replays from the start
    page.signin_button.click()              # 签到
    page.decrypt_button.click()             # 解密: unwrap here (PIN via the token), release
    page.raise_objection()                  # asks the text (page.ask_text), then page.confirm

The opening lives on the platform; the page only shows what the feed last read and sends the
bidder's steps through ``feed.action`` (a worker, never the GUI thread). A state the feed
calls out of date (``stale``) is shown under a banner with every action disabled until a
fresh one arrives. Countdowns run on the platform's clock (``feed.server_now()``), ticked
here once a second without asking the network.

The section list holds what the bidder can attend: sections whose opening is at most a week
ago or still ahead, nearest first. ``ctx.navigate.emit("hall", section_id)`` selects and
joins one from elsewhere (the sections page, a receipt).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from client import wire
from client.opening import OpeningClient, Rehearsal
from sealbid.errors import CancelledError

from ._certinfo import find_org_code
from ._hall_models import BiddersModel, ResultsModel
from ._opening_feed import OpeningFeed
from ._opening_models import RED, ObjectionsModel
from ._opening_text import OpeningText, detail_text
from .context import STAFF, AppContext
from .errors import describe_error
from .i18n import current_language
from .tasks import Job, Task, run_task
from .widgets import CST, Page, ask_yes_no, fmt_countdown, fmt_time, row_table

__all__ = ["RECENT_DAYS", "HallPage"]

log = logging.getLogger(__name__)

RECENT_DAYS = 7
"""Sections whose opening was at most this many days ago are still listed (the record may be
waiting for the bidder's signature)."""

_SIGNIN_PHASES = ("signin", "listed", "window")
_OBJECT_PHASES = ("signin", "listed", "window", "closed", "announced", "confirming")
_REHEARSE_PHASES = ("waiting", "signin", "listed", "window")
_RESULT_PHASES = ("closed", "announced", "confirming", "finished")
_RED = RED.name()  # the opening screens' one red
_GREEN = "#1b7f3b"


def _load_sections(job: Job, ctx: AppContext, generation: int) -> tuple[int, list[wire.Section]]:
    with ctx.client() as client:
        return generation, list(client.sections())


def _load_section(
    job: Job, ctx: AppContext, section_id: str, generation: int
) -> tuple[int, wire.Section]:
    with ctx.client() as client:
        return generation, client.section(section_id)


class HallPage(Page):
    key = "hall"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.texts = OpeningText(self)
        self.feed: OpeningFeed | None = None
        self.record_panel: QWidget | None = None
        self.sections: dict[str, wire.Section] = {}
        self.last_rehearsal: Rehearsal | None = None
        self._action: Task | None = None
        self._on_done: Callable[[Any], None] = lambda result: None
        self._on_failed: Callable[[BaseException], None] = lambda exc: None
        self._loading: Task | None = None
        self._generation = 0  # bumped on login/logout: late answers for someone else drop
        self._results_shown = False
        self._staff_shown = False
        # Objection texts not sent yet, by section: kept when raising one failed or was not
        # confirmed (nothing typed is lost); dropped when someone else logs in.
        self._drafts: dict[str, str] = {}
        # Dialogs, replaced by tests: confirm(title, text) → yes?; ask_text(title, label,
        # text) → the text, or None when cancelled.
        self.confirm: Callable[[str, str], bool] = self._ask_confirm
        self.ask_text: Callable[[str, str, str], str | None] = self._ask_text
        self._build()
        self._countdown = QTimer(self)
        self._countdown.timeout.connect(self._tick)
        self._countdown.start(1000)
        ctx.identityChanged.connect(self._identity_changed)
        role_changed = getattr(ctx, "roleChanged", None)
        if role_changed is not None:
            role_changed.connect(self._role_changed)
        self._identity_changed()

    def title(self) -> str:
        return self.tr("Opening hall")

    # -- layout --

    def _build(self) -> None:
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Section:")))
        self.section_combo = QComboBox()
        self.section_combo.setAccessibleName(self.tr("Section to attend"))
        self.section_combo.setMinimumWidth(420)
        self.section_combo.activated.connect(self._picked)
        top.addWidget(self.section_combo, 1)
        self.join_button = QPushButton(self.tr("&Join"))
        self.join_button.setAccessibleName(self.tr("Join the opening"))
        self.join_button.clicked.connect(self._join_selected)
        top.addWidget(self.join_button)
        self.reload_button = QPushButton(self.tr("Reload list"))
        self.reload_button.clicked.connect(self.load_sections)
        top.addWidget(self.reload_button)
        layout.addLayout(top)

        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        self.notice_label.setAccessibleName(self.tr("Hall notice"))
        self.notice_label.setStyleSheet(f"color: {_RED}; font-weight: bold")
        self.notice_label.hide()
        layout.addWidget(self.notice_label)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(self.tr("Platform error"))
        self.error_label.setStyleSheet(f"color: {_RED}")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.stale_banner = QLabel()
        self.stale_banner.setWordWrap(True)
        self.stale_banner.setAccessibleName(self.tr("Connection warning"))
        self.stale_banner.setStyleSheet(
            "background: #fff3cd; color: #7a4f00; padding: 6px; font-weight: bold;"
            " border: 1px solid #e0b000"
        )
        self.stale_banner.hide()
        layout.addWidget(self.stale_banner)

        status = QGroupBox(self.tr("Opening"))
        grid = QGridLayout(status)
        self.phase_label = QLabel("—")
        self.phase_label.setAccessibleName(self.tr("Phase"))
        self.phase_label.setStyleSheet("font-size: 15pt; font-weight: bold")
        self.countdown_label = QLabel("")
        self.countdown_label.setAccessibleName(self.tr("Countdown"))
        self.countdown_label.setStyleSheet("font-size: 15pt; font-family: monospace")
        self.info_label = QLabel("")
        self.info_label.setWordWrap(True)
        self.my_status_label = QLabel("—")
        self.my_status_label.setWordWrap(True)
        self.my_status_label.setAccessibleName(self.tr("My status"))
        self.my_status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(self.phase_label, 0, 0)
        grid.addWidget(self.countdown_label, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.info_label, 1, 0, 1, 2)
        grid.addWidget(QLabel(self.tr("My status:")), 2, 0, 1, 2)
        grid.addWidget(self.my_status_label, 3, 0, 1, 2)
        layout.addWidget(status)

        buttons = QHBoxLayout()
        self.signin_button = QPushButton(self.tr("&Sign in (签到)"))
        self.signin_button.setAccessibleName(self.tr("Sign in"))
        self.signin_button.clicked.connect(self.sign_in)
        self.decrypt_button = QPushButton(self.tr("&Decrypt (解密)"))
        self.decrypt_button.setAccessibleName(self.tr("Decrypt my bid"))
        self.decrypt_button.setToolTip(
            self.tr("Unwrap your bid's file key on this computer and release it to the platform")
        )
        self.decrypt_button.clicked.connect(self.decrypt)
        self.rehearse_button = QPushButton(self.tr("&Rehearse (解密自检)"))
        self.rehearse_button.setAccessibleName(self.tr("Rehearse decryption"))
        self.rehearse_button.setToolTip(
            self.tr("Check that your current key opens the uploaded bid; nothing is sent")
        )
        self.rehearse_button.clicked.connect(self.rehearse)
        self.object_button = QPushButton(self.tr("Raise &objection (异议)…"))
        self.object_button.setAccessibleName(self.tr("Raise an objection"))
        self.object_button.clicked.connect(self.raise_objection)
        for b in (self.signin_button, self.decrypt_button, self.rehearse_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.object_button)
        layout.addLayout(buttons)

        result = QHBoxLayout()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # busy: a step whose length nobody knows
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.setAccessibleName(self.tr("Working"))
        self.busy_bar.hide()
        self.action_label = QLabel()
        self.action_label.setWordWrap(True)
        self.action_label.setAccessibleName(self.tr("Result of the last step"))
        self.action_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        result.addWidget(self.busy_bar)
        result.addWidget(self.action_label, 1)
        layout.addLayout(result)

        self.tabs = QTabWidget()
        self.bidders_model = BiddersModel(self.texts, self)
        self.bidders_view = row_table(self.bidders_model, self.tr("Bidders"))
        self.tabs.addTab(self.bidders_view, self.tr("Bidders"))

        self.results_model = ResultsModel(self.texts, self)
        self.results_view = row_table(self.results_model, self.tr("Results (唱标)"))
        self.tabs.addTab(self.results_view, self.tr("Results (唱标)"))

        self.objections_tab = objections = QWidget()
        ol = QVBoxLayout(objections)
        self.only_mine_check = QCheckBox(self.tr("Only my objections"))
        self.only_mine_check.toggled.connect(self._filter_objections)
        ol.addWidget(self.only_mine_check)
        self.objections_model = ObjectionsModel(self)
        self.objections_view = row_table(self.objections_model, self.tr("Objections"))
        self.objections_view.setWordWrap(True)
        ol.addWidget(self.objections_view)
        self.tabs.addTab(objections, self.tr("Objections (异议)"))

        self.record_holder = QWidget()
        self._record_layout = QVBoxLayout(self.record_holder)
        self._record_placeholder = QLabel(
            self.tr("The opening record appears here once announced.")
        )
        self._record_layout.addWidget(self._record_placeholder)
        self.tabs.addTab(self.record_holder, self.tr("Record (开标记录)"))

        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setAccessibleName(self.tr("Opening events"))
        self.log_view.setMaximumBlockCount(20000)
        self.tabs.addTab(self.log_view, self.tr("Event log"))
        layout.addWidget(self.tabs, 1)
        for view in (self.bidders_view, self.results_view, self.objections_view):
            # Whole names, codes and amounts (with 大写) rather than "…": the columns follow
            # their content; the last one takes the rest of the width.
            header = view.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setStretchLastSection(True)
        self._update_actions()

    # -- who is logged in --

    def _role(self) -> str:
        return str(getattr(self.ctx, "role", "") or "")

    def _last_section_key(self) -> str:
        """The setting that remembers the section this person last joined ("" unknown)."""
        identity = self.ctx.identity
        if identity is None:
            return ""
        who = self._own_org_code() or format(identity.signing_cert.serial_number, "x")
        return f"hall/last_section/{who}"

    def _own_org_code(self) -> str | None:
        identity = self.ctx.identity
        if identity is None:
            return None
        try:
            return find_org_code(identity.signing_cert.subject)
        except Exception:  # a certificate without a readable subject: nothing is marked "you"
            return None

    def _identity_changed(self) -> None:
        self._generation += 1
        self._loading = None  # its answer is for the one logged in before: dropped
        self.leave()
        self._drafts.clear()  # the previous person's unsent objections are not shown
        self.sections.clear()
        self.section_combo.clear()
        own = self._own_org_code()
        for m in (self.bidders_model, self.results_model, self.objections_model):
            m.own_org_code = own
        if self.ctx.identity is None:
            self._notice(self.tr("Log in first: the hall shows the openings of your bids."))
        elif self._role() in STAFF:
            self._staff_notice()
        else:
            self._notice("")
            self.load_sections()
        self._update_actions()

    def _role_changed(self, role: str) -> None:
        if role in STAFF:
            self.leave()
            self._staff_notice()
        elif role == "bidder" and self.ctx.identity is not None:
            if self._staff_shown:
                self._notice("")
            if not self.sections:
                self.load_sections()
        self._update_actions()

    def _staff_notice(self) -> None:
        self._notice(
            self.tr(
                "The opening hall is for bidders. You are logged in as opening staff: run or"
                " watch the opening in the Opening console."
            )
        )
        self._staff_shown = True

    def _notice(self, text: str) -> None:
        self._staff_shown = False
        self.notice_label.setText(text)
        self.notice_label.setVisible(bool(text))

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    # -- sections --

    def closing(self) -> None:
        self.leave()

    def activated(self) -> None:
        if self.ctx.identity is not None and not self.sections and self._loading is None:
            if self._role() not in STAFF:
                self.load_sections()

    def load_sections(self) -> None:
        """Read the sections from the platform (a worker) and list the ones to attend."""
        if self.ctx.identity is None or self._loading is not None:
            return
        generation = self._generation
        try:
            task = run_task(_load_sections, self.ctx, generation)
        except Exception as exc:  # no platform chosen yet
            self._notice(describe_error(exc))
            return
        task.on_done(self._sections_loaded)
        task.on_error(self._sections_failed)
        task.on_finished(self._loading_ended)
        self._loading = task.start()

    def _loading_ended(self) -> None:
        task = self._loading
        if task is not None and task.signals is self.sender():
            self._loading = None

    def _sections_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, CancelledError):
            self._show_error(
                self.tr("Could not read the sections: {0}").format(describe_error(exc))
            )

    def _sections_loaded(self, result: tuple[int, list[wire.Section]]) -> None:
        generation, rows = result
        if generation != self._generation:
            return
        now = self.ctx.server_now()
        since = now - timedelta(days=RECENT_DAYS)
        shown = [s for s in rows if s.opening_time >= since]
        shown.sort(key=lambda s: abs((s.opening_time - now).total_seconds()))
        for s in rows:
            self.sections[s.id] = s
        current = self.feed.section_id if self.feed is not None else None
        self.section_combo.blockSignals(True)
        self.section_combo.clear()
        for s in shown:
            self.section_combo.addItem(self._section_label(s), s.id)
        if current is not None:
            self._select(current)
        rejoin = None
        if current is None:
            # The opening this bidder last followed on this PC (remembered per person: never
            # another bidder's): after a restart mid-opening the hall follows it again at once.
            key = self._last_section_key()
            last = self.section_combo.findData(self.ctx.setting(key, "") or "") if key else -1
            if last >= 0:
                self.section_combo.setCurrentIndex(last)
                rejoin = self.section_combo.itemData(last)
        self.section_combo.blockSignals(False)
        if rejoin is not None:
            self.join(str(rejoin))
        if self.feed is not None:
            self.results_model.set_form(self._form_of(self.feed.section_id))
        self._update_actions()

    def _section_label(self, s: wire.Section) -> str:
        return f"{s.code}  {s.name}  —  {fmt_time(s.opening_time, seconds=False)}"

    def _select(self, section_id: str) -> None:
        i = self.section_combo.findData(section_id)
        if i < 0:
            s = self.sections.get(section_id)
            self.section_combo.addItem(self._section_label(s) if s else section_id, section_id)
            i = self.section_combo.count() - 1
        self.section_combo.setCurrentIndex(i)

    def _form_of(self, section_id: str) -> wire.SummaryForm | None:
        s = self.sections.get(section_id)
        return s.form if s is not None else None

    def _picked(self, index: int) -> None:
        sid = self.section_combo.itemData(index)
        if isinstance(sid, str) and (self.feed is None or self.feed.section_id != sid):
            self.join(sid)

    def _join_selected(self) -> None:
        sid = self.section_combo.currentData()
        if isinstance(sid, str):
            self.join(sid)

    def show_item(self, item: object) -> None:
        if isinstance(item, str) and item:
            self.join(item)

    # -- joining --

    def join(self, section_id: str) -> bool:
        """Follow ``section_id``'s opening (a new feed; the old one stops). False when the
        hall cannot (nobody logged in, staff)."""
        if self.ctx.identity is None:
            self._notice(self.tr("Log in first: the hall shows the openings of your bids."))
            return False
        if self._role() in STAFF:
            self._staff_notice()
            return False
        self.leave()
        self._notice("")
        self.section_combo.blockSignals(True)
        self._select(section_id)
        self.section_combo.blockSignals(False)
        key = self._last_section_key()
        if key:
            self.ctx.set_setting(key, section_id)
        if section_id not in self.sections:
            generation = self._generation
            task = run_task(_load_section, self.ctx, section_id, generation)
            task.on_done(self._section_loaded).on_error(self._section_not_loaded)
            task.start()
        self.results_model.set_form(self._form_of(section_id))
        feed = OpeningFeed(self.ctx, section_id, parent=self)
        feed.stateChanged.connect(self._show_state)
        feed.eventReceived.connect(self._log_event)
        feed.staleChanged.connect(self._stale_changed)
        feed.failed.connect(self._feed_failed)
        self.feed = feed
        self.phase_label.setText(self.tr("Connecting…"))
        self._attach_record_panel(feed)
        try:
            feed.start()
        except Exception as exc:  # no platform chosen: the context says which setting
            self._notice(describe_error(exc))
            self.leave()
            return False
        self._update_actions()
        return True

    @staticmethod
    def _section_not_loaded(exc: BaseException) -> None:
        # Only the labels of the section and its form are missing; the feed says the rest.
        log.debug("section not read: %s", type(exc).__name__)

    def _section_loaded(self, result: tuple[int, wire.Section]) -> None:
        generation, s = result
        if generation != self._generation:
            return
        self.sections[s.id] = s
        i = self.section_combo.findData(s.id)
        if i >= 0:
            self.section_combo.setItemText(i, self._section_label(s))
        if self.feed is not None and self.feed.section_id == s.id:
            self.results_model.set_form(s.form)

    def leave(self) -> None:
        """Stop following the current opening and clear what it showed."""
        feed, self.feed = self.feed, None
        if feed is not None:
            for signal in (feed.stateChanged, feed.eventReceived, feed.staleChanged, feed.failed):
                try:
                    signal.disconnect()
                except (RuntimeError, TypeError):  # nothing connected any more
                    pass
            feed.stop()
            feed.deleteLater()
        self._detach_record_panel()
        self._show_error("")
        self._action = None
        self._results_shown = False
        self.last_rehearsal = None
        self.busy_bar.hide()
        self.action_label.clear()
        self.stale_banner.hide()
        self.phase_label.setText("—")
        self.countdown_label.clear()
        self.info_label.clear()
        self.my_status_label.setText("—")
        self.bidders_model.set_rows([])
        self.results_model.set_rows([])
        self.objections_model.set_rows([])
        self.log_view.clear()
        self._update_actions()

    def _attach_record_panel(self, feed: OpeningFeed) -> None:
        self._detach_record_panel()
        try:
            # Written beside this page; the hall works without it.
            from ._record_panel import RecordPanel  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            log.debug("record panel not available", exc_info=True)
            self._record_placeholder.show()
            return
        panel = RecordPanel(self.ctx, feed, self.record_holder)
        self._record_placeholder.hide()
        self._record_layout.addWidget(panel)
        self.record_panel = panel

    def _detach_record_panel(self) -> None:
        panel, self.record_panel = self.record_panel, None
        if panel is not None:
            self._record_layout.removeWidget(panel)
            panel.hide()
            panel.deleteLater()
        self._record_placeholder.show()

    # -- what the feed says --

    def _feed_failed(self, exc: BaseException) -> None:
        # Retrying does not mend it (not a bidder of this opening, …): say why, stop asking.
        feed = self.feed
        self._show_error(describe_error(exc))
        if feed is not None:
            feed.stop()
        set_feed = getattr(self.record_panel, "set_feed", None)
        if set_feed is not None:
            set_feed(None)  # the record panel stops following too
        if feed is not None and feed.state is not None:
            # What is still on screen is the opening as it stood then, not now.
            shown = feed.state.server_time.astimezone(CST).strftime("%H:%M:%S")
            self.stale_banner.setText(
                self.tr(
                    "The platform stopped sending this opening; shown as of {0}. Join again to"
                    " follow it."
                ).format(shown)
            )
            self.stale_banner.show()
        else:
            self.stale_banner.hide()
        self.phase_label.setText(self.tr("Not connected"))
        self.countdown_label.clear()
        self._update_actions()

    def _stale_changed(self, stale: bool) -> None:
        self._show_stale()
        self._update_actions()

    def _show_stale(self) -> None:
        feed = self.feed
        if feed is None or not feed.running or not feed.stale or feed.state is None:
            self.stale_banner.hide()
            return
        shown = feed.state.server_time.astimezone(CST).strftime("%H:%M:%S")
        self.stale_banner.setText(
            self.tr(
                "Connection to the platform lost — reconnecting; shown as of {0}. Actions are"
                " disabled until the platform answers again."
            ).format(shown)
        )
        self.stale_banner.show()

    def _log_event(self, event: wire.OpeningEvent) -> None:
        for line in self.texts.describe_event(event):
            self.log_view.appendPlainText(line)

    def _show_state(self, state: wire.OpeningState) -> None:
        phase = self.texts.phase(state.phase)
        if state.outcome == "failed":
            phase += self.tr(" — failed tender (流标)")
        self.phase_label.setText(phase)
        info = [self.tr("Opening time: {0}").format(fmt_time(state.opening_time))]
        if state.host:
            info.append(self.tr("Host: {0}").format(state.host))
        if state.bid_count is not None:
            info.append(self.tr("Bids: {0}").format(state.bid_count))
        if state.window_closes_at is not None and state.phase == "window":
            info.append(self.tr("Window closes: {0}").format(fmt_time(state.window_closes_at)))
        if state.confirmation_until is not None and state.phase == "confirming":
            info.append(self.tr("Confirm by: {0}").format(fmt_time(state.confirmation_until)))
        self.info_label.setText("    ".join(info))
        self.my_status_label.setText(self._my_status_text(state.me))
        self.bidders_model.set_rows(state.bidders)
        if state.phase in _RESULT_PHASES:
            self.results_model.set_rows(state.bidders)
            if not self._results_shown:
                self._results_shown = True
                self.tabs.setCurrentWidget(self.results_view)
        else:
            self.results_model.set_rows([])
        self.objections_model.set_rows(state.objections)
        self._filter_objections()
        self._show_stale()
        self._tick()
        self._update_actions()

    def _my_status_text(self, me: wire.MyStatus | None) -> str:
        if me is None:
            return "—"
        number = str(me.number) if me.number is not None else self.tr("not yet published")
        signed = fmt_time(me.signed_in_at) if me.signed_in_at else self.tr("not signed in")
        parts = [
            self.tr("Number: {0}").format(number),
            self.tr("Signed in: {0}").format(signed),
            self.tr("Decryption: {0}").format(self.texts.decryption(me.decryption)),
            self.tr("Attempts: {0}").format(me.attempts),
        ]
        text = "    ".join(parts)
        if me.last_error is not None and me.decryption != "opened":
            text += "\n" + self.tr("Last error: {0}").format(detail_text(me.last_error))
        return text

    def _filter_objections(self) -> None:
        only_mine = self.only_mine_check.isChecked()
        for i, o in enumerate(self.objections_model.rows()):
            self.objections_view.setRowHidden(i, only_mine and not self.objections_model.is_mine(o))

    def _tick(self) -> None:
        feed = self.feed
        state = feed.state if feed is not None else None
        if feed is None or state is None or not feed.running:
            self.countdown_label.clear()
            return
        now = feed.server_now()
        target: datetime | None = None
        label = ""
        if state.phase == "waiting":
            if now < state.opening_time:
                target, label = state.opening_time, self.tr("Opening in")
            else:
                self.countdown_label.setText(self.tr("Waiting for the host to start"))
                return
        elif state.phase == "window" and state.window_closes_at is not None:
            target, label = state.window_closes_at, self.tr("Window closes in")
        elif state.phase == "confirming" and state.confirmation_until is not None:
            target, label = state.confirmation_until, self.tr("Confirm within")
        if target is None:
            self.countdown_label.clear()
            return
        self.countdown_label.setText(f"{label} {fmt_countdown(target - now)}")

    # -- what may be done now --

    def _fresh_state(self) -> wire.OpeningState | None:
        feed = self.feed
        if feed is None or not feed.running or feed.stale or feed.state is None:
            return None
        return feed.state

    def _update_actions(self) -> None:
        state = self._fresh_state()
        busy = self._action is not None
        me = state.me if state is not None else None
        phase = state.phase if state is not None else ""
        signed_in = me is not None and me.signed_in_at is not None
        opened = me is not None and me.decryption == "opened"
        self.signin_button.setEnabled(
            not busy and me is not None and phase in _SIGNIN_PHASES and not signed_in
        )
        self.decrypt_button.setEnabled(
            not busy and me is not None and phase == "window" and signed_in and not opened
        )
        # Before the opening starts the platform sends no status of one's own: the
        # rehearsal is still worth doing (the platform refuses it to non-bidders).
        self.rehearse_button.setEnabled(not busy and phase in _REHEARSE_PHASES and not opened)
        self.object_button.setEnabled(
            not busy and me is not None and signed_in and phase in _OBJECT_PHASES
        )
        logged_in = self.ctx.identity is not None and self._role() not in STAFF
        self.join_button.setEnabled(logged_in and self.section_combo.count() > 0)
        self.reload_button.setEnabled(logged_in)
        self.section_combo.setEnabled(logged_in)

    # -- the bidder's steps --

    def _run(
        self,
        busy_text: str,
        fn: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> bool:
        feed = self.feed
        if feed is None or self._action is not None or self._fresh_state() is None:
            return False
        self.action_label.setStyleSheet("")
        self.action_label.setText(busy_text)
        self.busy_bar.show()
        self._on_done = done
        self._on_failed = failed or self._failed
        # Bound methods, not closures: a page that is gone gets no call at all.
        task = feed.action(fn, *args)
        task.on_done(self._action_done).on_error(self._action_failed)
        task.on_cancelled(self._action_cancelled).on_finished(self._action_finished)
        self._action = task.start()
        self._update_actions()
        return True

    def _current_action(self) -> bool:
        """The signal comes from the step in flight (not a late one of a page left since)."""
        task = self._action
        return task is not None and task.signals is self.sender()

    def _action_done(self, result: Any) -> None:
        if self._current_action():
            self._on_done(result)

    def _action_failed(self, exc: BaseException) -> None:
        if self._current_action():
            self._on_failed(exc)

    def _action_cancelled(self) -> None:
        if self._current_action():
            self.action_label.clear()

    def _action_finished(self) -> None:
        if self._current_action():
            self._action = None
            self.busy_bar.hide()
        self._update_actions()

    def _say(self, text: str, color: str | None = None) -> None:
        self.action_label.setStyleSheet(f"color: {color}; font-weight: bold" if color else "")
        self.action_label.setText(text)

    def _failed(self, exc: BaseException) -> None:
        self._say(self.tr("Failed: {0}").format(describe_error(exc)), _RED)

    def sign_in(self) -> bool:
        """签到 (a worker signs the platform's challenge)."""
        return self._run(
            self.tr("Signing in…"),
            OpeningClient.signin,
            done=lambda me: self._say(
                self.tr("Signed in at {0}.").format(fmt_time(me.signed_in_at)), _GREEN
            ),
        )

    def decrypt(self) -> bool:
        """解密: unwrap the file key here (a token asks its PIN through its own callback) and
        release it; the platform answers at once. A refusal shows its reason; the button
        stays for another try while the window is open."""
        return self._run(
            self.tr("Decrypting: unwrapping the file key and releasing it to the platform…"),
            OpeningClient.release,
            done=self._decrypted,
            failed=self._decrypt_failed,
        )

    def _decrypted(self, me: wire.MyStatus) -> None:
        if me.decryption == "opened":
            self._say(
                self.tr("Your bid opened. Its content stays sealed until the window closes."),
                _GREEN,
            )
        else:
            self._say(self.tr("Decryption: {0}").format(self.texts.decryption(me.decryption)))

    def _decrypt_failed(self, exc: BaseException) -> None:
        text = self.tr("Decryption failed: {0}").format(describe_error(exc))
        text += "\n" + self.tr("You may try again while the window is open.")
        self._say(text, _RED)

    def rehearse(self) -> bool:
        """解密自检: unwrap the stored bid's key here, post nothing."""
        return self._run(
            self.tr("Rehearsing the decryption…"),
            OpeningClient.rehearse,
            done=self._rehearsed,
        )

    def _rehearsed(self, r: Rehearsal) -> None:
        self.last_rehearsal = r
        lang = current_language()
        if r.ok:
            head = self.tr("Rehearsal passed: your current key opens the uploaded bid.")
            color = _GREEN
        else:
            head = self.tr("Rehearsal FAILED: fix the problems below before the window opens.")
            color = _RED
        lines = [head]
        lines += ["• " + n.text(lang) for n in r.problems]
        lines += ["⚠ " + n.text(lang) for n in r.warnings]
        self._say("\n".join(lines), color)

    def raise_objection(self) -> bool:
        """异议: ask the text, confirm, send. Refused inline when empty; kept when it fails."""
        feed = self.feed
        if feed is None or self._fresh_state() is None or self._action is not None:
            return False
        section_id = feed.section_id
        text = self.ask_text(
            self.tr("Raise an objection"),
            self.tr("Your objection (it goes on the opening record):"),
            self._drafts.get(section_id, ""),
        )
        if text is None:
            return False
        text = text.strip()
        if not text:
            self._say(self.tr("The objection is empty: nothing was sent."), _RED)
            return False
        if len(text) > 4000:
            self._drafts[section_id] = text
            self._say(self.tr("The objection is longer than 4000 characters."), _RED)
            return False
        if not self.confirm(
            self.tr("Raise an objection"),
            self.tr("Send this objection to the host? It goes on the record.\n\n{0}").format(text),
        ):
            self._drafts[section_id] = text
            return False
        self._drafts[section_id] = text
        if self.feed is not feed:  # left while the dialogs were open: not sent elsewhere
            return False

        def sent(o: wire.Objection) -> None:
            self._drafts.pop(section_id, None)
            self._say(
                self.tr("Objection {0} sent; the host's answer appears below.").format(o.id), _GREEN
            )
            self.tabs.setCurrentWidget(self.objections_tab)

        return self._run(self.tr("Sending the objection…"), OpeningClient.object, text, done=sent)

    # -- dialogs (tests replace these) --

    def _ask_confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def _ask_text(self, title: str, label: str, text: str) -> str | None:
        value, ok = QInputDialog.getMultiLineText(self, title, label, text)
        return value if ok else None
