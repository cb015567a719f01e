"""Drafts of the prepare page: what a bidder picked and typed for a section, kept across restarts.

    path = draft_path(ctx.drafts_dir, "HFJS-2025-0101-01")      # …/drafts/HFJS-2025-0101-01.json
    saver = DraftSaver(parent)                                  # debounced, written in a worker
    saver.schedule(path, draft)                                 # 500 ms after the last change
    draft = read_draft(path)                                    # in a worker; None if there is none

A draft holds the document paths in their order, the summary form's values exactly as typed
(nothing a user typed is lost, even when it does not validate yet), the chosen output path and
the last sealed file. Never a password or a PIN: nothing of the identity is stored. Files are
written atomically, so a crash while saving leaves the previous draft whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from crypto._files import atomic_write
from sealbid.errors import SealBidError, UsageError

from .tasks import Job, run_task

__all__ = ["DEBOUNCE_MS", "Draft", "DraftSaver", "draft_path", "read_draft", "write_draft"]

DEBOUNCE_MS = 500
DRAFT_FORMAT = "sealbid-draft"
DRAFT_VERSION = 1
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def draft_path(drafts_dir: Path, section_id: str) -> Path:
    """The draft file of ``section_id``: its id when that is a plain file name, else a
    readable form of it plus a short digest (two ids must never share a file)."""
    safe = _SAFE.sub("_", section_id).strip(".") or "section"
    # Always the digest: ids differing only in case share a file name on Windows, and a
    # name such as CON is reserved there.
    digest = hashlib.sha256(section_id.encode("utf-8")).hexdigest()[:12]
    return Path(drafts_dir) / f"{safe[:80]}-{digest}.json"


@dataclass
class Draft:
    """One section's work in progress (plain data, handed to workers)."""

    section_id: str
    documents: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    output: str = ""
    last_sealed: str = ""

    def to_json(self) -> bytes:
        body = {
            "format": DRAFT_FORMAT,
            "version": DRAFT_VERSION,
            "section": self.section_id,
            "documents": list(self.documents),
            "fields": dict(self.fields),
            "output": self.output,
            "last_sealed": self.last_sealed,
        }
        return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Draft:
        """Parse a draft; anything that is not one is a :class:`UsageError`."""
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise UsageError(
                what=f"草稿不是有效的 JSON / the draft is not valid JSON ({exc})"
            ) from exc
        if not isinstance(body, dict) or body.get("format") != DRAFT_FORMAT:
            raise UsageError(what="不是 SealBid 草稿 / not a SealBid draft")
        documents = body.get("documents", [])
        fields = body.get("fields", {})
        if (
            not isinstance(body.get("section"), str)
            or not isinstance(documents, list)
            or not all(isinstance(d, str) for d in documents)
            or not isinstance(fields, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items())
        ):
            raise UsageError(what="草稿内容不完整 / the draft is incomplete")
        return cls(
            section_id=body["section"],
            documents=list(documents),
            fields=dict(fields),
            output=str(body.get("output") or ""),
            last_sealed=str(body.get("last_sealed") or ""),
        )


class DraftUnreadableError(SealBidError):
    """The draft exists but cannot be read now (locked by another program, permissions): it is
    left untouched, and nothing is saved over it until it can be read."""

    code = "ui.draft_unreadable"
    zh = "草稿 {path} 暂时无法读取（{why}）：它保持原样，在能读取之前不会保存新的修改。请关闭占用它的程序后点“刷新”。"
    en = "The draft {path} cannot be read now ({why}): it is left as it is, and changes are not saved over it until it can be read. Close the program holding it and press Refresh."


def read_draft(path: Path) -> Draft | None:
    """The draft at ``path`` (None if there is none). A damaged draft is moved aside to
    ``….damaged`` (kept for support, never silently overwritten) and reported."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DraftUnreadableError(
            str(exc), path=str(path), why=exc.strerror or type(exc).__name__
        ) from exc
    try:
        return Draft.from_json(data)
    except UsageError:
        # The next save would overwrite it: keep the damaged copy for whoever looks into it.
        os.replace(path, path.with_name(path.name + ".damaged"))
        raise


def write_draft(path: Path, draft: Draft) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Owner-only: a draft holds the bid price before the opening.
    atomic_write(path, draft.to_json(), private=True)


def _write_job(job: Job, path: Path, draft: Draft) -> str:
    write_draft(path, draft)
    return str(path)


class DraftSaver(QObject):
    """Debounced, serial draft writes: one write at a time, the newest draft wins.

    ``schedule`` restarts a 500 ms timer; when it fires the draft is written in a worker. A
    draft scheduled while a write runs is written right after it, so an older draft can never
    land after a newer one.
    """

    saved = Signal(str)  # path
    failed = Signal(object)  # the exception

    def __init__(self, parent: QObject | None = None, *, delay_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._write_now)
        self._pending: tuple[Path, Draft] | None = None
        self._writing = False

    @property
    def busy(self) -> bool:
        """A write is waiting for the timer or running."""
        return self._timer.isActive() or self._writing or self._pending is not None

    def schedule(self, path: Path, draft: Draft) -> None:
        self._pending = (path, draft)
        self._timer.start()

    def flush(self) -> None:
        """Write a scheduled draft now (the section changes, the page hides)."""
        if self._timer.isActive():
            self._timer.stop()
            self._write_now()

    def _write_now(self) -> None:
        if self._writing or self._pending is None:
            return  # _written() starts the pending one
        path, draft = self._pending
        self._pending = None
        self._writing = True
        # Bound methods, not ``self.saved.emit``: Qt drops a connection to a method of a
        # deleted object, but not one to a signal's emit (a page closed while writing).
        run_task(_write_job, path, draft).on_done(self._done).on_error(self._failed).on_finished(
            self._written
        ).start()

    def _done(self, path: object) -> None:
        self.saved.emit(str(path))

    def _failed(self, exc: object) -> None:
        self.failed.emit(exc)

    def _written(self) -> None:
        self._writing = False
        if self._pending is not None and not self._timer.isActive():
            self._write_now()
