"""The live view of one section's opening, shared by the bidder's hall and the host's console.

    feed = OpeningFeed(ctx, section_id, parent=page)
    feed.stateChanged.connect(show)        # a wire.OpeningState just read from the platform
    feed.eventReceived.connect(log_line)   # each wire.OpeningEvent once, in order
    feed.staleChanged.connect(banner)      # True: nothing heard for a while; state may be old
    feed.start()
    feed.action(OpeningClient.signin).on_done(...).start()   # a step, then a fresh state
    feed.stop()

The platform is the truth: every event (and a tick whose phase or window differs from what is
shown) makes the feed read the whole state again, coalesced so that a burst of 80 sign-ins
costs a handful of reads. Nothing is shown as current unless it was read after the last word
from the platform: when no event or tick (every 5 s) arrives for ``STALE_AFTER`` seconds, the
feed says so (``stale``) and the pages disable their actions; the event stream reconnects on
its own and resumes after the last event seen (``Last-Event-ID``), and the state is read again
before ``stale`` clears: only a read started after the feed last called itself stale, with the
stream running, clears it (a slow read begun before the silence cannot). A stream that ends
with an error a new try may mend (a session that ended, a platform down for longer than the
stream's own retries) is followed again by the feed itself, a few times (``RESTARTS``); only
then, or for an error no retry mends (403 not a participant, 404), ``failed`` is emitted.
A restarted app starts a new feed: the opening lives on the platform.

Three clients of its own (built from the context's snapshot on the GUI thread): one follows the
event stream in a worker, one reads the state, one carries the user's steps (one at a time).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx
from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

from client import PlatformClient, wire
from client.errors import AuthError, ConnectionFailedError, ServerError
from client.opening import OpeningClient, interrupt_stream
from client.uploads import RetryPolicy

from .context import AppContext
from .tasks import Job, Task, run_task

__all__ = ["RESTARTS", "STALE_AFTER", "OpeningFeed"]

log = logging.getLogger(__name__)

STALE_AFTER = 12.0
"""Seconds without an event or a tick (the platform sends one every 5 s) before the shown state
is called out of date."""

RESTARTS = 5
"""Times the feed follows the stream again after it ended with an error a new try may mend
(the count starts again whenever the stream is heard)."""
RESTART_AFTER = 3.0
"""Seconds before such a new try."""
_RESTARTABLE = (AuthError, ConnectionFailedError, ServerError)


class _Bridge(QObject):
    """Signals the stream worker emits from its thread; Qt queues them to the GUI thread."""

    opening_event = Signal(object)
    tick = Signal(object)


def _stoppable_retry(stop: threading.Event) -> RetryPolicy:
    # Never give up while the user watches: a dead platform shows "reconnecting" (stale) until
    # it is back; the wait between tries ends at once when the feed stops.
    def sleep(seconds: float) -> None:
        stop.wait(seconds)

    return RetryPolicy(attempts=10**9, initial=0.5, cap=5.0, sleep=sleep)


def _follow(job: Job, kwargs: dict[str, Any], section_id: str, after: int, bridge: _Bridge) -> None:
    stop = threading.Event()
    client = PlatformClient(**{**kwargs, "retry": _stoppable_retry(stop)})
    current: list[httpx.Response] = []

    def connected(response: httpx.Response) -> None:
        current[:] = [response]
        if stop.is_set():
            interrupt_stream(response)

    def interrupt() -> None:
        stop.set()
        for response in list(current):
            interrupt_stream(response)  # a blocked read of the stream ends now

    job.on_cancel(interrupt)
    try:
        opening = OpeningClient(client, section_id)
        events = opening.events(
            after, stop=stop.is_set, on_tick=bridge.tick.emit, on_connect=connected
        )
        for event in events:
            bridge.opening_event.emit(event)
    except Exception:
        if stop.is_set():
            return  # stopped: a read cut short by the close is not a failure
        raise
    finally:
        client.close()


class OpeningFeed(QObject):
    stateChanged = Signal(object)  # wire.OpeningState
    eventReceived = Signal(object)  # wire.OpeningEvent
    staleChanged = Signal(bool)
    failed = Signal(object)  # the stream ended with an error that retrying does not mend
    stopped = Signal()

    def __init__(self, ctx: AppContext, section_id: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.section_id = section_id
        self.state: wire.OpeningState | None = None
        self.events: list[wire.OpeningEvent] = []
        self.stale = True
        self.running = False
        self._kwargs: dict[str, Any] = {}
        self._last_heard = 0.0
        self._state_at = 0.0  # monotonic time the shown state's server_time was true
        self._server_time: datetime | None = None
        self._stream: Task | None = None
        self._reading: Task | None = None
        self._dirty = False
        self._generation = 0  # one per start(): results of an earlier run are dropped
        self._reads = 0  # reads started
        self._stale_mark = 0  # reads started when the feed last called itself stale
        self._read_lock = threading.Lock()
        self._restarts = 0
        self._state_client: PlatformClient | None = None
        self._action_client: PlatformClient | None = None
        self._action_lock = threading.Lock()
        self._bridge = _Bridge(self)
        self._bridge.opening_event.connect(self._on_event)
        self._bridge.tick.connect(self._on_tick)
        self._watch = QTimer(self)
        self._watch.timeout.connect(self._check_stale)
        self._retry_read = QTimer(self)
        self._retry_read.setSingleShot(True)
        self._retry_read.timeout.connect(self.refresh)
        self._restart = QTimer(self)
        self._restart.setSingleShot(True)
        self._restart.timeout.connect(self._restart_after_failure)

    # -- the platform's clock --

    def server_now(self) -> datetime:
        """The platform's time now: the last time it told (state or tick) plus the time
        elapsed here since (a monotonic clock: changing this PC's clock changes nothing)."""
        if self._server_time is None:
            return self.ctx.server_now()
        return self._server_time + timedelta(seconds=time.monotonic() - self._state_at)

    def _note_server_time(self, t: datetime) -> None:
        self._server_time = t
        self._state_at = time.monotonic()
        # The status bar's platform clock and the other pages' countdowns use the context's
        # offset (measured every few minutes): keep it with what the opening just told.
        offset = t - datetime.now(UTC)
        if abs((offset - self.ctx.clock_offset).total_seconds()) > 0.5:
            self.ctx.note_clock_offset(offset)

    # -- start / stop --

    def start(self) -> None:
        """Read the state, then follow the events from the first one (the log is whole)."""
        if self.running:
            return
        self._kwargs = self.ctx.client_kwargs()  # may raise (no platform chosen): not running
        self.running = True
        self._generation += 1
        self._reading = None
        self._dirty = False
        self._restarts = 0
        self._read_lock = threading.Lock()
        self._last_heard = time.monotonic()
        self._watch.start(1000)
        self.refresh()
        self._start_stream(0)

    def _start_stream(self, after: int) -> None:
        task = run_task(_follow, self._kwargs, self.section_id, after, self._bridge)
        task.on_error(self._stream_failed).on_finished(partial(self._stream_ended, task))
        self._stream = task.start()

    def _stream_ended(self, task: Task) -> None:
        if not isValid(self):
            return  # its page (and this feed) are gone: nothing to show
        if self._stream is not task:
            return  # an earlier run's stream
        self._stream = None
        if self.running and self.state is not None and self.state.phase == "finished":
            self.refresh()  # the stream ends after "finished": read the final state once

    def _stream_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return  # its page (and this feed) are gone: nothing to show
        if not self.running:
            return
        self._set_stale(True)
        if isinstance(exc, _RESTARTABLE) and self._restarts < RESTARTS:
            # A session that ended (its renewal failed) or a platform that answered badly for
            # longer than the stream's own retries: follow again, stale meanwhile.
            self._restarts += 1
            log.debug("event stream ended (%s): following again", type(exc).__name__)
            self._restart.start(int(RESTART_AFTER * 1000))
            return
        self.failed.emit(exc)

    def _restart_after_failure(self) -> None:
        if self.running and self._stream is None:
            self._resume()

    def stop(self) -> None:
        """Stop following (the page was left, the user logged out). Idempotent."""
        if not self.running:
            return
        self.running = False
        self._watch.stop()
        self._retry_read.stop()
        self._restart.stop()
        if self._stream is not None:
            self._stream.cancel()
            self._stream = None
        self._reading = None  # its result is dropped (an earlier generation)
        self._dirty = False
        clients = [c for c in (self._state_client, self._action_client) if c is not None]
        self._state_client = self._action_client = None
        if clients:
            locks = (self._read_lock, self._action_lock)

            def close_all() -> None:
                # A read or a step in flight finishes first: closing a client under a
                # running request races it.
                with locks[0], locks[1]:
                    for c in clients:
                        c.close()

            threading.Thread(target=close_all, name="close-feed", daemon=True).start()
        self.stopped.emit()

    def restart_stream(self) -> None:
        """Follow again after a failure the user dealt with (logged in again …)."""
        if not self.running or self._stream is not None:
            return
        self._restarts = 0
        self._restart.stop()
        self._resume()

    def _resume(self) -> None:
        last = self.events[-1].seq if self.events else 0
        self._start_stream(last)
        self.refresh()

    # -- what arrives --

    def _heard(self) -> None:
        self._last_heard = time.monotonic()
        self._restarts = 0  # the stream is alive

    def _on_event(self, event: wire.OpeningEvent) -> None:
        if not isValid(self):
            return  # its page (and this feed) are gone: nothing to show
        if not self.running:
            return
        self._heard()
        if self.events and event.seq <= self.events[-1].seq:
            return
        self.events.append(event)
        self.eventReceived.emit(event)
        self.refresh()

    def _on_tick(self, data: dict[str, Any]) -> None:
        if not isValid(self):
            return  # its page (and this feed) are gone: nothing to show
        if not self.running:
            return
        self._heard()
        t = data.get("server_time")
        if isinstance(t, str):
            try:
                self._note_server_time(datetime.fromisoformat(t))
            except ValueError:
                pass
        state = self.state
        closes = data.get("window_closes_at")
        shown_closes = (
            state.window_closes_at.isoformat() if state and state.window_closes_at else None
        )
        differs = state is None or data.get("phase") != state.phase
        if isinstance(closes, str) and shown_closes is not None:
            try:
                differs = differs or datetime.fromisoformat(closes) != state.window_closes_at  # type: ignore[union-attr]
            except ValueError:
                pass
        if differs or self.stale:
            self.refresh()

    def _check_stale(self) -> None:
        if self.state is not None and self.state.phase == "finished":
            return  # the record is closed: nothing more will change
        if time.monotonic() - self._last_heard > STALE_AFTER:
            self._set_stale(True)

    def _set_stale(self, stale: bool) -> None:
        if stale:
            # A read already running began before this: it may not clear it.
            self._stale_mark = self._reads
        if stale != self.stale:
            self.stale = stale
            self.staleChanged.emit(stale)

    # -- reading the state --

    def refresh(self) -> None:
        """Read the state again (coalesced: one read at a time, one more if asked meanwhile)."""
        if not self.running:
            return
        if self._reading is not None:
            self._dirty = True
            return
        self._dirty = False
        if self._state_client is None:
            self._state_client = PlatformClient(**self._kwargs)
        self._reads += 1
        read = (self._generation, self._reads)
        task = run_task(_read_state, self._read_lock, self._state_client, self.section_id)
        task.on_done(partial(self._read_done, read))
        task.on_error(partial(self._read_failed, read))
        task.on_finished(partial(self._read_ended, read, task))
        self._reading = task.start()

    def _read_done(self, read: tuple[int, int], state: wire.OpeningState) -> None:
        if not isValid(self):
            return  # its page (and this feed) are gone: nothing to show
        if not self.running or read[0] != self._generation:
            return
        self.state = state
        self._note_server_time(state.server_time)
        self._last_heard = time.monotonic()
        # Current only if nothing arrived while it was being read (else another read follows),
        # it began after the feed last called itself stale and the stream is being followed.
        following = self._stream is not None or state.phase == "finished"
        if not self._dirty and read[1] > self._stale_mark and following:
            self._set_stale(False)
        self.stateChanged.emit(state)

    def _read_failed(self, read: tuple[int, int], exc: BaseException) -> None:
        if not isValid(self):
            return  # its page (and this feed) are gone: nothing to show
        if not self.running or read[0] != self._generation:
            return
        self._set_stale(True)
        self._retry_read.start(3000)

    def _read_ended(self, read: tuple[int, int], task: Task) -> None:
        if not isValid(self):
            return  # its page (and this feed) are gone: nothing to show
        if read[0] != self._generation or self._reading is not task:
            return
        self._reading = None
        if self._dirty and self.running:
            self.refresh()

    # -- the user's steps --

    def action(self, fn: Callable[..., Any], *args: Any) -> Task:
        """A task running ``fn(opening_client, *args)`` in a worker on the feed's own client,
        one step at a time; the state is read again after it (done or failed). The caller
        adds ``on_done`` / ``on_error`` and starts it."""
        if not self.running:
            self.start()
        if self._action_client is None:
            self._action_client = PlatformClient(**self._kwargs)
        task = run_task(_act, self._action_lock, self._action_client, self.section_id, fn, args)
        task.on_finished(self.refresh)
        return task


def _read_state(
    job: Job, lock: threading.Lock, client: PlatformClient, section_id: str
) -> wire.OpeningState:
    with lock:  # stop() closes the client only after a read in flight ended
        return OpeningClient(client, section_id).state()


def _act(
    job: Job,
    lock: threading.Lock,
    client: PlatformClient,
    section_id: str,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
) -> Any:
    with lock:
        return fn(OpeningClient(client, section_id), *args)
