"""Uploading a sealed bid: the worker, the progress panel, and the unfinished uploads on disk.

    panel = UploadPanel(ctx)
    panel.start("HFJS-2026-0101-01", Path("投标.sealbid"))   # a worker with its own client
    panel.pause()          # cancels the task; the upload state stays on disk (no error shown)
    panel.resume()         # submits again: the client continues from the platform's offset
    panel.submitted        # Signal(VerifiedReceipt) once the platform's receipt verified

    found = scan_unfinished(job, state_dir / "uploads", base_url, cert_sha256)   # a worker

``PlatformClient.submit`` does the hard part (resume, retries after a dropped line, verifying
the receipt); this module shows it: bytes done, a speed averaged over the last seconds
(computed here, on the GUI thread, from the progress signals), the time left, and a
"reconnecting" line when progress stalls or steps back (a chunk sent again after a drop).
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from client.errors import ConnectionFailedError, ServerError, UploadStateError
from client.platform import normalise_base_url
from client.receipts import VerifiedReceipt
from client.uploads import UploadState, UploadStateStore
from sealbid.errors import SealBidError

from ._receipts_model import GREEN, fields_html, receipt_fields
from .context import AppContext
from .tasks import Job, Task, run_task
from .widgets import fmt_countdown, fmt_size

__all__ = [
    "NotLoggedInError",
    "Unfinished",
    "UploadPanel",
    "WrongSectionError",
    "bidder_fingerprint",
    "platform_key",
    "scan_unfinished",
    "upload_bid",
]

_SPEED_WINDOW = 5.0  # seconds of progress samples the speed is averaged over
_STALL_SECONDS = 2.0  # no progress this long while sending: say the line is being retried


class NotLoggedInError(SealBidError):
    code = "ui.not_logged_in"
    zh = "请先用数字证书登录交易平台。"
    en = "Log in to the trading platform with your certificate first."


class WrongSectionError(SealBidError):
    code = "ui.wrong_section"
    zh = "该投标文件是为标段 {file_section} 密封的，不能提交到标段 {section}。请选择正确的标段，或为该标段重新密封。"
    en = "This bid was sealed for section {file_section}; it cannot be submitted to section {section}. Choose the right section, or seal the bid again for this one."


def bidder_fingerprint(ctx: AppContext) -> str | None:
    """SHA-256 of the signed-in identity's signing certificate (upload state and receipts
    are kept per certificate)."""
    if ctx.identity is None:
        return None
    from cryptography.hazmat.primitives import hashes

    return ctx.identity.signing_cert.fingerprint(hashes.SHA256()).hex()


def platform_key(ctx: AppContext) -> str | None:
    """The platform's normalised base URL, as the client keys upload state by it."""
    try:
        return normalise_base_url(ctx.platform_url) if ctx.platform_url else None
    except SealBidError:
        return None


# --- workers -----------------------------------------------------------------------------------


