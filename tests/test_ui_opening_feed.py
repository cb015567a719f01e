"""The live opening feed under the hall and the console: state read from the platform after
every event, the stream resumed after a cut, and the state called out of date meanwhile."""

from __future__ import annotations

from typing import Any

import pytest
from faultproxy import FaultProxy
from uikit import UiWorld

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
        feed.stop()
        # Stopping ends the stream's blocked read at once, not at the next tick (5 s).
        qtbot.waitUntil(lambda: not stream.running, timeout=3_000)
