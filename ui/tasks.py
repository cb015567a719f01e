"""Background work for the desktop app: one small task helper used by every screen.

Nothing that can take more than ~50 ms runs on the GUI thread (style rule 11): network, crypto,
token, PDF, disk. A screen hands a plain function to :func:`run_task`; it runs on the global
``QThreadPool`` and reports back through Qt signals, which Qt delivers on the GUI thread::

    task = (run_task(seal_it, paths, out)              # seal_it(job, paths, out) runs in a worker
            .with_progress(bar.set)                    # job.progress(done, total) → bar.set(done, total)
            .on_done(show_result)                      # the return value
            .on_error(ctx.errors.show)                 # any exception (default: the app's sink)
            .start())
    task.cancel()                                      # job.cancelled() turns True; the worker stops

Workers get plain data, never widgets (anki's ``aqt/operations``, superqt's worker). A
:class:`~sealbid.errors.CancelledError` ends a task quietly: cancelling is not a failure
(style rule 5).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from sealbid.errors import CancelledError

__all__ = [
    "Job",
    "Task",
    "cancel_all",
    "pending_tasks",
    "quit_blockers",
    "run_task",
    "set_default_error_sink",
]

log = logging.getLogger(__name__)

_MIN_THREADS = 16
_default_sink: Callable[[BaseException], None] | None = None
_live: set[Task] = set()
_live_lock = threading.Lock()


def set_default_error_sink(sink: Callable[[BaseException], None] | None) -> None:
    """Where a task's error goes when no ``on_error`` was given: the main window's one sink."""
    global _default_sink
    _default_sink = sink


def pending_tasks() -> int:
    """Tasks started and not yet finished (the app waits for them before it quits)."""
    with _live_lock:
        return len(_live)


def quit_blockers() -> list[str]:
    """What the running tasks marked with :meth:`Task.ask_before_quit` are doing: sealing,
    uploading … (a catalogue refresh is not worth a question when the user quits)."""
    with _live_lock:
        return [t.quit_question for t in _live if t.quit_question]


class _Signals(QObject):
    progress = Signal(object, object)  # done, total (Python ints: may exceed 2**31)
    status = Signal(str)
    done = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()


class Job:
    """What the worker function sees: report progress, ask whether it was cancelled."""

    def __init__(self, signals: _Signals, cancel_event: threading.Event) -> None:
        self._signals = signals
        self._cancel = cancel_event
        self._last_emit = 0.0
        self._last_done = 0
        self._on_cancel: list[Callable[[], None]] = []
        self.thread: threading.Thread | None = None

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (on the cancelling thread) when the task is cancelled: a worker
        blocked in a read closes its connection so that the read ends now. Called at once if
        the task is already cancelled."""
        self._on_cancel.append(callback)
        if self._cancel.is_set():
            callback()

    def progress(self, done: int, total: int) -> None:
        """Report progress; throttled to ~20 updates a second so a fast loop cannot flood
        the GUI thread's event queue. The last update always goes through, and so does a step
        back (an upload re-sending a chunk after a dropped connection)."""
        now = time.monotonic()
        back = done < self._last_done
        self._last_done = done
        if done < total and not back and now - self._last_emit < 0.05:
            return
        self._last_emit = now
        self._signals.progress.emit(done, total)

    def status(self, text: str) -> None:
        """A short, already translated line saying what the worker is doing now."""
        self._signals.status.emit(text)

    def cancelled(self) -> bool:
        """True once the user asked to stop; pass it as the core's ``cancel`` callback."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`CancelledError` if the user asked to stop."""
        if self._cancel.is_set():
            raise CancelledError("cancelled by the user")


class Task(QRunnable):
    """One function run in the thread pool; build it with :func:`run_task`."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self._cancel = threading.Event()
        self.signals = _Signals()
        self.job = Job(self.signals, self._cancel)
        self._has_error_handler = False
        self.running = False
        self.failed = False
        self.quit_question = ""
        self.signals.failed.connect(self._route_error)

    # -- the chained set-up, called on the GUI thread before start() --

    def with_progress(self, slot: Callable[[int, int], None]) -> Task:
        self.signals.progress.connect(slot)
        return self

    def with_status(self, slot: Callable[[str], None]) -> Task:
        self.signals.status.connect(slot)
        return self

    def on_done(self, slot: Callable[[Any], None]) -> Task:
        self.signals.done.connect(slot)
        return self

    def on_error(self, slot: Callable[[BaseException], None]) -> Task:
        self._has_error_handler = True
        self.signals.failed.connect(slot)
        return self

    def on_cancelled(self, slot: Callable[[], None]) -> Task:
        self.signals.cancelled.connect(slot)
        return self

    def on_finished(self, slot: Callable[[], None]) -> Task:
        """Called after done, failed or cancelled: re-enable buttons, hide progress."""
        self.signals.finished.connect(slot)
        return self

    def ask_before_quit(self, what: str) -> Task:
        """Quitting while this runs asks the user first; ``what`` (translated) names the work,
        e.g. "Uploading 投标文件.sealbid"."""
        self.quit_question = what
        return self

    def start(self, pool: QThreadPool | None = None) -> Task:
        pool = pool or QThreadPool.globalInstance()
        # Qt sizes the pool by CPU cores (2 on many office PCs): an upload and a download
        # would fill it and every click after them would wait. Most tasks wait on the
        # network, not the CPU.
        if pool.maxThreadCount() < _MIN_THREADS:
            pool.setMaxThreadCount(_MIN_THREADS)
        with _live_lock:
            _live.add(self)
        self.running = True
        pool.start(self)
        return self

    def cancel(self) -> None:
        self._cancel.set()
        for callback in list(self.job._on_cancel):
            try:
                callback()
            except Exception:  # a hook failing must not stop the others
                log.debug("cancel hook failed", exc_info=True)

    def _route_error(self, exc: object) -> None:
        if not self._has_error_handler and _default_sink is not None:
            assert isinstance(exc, BaseException)
            _default_sink(exc)

    # -- the worker side --

    def run(self) -> None:
        self.job.thread = threading.current_thread()
        try:
            result = self._fn(self.job, *self._args, **self._kwargs)
        except CancelledError:
            self._emit(self.signals.cancelled)
        except BaseException as exc:  # every failure goes to the error sink, none is lost
            log.debug("task %s failed: %s", getattr(self._fn, "__name__", self._fn), type(exc))
            self.failed = True
            self._emit(self.signals.failed, exc)
        else:
            self._emit(self.signals.done, result)
        finally:
            self.running = False
            self._emit(self.signals.finished)
            with _live_lock:
                _live.discard(self)

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        # The window that started the task may be gone (the app quitting, a test's window
        # torn down): the result then has nowhere to go, and that is not an error.
        try:
            signal.emit(*args)
        except RuntimeError:
            log.debug("task result dropped: its receiver is gone")


def cancel_all() -> None:
    """Ask every running task to stop (the app is quitting)."""
    with _live_lock:
        tasks = list(_live)
    for task in tasks:
        task.cancel()


def run_task(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Task:
    """A task that will call ``fn(job, *args, **kwargs)`` in a worker thread once started."""
    return Task(fn, *args, **kwargs)
