"""Live events of the openings: stored with each transition, fanned out to every open stream.

    hub = EventHub(load=platform_loader)         # load(section, after) -> stored events, from the DB
    hub.published(section_id, events)            # after the transaction that stored them commits
    async for chunk in hub.stream(section_id, viewer, after=17, status=...):
        ...                                      # SSE bytes: every later event the viewer may see

Events are rows of ``opening_events`` (numbered per section in the transaction that makes them,
so their order is the commit order); the hub keeps each section's log in memory once a stream
asks for it and wakes the streams when a transaction publishes. A stream that connects with
``after=N`` gets every later event it may see, in order, then the live ones: resuming after a
dropped connection loses nothing. Each event is encoded once (the SSE bytes), whatever the number
of streams. Writers run in worker threads; the streams live on the event loop: ``published``
hands over with ``call_soon_threadsafe``.

A gap (event N+1 committed and published before event N's publisher got to it) is held back
until N arrives; should N never be published (its thread died between commit and publish) a
waiting stream reloads the log from the database after :data:`GAP_RELOAD_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["GAP_RELOAD_SECONDS", "TICK_SECONDS", "EventHub", "StoredEvent", "Viewer", "sse"]

TICK_SECONDS = 5.0
GAP_RELOAD_SECONDS = 2.0


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    at: datetime
    kind: str
    audience: str  # "all" | "staff" | an account id
    staff_too: bool
    data: dict[str, Any]
    encoded: bytes = field(default=b"", compare=False)

    def with_encoding(self) -> StoredEvent:
        body = {
            "seq": self.seq,
            "kind": self.kind,
            "at": self.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": self.data,
        }
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return StoredEvent(
            self.seq,
            self.at,
            self.kind,
            self.audience,
            self.staff_too,
            self.data,
            sse(text, event=self.kind, id=self.seq),
        )


@dataclass
class Viewer:
    """Who reads a stream. ``confirm`` (run once, in a worker thread, before the first event
    is delivered) says whether the viewer may read this opening at all: set for a bidder who
    connected before the opening started, when it was not yet known who takes part."""

    account_id: str
    staff: bool
    confirm: Callable[[], bool] | None = None

    def may_see(self, e: StoredEvent) -> bool:
        if e.audience == "all":
            return True
        if e.audience == "staff":
            return self.staff
        return e.audience == self.account_id or (self.staff and e.staff_too)


def sse(data: str, *, event: str | None = None, id: int | None = None) -> bytes:
    """One server-sent event (https://html.spec.whatwg.org/multipage/server-sent-events.html)."""
    lines = []
    if id is not None:
        lines.append(f"id: {id}")
    if event is not None:
        lines.append(f"event: {event}")
    lines.extend(f"data: {line}" for line in data.split("\n"))
    return ("\n".join(lines) + "\n\n").encode("utf-8")


class _Log:
    def __init__(self) -> None:
        self.events: list[StoredEvent] = []  # seq 1..n, contiguous
        self.pending: dict[int, StoredEvent] = {}
        self.loaded = False
        self.gap_since: float | None = None
        self.wake: asyncio.Event | None = None
        self.streams = 0

    @property
    def last(self) -> int:
        return len(self.events)

    def add(self, e: StoredEvent, now: float) -> None:
        if e.seq <= self.last:
            return
        self.pending[e.seq] = e
        while self.last + 1 in self.pending:
            self.events.append(self.pending.pop(self.last + 1))
        self.gap_since = (self.gap_since or now) if self.pending else None


Loader = Callable[[str, int], Sequence[StoredEvent]]
Status = Callable[[], dict[str, Any]]


class EventHub:
    """The in-memory side of the event logs; one per platform process."""

    def __init__(self, load: Loader) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._logs: dict[str, _Log] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- writers (any thread) ---------------------------------------------------------------------

    def published(self, section_id: str, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        now = _monotonic()
        with self._lock:
            log = self._logs.get(section_id)
            if log is None or not log.loaded:
                return  # nobody streams this section yet; the first stream loads from the DB
            for e in events:
                log.add(e if e.encoded else e.with_encoding(), now)
            loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake, section_id)

    def _wake(self, section_id: str) -> None:  # on the loop
        log = self._logs.get(section_id)
        if log is not None and log.wake is not None:
            log.wake.set()
            log.wake = None

    # --- streams (on the loop) --------------------------------------------------------------------

    async def _ensure(self, section_id: str) -> _Log:
        """The section's log, counted as read by one more stream (in the same locked step as
        the lookup, so a log being dropped is never handed out)."""
        self._loop = asyncio.get_running_loop()
        with self._lock:
            log = self._logs.setdefault(section_id, _Log())
            log.streams += 1
            if log.loaded:
                return log
        await self._reload(section_id)
        return log

    async def _reload(self, section_id: str) -> None:
        from starlette.concurrency import run_in_threadpool

        # Mark loaded first, so events published while we read are kept (add() drops repeats).
        with self._lock:
            log = self._logs.setdefault(section_id, _Log())
            log.loaded = True
            after = log.last
        rows = await run_in_threadpool(self._load, section_id, after)
        now = _monotonic()
        with self._lock:
            for e in rows:
                log.add(e if e.encoded else e.with_encoding(), now)
            if log.pending:
                # Still a gap: its publisher has not committed yet. Look again later.
                log.gap_since = now
        self._wake(section_id)  # streams that found the log loading wait on it

    async def stream(
        self,
        section_id: str,
        viewer: Viewer,
        *,
        after: int,
        status: Status,
        is_disconnected: Callable[[], Any] | None = None,
        tick_seconds: float = TICK_SECONDS,
    ) -> AsyncIterator[bytes]:
        """Every event after ``after`` that ``viewer`` may see, then live ones, and a ``tick``
        (no id) every ``tick_seconds`` carrying ``status()`` (phase, server time …). Ticks keep
        their own schedule: when they come says nothing about events the viewer cannot see."""
        from starlette.concurrency import run_in_threadpool

        log = await self._ensure(section_id)
        try:
            pos = max(0, after)
            loop = asyncio.get_running_loop()
            next_tick = loop.time() + tick_seconds
            # An opening comment flushes the headers at once and tells proxies not to buffer.
            yield b": sealbid opening events\nretry: 2000\n\n"
            while True:
                with self._lock:
                    batch = log.events[pos:]
                    pos = len(log.events)
                    gap_since = log.gap_since
                out = [e.encoded for e in batch if viewer.may_see(e)]
                if out and viewer.confirm is not None:
                    if not await run_in_threadpool(viewer.confirm):
                        return  # not a participant of the opening that has since started
                    viewer.confirm = None
                if out:
                    yield b"".join(out)
                if gap_since is not None and _monotonic() - gap_since > GAP_RELOAD_SECONDS:
                    await self._reload(section_id)
                    continue
                if loop.time() >= next_tick:
                    next_tick = loop.time() + tick_seconds
                    if is_disconnected is not None and await is_disconnected():
                        return
                    tick = await run_in_threadpool(status)
                    yield sse(
                        json.dumps(tick, ensure_ascii=False, separators=(",", ":")), event="tick"
                    )
                    continue
                if out:
                    continue
                if log.wake is None:
                    log.wake = asyncio.Event()
                wake = log.wake
                with self._lock:
                    fresh = len(log.events) > pos
                if fresh:
                    continue
                # asyncio.timeout, not wait_for: no task per wait (hundreds of streams each wake
                # for every event of an opening).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, next_tick - loop.time())):
                        await wake.wait()
        finally:
            with self._lock:
                log.streams -= 1
                # Nobody reads this section now: drop its log (the next stream reloads it from
                # the database), so memory does not grow with every past opening.
                if log.streams == 0 and self._logs.get(section_id) is log:
                    del self._logs[section_id]


def _monotonic() -> float:
    import time

    return time.monotonic()
