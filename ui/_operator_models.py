"""Tables of the opening console: the openings to choose from and the decryption board (the
objections table is shared with the hall: ``_opening_models``); and the worker that loads
the openings.

    snapshot = load_openings(job, ctx)        # in a worker: sections, today's first
    page.openings_model.set_rows(snapshot.rows)
    page.board_model.set_rows(state.bidders)  # wire.BidderEntry rows
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from client import wire
from client.errors import PlatformError
from client.opening import OpeningClient

from ._opening_models import OpeningRows, status_brush
from ._opening_text import OpeningText
from .context import STAFF, AppContext
from .tasks import Job
from .widgets import CST, fmt_time

__all__ = [
    "BoardModel",
    "OpeningRow",
    "OpeningsModel",
    "OpeningsSnapshot",
    "load_openings",
]

_Index = QModelIndex | QPersistentModelIndex
# Reading each section's phase costs one request: only for the openings of today, and a few.
_PHASES_AT_MOST = 40


@dataclass(frozen=True)
class OpeningRow:
    section_id: str
    code: str
    name: str
    project: str
    opening_time: datetime
    today: bool
    """The opening time falls on today's date in Beijing time, by the platform's clock."""
    phase: str | None = None
    """The opening's phase when known (read for today's openings; the selected one live)."""


@dataclass(frozen=True)
class OpeningsSnapshot:
    role: str
    server_time: datetime
    rows: list[OpeningRow]


class OpeningsModel(OpeningRows[OpeningRow]):
    COLUMNS = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text = OpeningText(self)

    def headers(self) -> list[str]:
        return [
            self.tr("Opening time"),
            self.tr("Project / section"),
            self.tr("Code"),
            self.tr("Phase"),
        ]

    def data(self, index: _Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        r = self.row(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return fmt_time(r.opening_time, seconds=False)
            if col == 1:
                return f"{r.project} / {r.name}"
            if col == 2:
                return r.code
            return self.text.phase(r.phase) if r.phase else ""
        if role == Qt.ItemDataRole.FontRole and r.today:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and r.today:
            return self.tr("Opening today")
        if role == Qt.ItemDataRole.UserRole:
            return r.section_id
        return None

    def set_phase(self, section_id: str, phase: str) -> None:
        i = self.row_where(lambda r: r.section_id == section_id)
        if i < 0 or self._rows[i].phase == phase:
            return
        self._rows[i] = replace(self._rows[i], phase=phase)
        self.dataChanged.emit(self.index(i, 3), self.index(i, 3))


class BoardModel(OpeningRows[wire.BidderEntry]):
    """The live decryption board: one row per bidder of the published list."""

    COLUMNS = 8

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text = OpeningText(self)

    def set_rows(self, rows: Iterable[wire.BidderEntry]) -> None:
        """Every state read brings the whole list: when the same bidders come back (the usual
        case: a sign-in, a release) the cells change in place, so the host's selection, the
        current row and the scroll position stay; only a different list resets the table."""
        new = list(rows)
        if not new or [b.number for b in new] != [b.number for b in self._rows]:
            super().set_rows(new)
            return
        changed = [i for i, (a, b) in enumerate(zip(self._rows, new, strict=True)) if a != b]
        self._rows = new
        if changed:
            self.dataChanged.emit(
                self.index(min(changed), 0), self.index(max(changed), self.COLUMNS - 1)
            )

    def headers(self) -> list[str]:
        return [
            self.tr("No."),
            self.tr("Bidder"),
            self.tr("Unified social credit code"),
            self.tr("Signed in at"),
            self.tr("Released at"),
            self.tr("Status"),
            self.tr("Ended at"),
            self.tr("Cause"),
        ]

    def data(self, index: _Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        b = self.row(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(b.number)
            if col == 1:
                return b.name
            if col == 2:
                return b.org_code or "—"
            if col == 3:
                return fmt_time(b.signed_in_at) if b.signed_in_at else self.tr("Not signed in")
            if col == 4:
                return fmt_time(b.decryption_started_at) if b.decryption_started_at else "—"
            if col == 5:
                return self.text.decryption(b.decryption)
            if col == 6:
                return fmt_time(b.decryption_ended_at) if b.decryption_ended_at else "—"
            return b.cause or ""
        if role == Qt.ItemDataRole.ForegroundRole and col == 5:
            return status_brush(b.decryption)
        if role == Qt.ItemDataRole.ToolTipRole and col == 7 and b.cause:
            return b.cause
        return None


# Last in the file: lupdate loses track of the classes that follow this function (it files
# their strings under no context).
def load_openings(job: Job, ctx: AppContext) -> OpeningsSnapshot:
    """The sections as openings to run: today's (platform time, Beijing date) first by opening
    time, then the upcoming ones, then the past ones, latest first (a worker)."""
    # A client of its own: up to 40 phase reads must not hold the shared one (the record
    # panel, the role, the catalogue wait for it).
    with ctx.new_client() as client:
        session = client.session or client.login()
        now = client.server_time()
        projects = {p.id: p for p in client.projects()}
        sections = client.sections()
        job.check()
        today = now.astimezone(CST).date()
        rows: list[OpeningRow] = []
        for s in sections:
            project = projects.get(s.project_id)
            rows.append(
                OpeningRow(
                    section_id=s.id,
                    code=s.code,
                    name=s.name,
                    project=project.name if project else s.project_id,
                    opening_time=s.opening_time,
                    today=s.opening_time.astimezone(CST).date() == today,
                )
            )

        def order(r: OpeningRow) -> tuple[int, float]:
            t = r.opening_time.timestamp()
            if r.today:
                return (0, t)
            if r.opening_time >= now:
                return (1, t)
            return (2, -t)

        rows.sort(key=order)
        if session.role in STAFF:
            for i, r in enumerate(rows[:_PHASES_AT_MOST]):
                if not r.today:
                    break
                job.check()
                try:
                    phase = OpeningClient(client, r.section_id).state().phase
                except PlatformError:
                    continue  # the phase is "if known": the list stands without it
                rows[i] = replace(r, phase=phase)
        return OpeningsSnapshot(role=session.role, server_time=now, rows=rows)
