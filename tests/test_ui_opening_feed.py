"""The live opening feed under the hall and the console: state read from the platform after
every event, the stream resumed after a cut, and the state called out of date meanwhile."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from faultproxy import FaultProxy
from uikit import UiWorld

from client.errors import AuthError, ForbiddenError
from client.opening import OpeningClient
from ui._opening_feed import OpeningFeed


def _section(ui: UiWorld, bidders: int = 3) -> str:
    kit = ui.kit()
    sid: str = kit.section(bidders=bidders)
    kit.past_opening(sid)
    return sid


def test_hall_feed_follows_the_opening_and_reads_state_after_events(
    ui: UiWorld, qtbot: Any
) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    feed = OpeningFeed(ui.ctx, sid)
    states: list[Any] = []
    feed.stateChanged.connect(states.append)
    feed.start()
    qtbot.waitUntil(lambda: feed.state is not None and not feed.stale, timeout=20_000)
    assert feed.state.phase == "waiting"
    kit = ui.kit()
    host = kit.opening(kit.party("host"), sid)
    host.start()
    qtbot.waitUntil(lambda: feed.state.phase == "signin", timeout=20_000)
    done: list[Any] = []
    feed.action(lambda o: o.signin()).on_done(done.append).start()
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    qtbot.waitUntil(
        lambda: feed.state.me is not None and feed.state.me.signed_in_at is not None,
        timeout=20_000,
    )
    # Before the list is published a sign-in is told to the staff only (not even to the
    # bidder itself: its own status comes with the state).
    assert [e.kind for e in feed.events] == ["phase"]
    seqs = [e.seq for e in feed.events]
    assert seqs == sorted(set(seqs))
    feed.stop()


def test_hall_feed_calls_state_stale_while_the_line_is_down_and_resumes_without_duplicates(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui._opening_feed as feed_module

    monkeypatch.setattr(feed_module, "STALE_AFTER", 2.0)
    sid = _section(ui)
    ui.login("bidder", 0)
    port = int(ui.sandbox.url.rsplit(":", 1)[1])
    kit = ui.kit()
    host = kit.opening(kit.party("host"), sid)
    with FaultProxy(("127.0.0.1", port)) as proxy:
        ui.ctx.set_setting("platform/mode", "url")
        ui.ctx.set_setting("platform/url", proxy.url)
        ui.ctx.platform_changed()
        feed = OpeningFeed(ui.ctx, sid)
        stale: list[bool] = []
        feed.staleChanged.connect(stale.append)
        feed.start()
        qtbot.waitUntil(lambda: feed.state is not None and not feed.stale, timeout=20_000)
        proxy.line_down()
        # While the line is down the platform moves on: what is shown is marked out of date.
        host.start()
        qtbot.waitUntil(lambda: feed.stale, timeout=20_000)
        assert feed.state.phase == "waiting"
        kit.opening(kit.bidders(3)[1], sid).signin()
        host.publish_list()
        proxy.line_up()
        # Back: the stream resumes after the last event seen, the state is read again.
        qtbot.waitUntil(lambda: not feed.stale and feed.state.phase == "listed", timeout=30_000)
        qtbot.waitUntil(lambda: [e.kind for e in feed.events][-1:] == ["list"], timeout=20_000)
        seqs = [e.seq for e in feed.events]
        assert seqs == sorted(set(seqs))
        assert [e.kind for e in feed.events] == ["phase", "phase", "list"]
        assert stale[:2] == [False, True] and stale[-1] is False
        stream = feed._stream
        assert stream is not None and stream.running
        # Stop just after a tick (sent every 5 s): the read is blocked for the next one then,
        # and only the interrupt can end it within a second.
        with qtbot.waitSignal(feed._bridge.tick, timeout=20_000):
            pass
        feed.stop()
        qtbot.waitUntil(lambda: not stream.running, timeout=1_500)


def _slow_reads(monkeypatch: pytest.MonkeyPatch, gate: threading.Event) -> threading.Event:
    """State reads wait for ``gate`` (a slow line); the event returned is set once one began."""
    reading = threading.Event()
    real_state = OpeningClient.state

    def slow_state(self: OpeningClient) -> Any:
        reading.set()
        gate.wait(30)
        return real_state(self)

    monkeypatch.setattr(OpeningClient, "state", slow_state)
    return reading


def _silent_stream(opened: threading.Event) -> Any:
    """A stream that connects and says nothing until ``opened`` is set, then one tick."""

    def follow(job: Any, kwargs: Any, section_id: str, after: int, bridge: Any) -> None:
        job.on_cancel(opened.set)
        opened.wait(60)
        if job.cancelled():
            return
        bridge.tick.emit({"server_time": datetime.now(UTC).isoformat(), "phase": "waiting"})
        stop = threading.Event()
        job.on_cancel(stop.set)
        stop.wait(60)

    return follow


def test_hall_feed_read_begun_before_the_silence_does_not_clear_stale(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui._opening_feed as feed_module

    sid = _section(ui)
    ui.login("bidder", 0)
    read_gate, stream_gate = threading.Event(), threading.Event()
    _slow_reads(monkeypatch, read_gate)
    monkeypatch.setattr(feed_module, "_follow", _silent_stream(stream_gate))
    monkeypatch.setattr(feed_module, "STALE_AFTER", 0.5)
    feed = OpeningFeed(ui.ctx, sid)
    stale_when_shown: list[bool] = []
    feed.stateChanged.connect(lambda _s: stale_when_shown.append(feed.stale))
    feed.start()
    # Nothing heard for longer than STALE_AFTER while the first read is still on its way: the
    # feed's watch calls it stale with that read running (not a fixed wait: a loaded machine).
    qtbot.waitUntil(lambda: feed._stale_mark >= 1, timeout=20_000)
    read_gate.set()
    qtbot.waitUntil(lambda: bool(stale_when_shown), timeout=20_000)
    # That read began before the silence: its state is shown, but not as current.
    assert stale_when_shown == [True] and feed.stale
    # The stream speaks again: a new read clears it.
    monkeypatch.setattr(feed_module, "STALE_AFTER", 12.0)
    stream_gate.set()
    qtbot.waitUntil(lambda: not feed.stale, timeout=20_000)
    assert stale_when_shown[-1] is False
    feed.stop()


def test_hall_feed_follows_again_after_a_session_ended_and_gives_up_on_403(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui._opening_feed as feed_module

    sid = _section(ui)
    ui.login("bidder", 0)
    monkeypatch.setattr(feed_module, "RESTART_AFTER", 0.1)
    real_follow = feed_module._follow
    calls: list[int] = []

    def ends_once(job: Any, *args: Any) -> None:
        calls.append(args[2])  # after
        if len(calls) == 1:
            raise AuthError("session ended")
        real_follow(job, *args)

    monkeypatch.setattr(feed_module, "_follow", ends_once)
    feed = OpeningFeed(ui.ctx, sid)
    failed: list[BaseException] = []
    feed.failed.connect(failed.append)
    feed.start()
    # The feed follows again on its own (both pages need it); nothing is reported as failed.
    qtbot.waitUntil(lambda: len(calls) == 2 and not feed.stale, timeout=20_000)
    assert failed == [] and feed._stream is not None and feed._stream.running
    kit = ui.kit()
    kit.opening(kit.party("host"), sid).start()
    qtbot.waitUntil(lambda: feed.state is not None and feed.state.phase == "signin", timeout=20_000)
    feed.stop()

    # Not a participant (403): no retry mends it; said once, not tried again.
    refused: list[int] = []

    def forbidden(job: Any, *args: Any) -> None:
        refused.append(1)
        raise ForbiddenError(status=403)

    monkeypatch.setattr(feed_module, "_follow", forbidden)
    other = OpeningFeed(ui.ctx, sid)
    other.failed.connect(failed.append)
    other.start()
    qtbot.waitUntil(lambda: bool(failed), timeout=20_000)
    qtbot.wait(500)
    assert len(refused) == 1 and len(failed) == 1 and isinstance(failed[0], ForbiddenError)
    assert other.stale
    other.stop()


def test_hall_feed_stop_closes_its_client_only_after_the_running_read(
    ui: UiWorld, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _section(ui)
    ui.login("bidder", 0)
    gate = threading.Event()
    reading = _slow_reads(monkeypatch, gate)
    feed = OpeningFeed(ui.ctx, sid)
    states: list[Any] = []
    feed.stateChanged.connect(states.append)
    feed.start()
    qtbot.waitUntil(reading.is_set, timeout=20_000)
    client = feed._state_client
    assert client is not None
    feed.stop()
    qtbot.wait(300)
    # Closing the client under the read would race it: it waits for the read to end.
    assert not client._http.is_closed
    gate.set()
    qtbot.waitUntil(lambda: client._http.is_closed, timeout=20_000)
    assert states == []  # a stopped feed shows nothing more


def test_hall_feed_keeps_the_apps_platform_clock_with_the_opening(ui: UiWorld, qtbot: Any) -> None:
    """The platform's clock as the opening tells it is the one the status bar shows too."""
    from datetime import timedelta

    sid = _section(ui)  # moved the platform's clock minutes ahead
    ui.login("bidder", 0)
    ui.ctx.note_clock_offset(timedelta(0))
    feed = OpeningFeed(ui.ctx, sid)
    feed.start()
    qtbot.waitUntil(lambda: feed.state is not None, timeout=20_000)
    assert abs((ui.ctx.clock_offset - ui.clock.offset).total_seconds()) < 2
    assert abs((ui.ctx.server_now() - feed.server_now()).total_seconds()) < 2
    feed.stop()
