"""The live opening feed under the hall and the console: state read from the platform after
every event, the stream resumed after a cut, and the state called out of date meanwhile."""

from __future__ import annotations

from typing import Any

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
