"""The catalogue behind the sections page: rows, the table model, the filter, the workers.

    rows = build_rows(catalogue, local_bids, downloaded)      # plain data, GUI thread
    model = SectionsModel(now=ctx.server_now); model.set_rows(rows)
    proxy = SectionsFilter(); proxy.setSourceModel(model); proxy.set_text("滨湖")
    model.tick()                                               # recompute countdowns (no I/O)

The worker functions (:func:`load_catalogue`, :func:`scan_sealed_bids`, :func:`download_documents`)
take plain data (and the context only for ``ctx.client()``), never widgets.

Which tender version a bid was sealed for comes from the bid's signed header
(``crypto.envelope`` ``tender_version``): for the submitted bid, from the platform's stored copy
(``GET /sections/{id}/submission/envelope``: the prelude, header and recipients, checked by
:func:`crypto.release.parts_info`); for bids sealed on this machine, from the local files
(:func:`crypto.envelope.inspect`). Receipts do not carry the version, only the file digest.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from client import wire
from sealbid.errors import SealBidError

from .tasks import Job
from .widgets import RowsModel, fmt_countdown, fmt_time

__all__ = [
    "COLUMNS",
    "ROW_ROLE",
    "SECTION_ID_ROLE",
    "SORT_ROLE",
    "Catalogue",
    "LocalBid",
    "SectionRow",
    "SectionsFilter",
    "SectionsModel",
    "SubmissionInfo",
    "build_rows",
    "download_documents",
    "load_catalogue",
    "newest_local_bids",
    "scan_sealed_bids",
]

log = logging.getLogger(__name__)

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SECTION_ID_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3  # the SectionRow itself (tests, the details pane)

(
    COL_PROJECT,
    COL_CODE,
    COL_NAME,
    COL_SECTOR,
    COL_DEADLINE,
    COL_COUNTDOWN,
    COL_OPENING,
    COL_STATUS,
) = range(8)
COLUMNS = 8

_WARN = QColor("#b00020")
_NEW = QColor("#fff4c2")


# --- plain data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionInfo:
    """This bidder's submission for a section, as the platform says."""

    status: str  # none | submitted | withdrawn
    tender_version: str | None = None  # from the stored bid's signed header
    version_known: bool = False  # False: the envelope could not be read


@dataclass(frozen=True)
class LocalBid:
    """A sealed-bid file on this machine, from its signed header."""

    path: str
    section: str
    tender_version: str | None
    created: datetime


@dataclass(frozen=True)
class Catalogue:
    """What one load brings back from the platform."""

    projects: tuple[wire.Project, ...]
    sections: tuple[wire.Section, ...]
    submissions: dict[str, SubmissionInfo]
    role: str | None
    local_bids: tuple[LocalBid, ...] = ()


@dataclass(frozen=True)
class SectionRow:
    """One line of the table: a section, its project, and what this user did about it."""

    section: wire.Section
    project: wire.Project | None
    submission: SubmissionInfo | None = None
    local: LocalBid | None = None  # the newest sealed file for the section on this machine
    downloaded: frozenset[str] = frozenset()  # ids of the documents the user downloaded

    @property
    def id(self) -> str:
        return self.section.id

    @property
    def sector(self) -> str:
        return self.project.sector if self.project else ""

    def is_open(self, now: datetime) -> bool:
        """Open for bids by the platform's word and by the platform's clock as known here."""
        return self.section.open_for_bids and now < self.section.deadline

    @property
    def submitted(self) -> bool:
        return self.submission is not None and self.submission.status == "submitted"

    @property
    def submission_outdated(self) -> bool:
        """The submitted bid was sealed for an older tender version than the current one."""
        s = self.submission
        return (
            s is not None
            and s.status == "submitted"
            and s.version_known
            and s.tender_version != self.section.tender_version
        )

    @property
    def local_outdated(self) -> bool:
        """The newest bid sealed here for the section is for an older tender version."""
        return self.local is not None and self.local.tender_version != self.section.tender_version

    @property
    def outdated(self) -> bool:
        return self.submission_outdated or self.local_outdated

    def is_new(self, doc: wire.TenderDocument) -> bool:
        """A clarification the user has not downloaded (each one counts: fetching #2 does
        not mean #1 was read)."""
        return doc.kind == "clarification" and doc.id not in self.downloaded

    @property
    def new_clarifications(self) -> list[wire.TenderDocument]:
        return [d for d in self.section.documents if self.is_new(d)]


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


def newest_local_bids(bids: Iterable[LocalBid]) -> dict[str, LocalBid]:
    """The newest sealed file (by its signed creation time) per section."""
    out: dict[str, LocalBid] = {}
    for bid in bids:
        old = out.get(bid.section)
        if old is None or _utc(bid.created) > _utc(old.created):
            out[bid.section] = bid
    return out