class LineWatch:
    """What the worker saw of the line, unthrottled (plain data shared with the panel):
    ``progress`` reaches the GUI at most 20 times a second, so a chunk sent again after a
    drop could hide between two updates; the worker sees every step."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0
        self._reconnects = 0

    def saw(self, done: int) -> bool:
        """Note ``done``; True when it stepped back (sending again from the platform's offset
        after a drop: the client's progress only ever goes back then)."""
        with self._lock:
            back = done < self._last
            if back:
                self._reconnects += 1
            self._last = done
            return back

    @property
    def reconnects(self) -> int:
        with self._lock:
            return self._reconnects


def upload_bid(
    job: Job, ctx: AppContext, section_id: str, path: Path, watch: LineWatch | None = None
) -> VerifiedReceipt:
    """Check the sealed file's header, then submit it with a client of its own (a worker)."""
    from crypto.envelope import inspect

    job.status(QCoreApplication.translate("UploadPanel", "Checking the sealed file…"))
    info = inspect(path)
    if info.section != section_id:
        raise WrongSectionError(file_section=info.section, section=section_id)
    job.check()
    job.status(
        QCoreApplication.translate(
            "UploadPanel", "Computing the file's SHA-256 and contacting the platform…"
        )
    )
    line = watch or LineWatch()

    def progress(done: int, total: int) -> None:
        if line.saw(done):
            job.status(
                QCoreApplication.translate(
                    "UploadPanel",
                    "Reconnected after a dropped connection: sending again from {0}, where the platform stands.",
                ).format(fmt_size(done))
            )
        job.progress(done, total)

    client = ctx.new_client()
    try:
        return client.submit(section_id, path, progress=progress, cancel=job.cancelled)
    finally:
        client.close()


@dataclass(frozen=True)
class Unfinished:
    """An upload the platform has not finished, found in the upload-state folder."""

    state: UploadState
    file_exists: bool
    offset: int | None = None
    """Bytes the platform holds (None: not asked, or it could not say)."""


def scan_unfinished(
    job: Job, root: str, base_url: str | None, cert_sha256: str | None
) -> list[Unfinished]:
    """The unfinished uploads of this bidder to this platform (a worker: reads the disk).

    The store keeps one JSON file per (platform, certificate, section) and has no listing, so
    the files are read here to learn their keys, and each of this bidder's is then loaded
    through ``UploadStateStore.load``, which checks its version and its key. Unreadable files
    are skipped: the platform's offset is the truth, and at worst an upload starts over."""
    if base_url is None or cert_sha256 is None:
        return []
    store = UploadStateStore(Path(root))
    out = []
    try:
        files = sorted(store.root.glob("*.json"))
    except OSError:
        return []
    for f in files:
        job.check()
        try:
            data = json.loads(f.read_bytes())
            section_id = data["section_id"]
            if data.get("base_url") != base_url or data.get("cert_sha256") != cert_sha256:
                continue
        except (OSError, ValueError, KeyError, TypeError):
            continue
        try:
            state = store.load(base_url=base_url, cert_sha256=cert_sha256, section_id=section_id)
        except UploadStateError:  # unreadable: the next submit of the file starts over
            continue
        if state is not None:
            out.append(Unfinished(state, Path(state.file_path).is_file()))
    return out


def fetch_offsets(job: Job, ctx: AppContext, found: list[Unfinished]) -> list[Unfinished]:
    """Ask the platform how far each upload got. Best effort, so with a client of its own
    that gives up quickly: a platform that is down must not hold the shared client (and the
    screens waiting for it) through the long retries an upload deserves."""
    from dataclasses import replace

    from client.errors import PlatformError
    from client.uploads import RetryPolicy

    out = []
    with ctx.new_client(retry=RetryPolicy(attempts=2, initial=0.2, cap=1.0)) as client:
        for u in found:
            job.check()
            try:
                offset: int | None = client.upload_offset(u.state.upload_id)
            except PlatformError:
                offset = None
            out.append(replace(u, offset=offset))
    return out


# --- the panel -----------------------------------------------------------------------------------


class UploadPanel(QGroupBox):
    """Progress of the one upload this page runs at a time; Pause and Resume."""

    submitted = Signal(object)  # VerifiedReceipt
    paused = Signal()
    stopped = Signal(object)  # the exception, after it was shown
    ended = Signal()  # after any of the three
    statusChanged = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Upload"))
        self.ctx = ctx
        self.task: Task | None = None
        self.current: tuple[str, Path] | None = None  # (section, file) of the last upload
        self.pausing = False
        self._watch = LineWatch()
        self._high = 0  # the most bytes shown as sent in this upload
        self._uploading = self.tr("Uploading…")
        self.status_history: list[str] = []
        self.last_receipt: VerifiedReceipt | None = None
        self._samples: deque[tuple[float, int]] = deque()
        self._done = 0
        self._total = 0
        self._last_progress = 0.0
        self._phase = "idle"  # idle, running, paused, failed, done
        self._resumable = False  # paused, or stopped by the network: Resume makes sense

        self.what = QLabel(self.tr("No upload running."))
        self.what.setTextFormat(Qt.TextFormat.PlainText)
        self.what.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setAccessibleName(self.tr("Upload progress"))
        self.bytes_label = QLabel("—")
        self.bytes_label.setAccessibleName(self.tr("Bytes sent"))
        self.speed_label = QLabel("—")
        self.speed_label.setAccessibleName(self.tr("Upload speed"))
        self.eta_label = QLabel("—")
        self.eta_label.setAccessibleName(self.tr("Time left"))
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(self.tr("Upload status"))
        self.pause_button = QPushButton(self.tr("&Pause"))
        self.pause_button.setToolTip(
            self.tr("Stop for now; the platform keeps what it received and Resume continues")
        )
        self.pause_button.clicked.connect(self.pause)
        self.resume_button = QPushButton(self.tr("Res&ume"))
        self.resume_button.clicked.connect(self.resume)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName(self.tr("Submission result"))
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        grid = QGridLayout(self)
        grid.addWidget(self.what, 0, 0, 1, 4)
        grid.addWidget(self.progress, 1, 0, 1, 4)
        grid.addWidget(QLabel(self.tr("Sent:")), 2, 0)
        grid.addWidget(self.bytes_label, 2, 1)
        grid.addWidget(QLabel(self.tr("Speed:")), 2, 2)
        grid.addWidget(self.speed_label, 2, 3)
        grid.addWidget(QLabel(self.tr("Time left:")), 3, 0)
        grid.addWidget(self.eta_label, 3, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.resume_button)
        grid.addLayout(buttons, 3, 2, 1, 2)
        grid.addWidget(self.status_label, 4, 0, 1, 4)
        grid.addWidget(self.result, 5, 0, 1, 4)

        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._tick)
        self._update_buttons()

    # -- state --

    @property
    def busy(self) -> bool:
        return self.task is not None

    @property
    def reconnects(self) -> int:
        """Times this upload sent bytes again from the platform's offset after a drop."""
        return self._watch.reconnects

    @property
    def phase(self) -> str:
        return self._phase

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)
        if not self.status_history or self.status_history[-1] != text:
            self.status_history.append(text)
        self.statusChanged.emit(text)

    def _update_buttons(self) -> None:
        running = self.task is not None
        self.pause_button.setEnabled(running and not self.pausing)
        self.resume_button.setEnabled(not running and self.current is not None and self._resumable)

    # -- actions --

    def start(self, section_id: str, path: Path) -> bool:
        """Upload ``path`` to ``section_id``; False when another upload is running."""
        if self.task is not None:
            self._set_status(self.tr("Another upload is running: pause it or wait until it ends."))
            return False
        if self.ctx.identity is None:
            self.ctx.errors.show(NotLoggedInError())
            return False
        path = Path(path)
        self.current = (section_id, path)
        self.pausing = False
        self._phase = "running"
        self._resumable = False
        self._samples.clear()
        self._done = self._total = self._high = 0
        self._watch = LineWatch()
        self._last_progress = time.monotonic()
        self.result.clear()
        self.what.setText(self.tr("Section {0} — {1}").format(section_id, path.name))
        self.progress.setValue(0)
        self.bytes_label.setText("—")
        self.speed_label.setText("—")
        self.eta_label.setText("—")
        self._set_status(self.tr("Starting…"))
        task = run_task(upload_bid, self.ctx, section_id, path, self._watch)
        task.with_progress(self._on_progress).with_status(self._set_status)
        task.on_done(self._on_done).on_error(self._on_error)
        task.on_cancelled(self._on_cancelled).on_finished(self._on_finished)
        task.ask_before_quit(self.tr("Uploading {0}").format(path.name))
        self.task = task.start()
        self._timer.start()
        self._update_buttons()
        return True

    def pause(self) -> None:
        """Stop the upload for now: the state stays on disk, the platform keeps its part."""
        if self.task is None or self.pausing:
            return
        self.pausing = True
        self.task.cancel()
        self._set_status(self.tr("Pausing…"))
        self._update_buttons()

    def resume(self) -> bool:
        """Submit the same file again: the client continues from the platform's offset."""
        if self.current is None or self.task is not None:
            return False
        return self.start(*self.current)

    # -- signals of the task --

    def _on_progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        self._last_progress = now
        if self._samples and done < self._samples[-1][1]:
            # Sent again from the platform's offset (the worker said so in a status line).
            self._samples.clear()
        elif not self.pausing and done > self._high:
            self._high = done
            if self.status_label.text() != self._uploading:
                self._set_status(self._uploading)
        self._done, self._total = done, total
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > _SPEED_WINDOW:
            self._samples.popleft()
        self.progress.setValue(int(done * 1000 / total) if total else 0)
        self.progress.setFormat(f"{done * 100 / total:.1f} %" if total else "")
        self.bytes_label.setText(self.tr("{0} of {1}").format(fmt_size(done), fmt_size(total)))
        speed = self.speed()
        if speed:
            self.speed_label.setText(self.tr("{0}/s").format(fmt_size(int(speed))))
            left = max(1.0, (total - done) / speed) if done < total else 0.0
            self.eta_label.setText(fmt_countdown(timedelta(seconds=left)) if left else "—")
        if done >= total:
            self._set_status(
                self.tr(
                    "All sent. The platform is checking the whole file and signing the receipt…"
                )
            )

    def speed(self) -> float | None:
        """Bytes per second over the last few seconds (None until there is enough to say)."""
        if len(self._samples) < 2:
            return None
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        if t1 - t0 < 0.2 or d1 < d0:
            return None
        return (d1 - d0) / (t1 - t0)

    def _tick(self) -> None:
        if self.task is None or self.pausing:
            return
        if 0 < self._done < self._total and time.monotonic() - self._last_progress > _STALL_SECONDS:
            self.speed_label.setText("—")
            self.eta_label.setText("—")
            self._set_status(
                self.tr(
                    "Connection interrupted or very slow — reconnecting… The upload continues by itself."
                )
            )

    def _on_done(self, receipt: object) -> None:
        assert isinstance(receipt, VerifiedReceipt)
        self.pause_button.setEnabled(False)  # the task is ending
        self._phase = "done"
        self.last_receipt = receipt
        self.progress.setValue(1000)
        self.eta_label.setText("—")
        self._set_status(self.tr("Submitted. The platform's receipt was verified and saved."))
        head = html.escape(self.tr("Submitted: the platform's signed receipt verified."))
        rows = receipt_fields(receipt.receipt, short=True)
        self.result.setText(
            f"<p style='color:{GREEN};font-weight:bold'>{head}</p>" + fields_html(rows)
        )
        self.ctx.receiptsChanged.emit()
        self.ctx.submissionsChanged.emit()
        self.submitted.emit(receipt)

    def _on_error(self, exc: BaseException) -> None:
        self.pause_button.setEnabled(False)  # the task is ending
        self._phase = "failed"
        self.ctx.errors.show(exc)
        text = self.ctx.errors.message(exc)
        # The network or the platform failed: the state is on disk and Resume continues.
        # Anything else (a refused file, a wrong section) would only fail again.
        self._resumable = isinstance(exc, ConnectionFailedError | ServerError)
        if self._resumable:
            self._set_status(
                self.tr("Upload stopped: {0} Resume continues where the platform stands.").format(
                    text
                )
            )
        else:
            self._set_status(self.tr("Upload stopped: {0}").format(text))
        self.stopped.emit(exc)

    def _on_cancelled(self) -> None:
        # A pause, not a failure: nothing is shown as an error.
        self.pause_button.setEnabled(False)  # the task is ending
        self._phase = "paused"
        self._resumable = True
        self._set_status(
            self.tr("Paused. The platform keeps what it received; Resume continues from there.")
        )
        self.paused.emit()

    def _on_finished(self) -> None:
        self.task = None
        self.pausing = False
        self._timer.stop()
        self.speed_label.setText("—")
        self._update_buttons()
        self.ended.emit()