def build_rows(
    catalogue: Catalogue,
    local: dict[str, LocalBid],
    downloaded: Callable[[str], frozenset[str]],
) -> list[SectionRow]:
    projects = {p.id: p for p in catalogue.projects}
    return [
        SectionRow(
            section=s,
            project=projects.get(s.project_id),
            submission=catalogue.submissions.get(s.id),
            local=local.get(s.id),
            downloaded=downloaded(s.id),
        )
        for s in catalogue.sections
    ]


# --- workers -------------------------------------------------------------------------------------


def _bid_matches(bidder: Any, who: dict[str, str | None]) -> bool:
    """A sealed file of this bidder: same organisation code (survives a renewed certificate),
    else the same signing certificate."""
    if not isinstance(bidder, dict):
        return False
    if who.get("org_code"):
        return bool(bidder.get("org_code") == who["org_code"])
    return bool(bidder.get("cert_sha256") == who.get("cert_sha256"))


def scan_sealed_bids(
    job: Job | None,
    folder: Path | None,
    paths: Sequence[str],
    who: dict[str, str | None] | None,
) -> list[LocalBid]:
    """The headers of ``folder``'s ``*.sealbid`` files (and its subfolders') and of ``paths``,
    keeping those sealed by ``who`` (``None``: everyone). Unreadable files are skipped: a file
    still being written or damaged is not a reason to fail the catalogue."""
    from crypto.envelope import inspect

    found: dict[str, Path] = {}
    if folder is not None:
        try:
            for p in folder.rglob("*.sealbid"):
                found.setdefault(str(p.resolve()), p)
        except OSError as exc:
            log.info("cannot list %s: %s", folder, exc.strerror)
    for raw in paths:
        p = Path(raw)
        found.setdefault(str(p.resolve()), p)
    out = []
    for p in found.values():
        if job is not None:
            job.check()
        try:
            info = inspect(p)
        except (SealBidError, OSError) as exc:
            log.info("skipping sealed file %s: %s", p.name, type(exc).__name__)
            continue
        if who is not None and not _bid_matches(info.bidder, who):
            continue
        out.append(LocalBid(str(p), info.section, info.tender_version, info.created))
    return out


def _submission_of(client: Any, section_id: str) -> SubmissionInfo | None:
    """The platform's word on this bidder's bid for the section; the tender version from the
    stored bid's signed header. ``None`` when the platform would not say (logged)."""
    from client.errors import PlatformError
    from client.opening import OpeningClient
    from crypto.release import parts_info

    try:
        state = client.submission(section_id)
    except PlatformError as exc:
        log.info("submission of %s: %s", section_id, exc.code)
        return None
    if state.status != "submitted":
        return SubmissionInfo(state.status)
    try:
        env = OpeningClient(client, section_id).envelope()
        if env.section_id != section_id:
            return SubmissionInfo("submitted")
        head = base64.b64decode(env.head, validate=True)
        tail = base64.b64decode(env.tail, validate=True)
        info = parts_info(head, tail)
    except (SealBidError, binascii.Error, ValueError) as exc:
        # Not knowing the version is no reason to fail the catalogue: the status then says
        # "submitted" without a version warning (the platform refuses an outdated bid at
        # submission anyway; this only matters after a later clarification).
        log.info("envelope of %s: %s", section_id, type(exc).__name__)
        return SubmissionInfo("submitted")
    return SubmissionInfo("submitted", info.tender_version, True)


def load_catalogue(
    job: Job,
    ctx: Any,
    bids_folder: Path,
    sealed_paths: Sequence[str],
    who: dict[str, str | None] | None,
) -> Catalogue:
    """Projects, sections and (for a bidder) the submission of each, plus the local sealed
    files. ``ctx`` is only used for its shared client (``with ctx.client()``)."""
    local = scan_sealed_bids(job, bids_folder, sealed_paths, who)
    with ctx.client() as client:
        projects = client.projects()
        job.check()
        sections = client.sections()
        session = client.session
        role = session.role if session is not None else None
        submissions: dict[str, SubmissionInfo] = {}
        if role == "bidder":
            for s in sections:
                job.check()
                info = _submission_of(client, s.id)
                if info is not None:
                    submissions[s.id] = info
    return Catalogue(tuple(projects), tuple(sections), submissions, role, tuple(local))


def download_documents(
    job: Job,
    ctx: Any,
    section_id: str,
    docs: Sequence[wire.TenderDocument],
    folder: Path,
) -> list[tuple[str, str]]:
    """Download ``docs`` into ``folder`` (made if missing); the client checks each digest and
    size against the listing and writes atomically. Returns ``(path, sha256)`` pairs. A client
    of its own, so that browsing does not wait behind a large download."""
    total = sum(d.size for d in docs) or 1
    done_before = 0
    out: list[tuple[str, str]] = []
    client = ctx.new_client()
    try:
        for doc in docs:
            job.check()
            job.status(doc.name)

            def progress(done: int, _total: int, base: int = done_before) -> None:
                job.progress(base + done, total)

            path = client.download_document(
                section_id, doc, folder, progress=progress, cancel=job.cancelled
            )
            out.append((str(path), doc.sha256))
            done_before += doc.size
    finally:
        client.close()
    job.progress(total, total)
    return out


# --- the table model -----------------------------------------------------------------------------


class SectionsModel(RowsModel[SectionRow]):
    """All sections of all projects; the countdown column follows ``now`` (the platform clock)."""

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._now = now

    # -- content --

    def find(self, section_id: str) -> int:
        return self.row_where(lambda r: r.id == section_id)

    def get(self, section_id: str) -> SectionRow | None:
        i = self.find(section_id)
        return self._rows[i] if i >= 0 else None

    def update_row(self, section_id: str, **changes: Any) -> None:
        i = self.find(section_id)
        if i < 0:
            return
        self._rows[i] = replace(self._rows[i], **changes)
        self.dataChanged.emit(self.index(i, 0), self.index(i, COLUMNS - 1))

    def sectors(self) -> list[str]:
        return sorted({r.sector for r in self._rows if r.sector})

    def tick(self) -> None:
        """The clock moved: recompute the countdown and status cells (no network)."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, COL_COUNTDOWN),
                self.index(len(self._rows) - 1, COL_STATUS),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
            )

    # -- texts --

    def status_text(self, r: SectionRow) -> str:
        parts = [self.tr("Open for bids") if r.is_open(self._now()) else self.tr("Closed")]
        s = r.submission
        if s is not None and s.status == "submitted":
            parts.append(self.tr("submitted"))
        elif s is not None and s.status == "withdrawn":
            parts.append(self.tr("withdrawn"))
        if r.submission_outdated:
            parts.append(self.tr("submitted bid is for an old tender version"))
        elif r.local_outdated:
            parts.append(self.tr("sealed bid is for an old tender version"))
        if r.new_clarifications:
            parts.append(self.tr("new clarification"))
        return " · ".join(parts)

    def headers(self) -> list[str]:
        return [
            self.tr("Project"),
            self.tr("Section code"),
            self.tr("Section"),
            self.tr("Sector"),
            self.tr("Bid deadline"),
            self.tr("Time left"),
            self.tr("Opening time"),
            self.tr("Status"),
        ]

    # -- QAbstractTableModel --

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == SECTION_ID_ROLE:
            return r.id
        if role == ROW_ROLE:
            return r
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_PROJECT and r.project is not None:
                return f"{r.project.name}\n{r.project.code}"
            if col in (COL_NAME, COL_CODE, COL_STATUS):
                return self._text(r, col)
            return None
        if role == SORT_ROLE:
            if col == COL_DEADLINE or col == COL_COUNTDOWN:
                return _utc(r.section.deadline).timestamp()
            if col == COL_OPENING:
                return _utc(r.section.opening_time).timestamp()
            return self._text(r, col)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS and r.outdated:
            return QBrush(_WARN)
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_STATUS and r.new_clarifications:
            return QBrush(_NEW)
        if role == Qt.ItemDataRole.FontRole and col == COL_STATUS and r.outdated:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, r: SectionRow, col: int) -> str:
        s = r.section
        if col == COL_PROJECT:
            return r.project.name if r.project else s.project_id
        if col == COL_CODE:
            return s.code
        if col == COL_NAME:
            return s.name
        if col == COL_SECTOR:
            return r.sector
        if col == COL_DEADLINE:
            return fmt_time(s.deadline)
        if col == COL_COUNTDOWN:
            return fmt_countdown(_utc(s.deadline) - self._now())
        if col == COL_OPENING:
            return fmt_time(s.opening_time)
        if col == COL_STATUS:
            return self.status_text(r)
        return ""


class SectionsFilter(QSortFilterProxyModel):
    """Search text (project and section names and codes, any case, Chinese too) and sector."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._sector = ""
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortLocaleAware(True)  # Chinese names sort by the locale's collation

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_text", text.strip().casefold()))

    def set_sector(self, sector: str) -> None:
        self._refilter(lambda: setattr(self, "_sector", sector))

    def _refilter(self, change: Callable[[], None]) -> None:
        # Qt 6.9 replaced invalidateFilter() by begin/endFilterChange(); 6.8 is still supported.
        if hasattr(QSortFilterProxyModel, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        if not isinstance(model, SectionsModel):
            return True
        r = model.row(source_row)
        if self._sector and r.sector != self._sector:
            return False
        if not self._text:
            return True
        haystack = [r.section.name, r.section.code, r.section.id]
        if r.project is not None:
            haystack += [r.project.name, r.project.code]
        words = self._text.split()
        return all(any(w in h.casefold() for h in haystack) for w in words)
