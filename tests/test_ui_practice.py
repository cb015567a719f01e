"""Sandbox › New practice opening… (ui/_practice.py) in the app on the real embedded sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from uikit import UiWorld

from ui._practice import (
    PracticeChoice,
    PracticeDialog,
    resume_practice,
    running_practice,
    start_practice,
    stop_practice,
)
from ui.widgets import CST


@pytest.fixture(autouse=True)
def _stop_demo_people(ui: UiWorld) -> Iterator[None]:
    """The demo people of a test stop with it (before its platform does)."""
    yield
    assert stop_practice(ui.ctx)


class Told:
    """Stands in for the dialogs: records what was asked and what the user was told."""

    def __init__(self, choice: PracticeChoice | None) -> None:
        self.choice = choice
        self.asked: list[str | None] = []
        self.messages: list[tuple[str, str]] = []

    def ask(self, parent: Any, my_name: str | None) -> PracticeChoice | None:
        self.asked.append(my_name)
        return self.choice

    def inform(self, parent: Any, title: str, text: str) -> None:
        self.messages.append((title, text))


def _wait_told(ui: UiWorld, qtbot: Any, told: Told) -> None:
    """Until the user was told something or an error was shown (the operator page, once it
    follows an opening, keeps a worker on its event stream: waiting for no tasks would hang)."""
    qtbot.waitUntil(lambda: bool(told.messages or ui.errors()), timeout=30_000)


def _practice_ids(ui: UiWorld) -> set[str]:
    host = ui.kit().client(ui.kit().party("host"))
    return {s.id for s in host.sections() if s.id.startswith("PRACTICE-")}


def test_practice_as_host_makes_three_demo_bids_and_stops_its_bidders_with_the_window(
    ui: UiWorld, qtbot: Any
) -> None:
    ui.login("host")
    told = Told(PracticeChoice(minutes=10, bid_myself=False))
    start_practice(ui.ctx, ui.window, ask=told.ask, inform=told.inform)
    _wait_told(ui, qtbot, told)
    assert told.asked == [None]  # staff: no "bid myself" offered
    assert ui.errors() == []
    assert len(told.messages) == 1
    ids = _practice_ids(ui)
    assert len(ids) == 1
    sid = ids.pop()
    section = ui.kit().client(ui.kit().party("host")).section(sid)
    title, text = told.messages[0]
    assert title and sid in text and section.name in text
    assert section.deadline.astimezone(CST).strftime("%H:%M") in text
    demo_names = [b.name for b in ui.kit().client(ui.kit().party("host")).registered_bidders(sid)]
    crews = running_practice(ui.ctx)
    bidding = [n for n in demo_names if n in text]
    assert len(bidding) == 3  # the three demo bidders that bid are named
    # Signed in as the host already: no hint to log in as the host (the only place its name is).
    assert ui.sandbox.identities("host")[0].name not in text
    assert [type(c).__name__ for c in crews] == ["DemoBidders"]
    assert len(crews[0].org_codes) == 3 and crews[0].running
    assert ui.window.stack.currentWidget() is ui.window.page("operator")

    ui.window.close()
    qtbot.waitUntil(lambda: not crews[0].running, timeout=5000)
    assert running_practice(ui.ctx) == []


def test_practice_as_a_bidder_leaves_it_the_third_bid_with_a_demo_host(
    ui: UiWorld, qtbot: Any
) -> None:
    ui.login("bidder", 0)
    me = ui.sandbox.identities("bidder")[0]
    told = Told(PracticeChoice(minutes=5, bid_myself=True))
    start_practice(ui.ctx, ui.window, ask=told.ask, inform=told.inform)
    _wait_told(ui, qtbot, told)
    assert told.asked == [me.name]
    assert ui.errors() == []
    (sid,) = _practice_ids(ui)
    kit = ui.kit()
    assert kit.client(kit.party("bidder", 0)).submission(sid).status == "none"
    crews = {type(c).__name__: c for c in running_practice(ui.ctx)}
    assert set(crews) == {"DemoBidders", "DemoHost"}
    assert me.org_code not in crews["DemoBidders"].org_codes
    assert len(crews["DemoBidders"].org_codes) == 2
    assert all(c.running for c in crews.values())
    text = told.messages[0][1]
    assert sid in text and me.name not in text.split("\n")[2]  # the demo bids are others'
    # The demo host is named: it runs the opening for the bidder practising alone.
    assert ui.sandbox.identities("host")[0].name in text
    # The next step: the bid for the new section, on the Prepare page.
    prepare = ui.window.page("prepare")
    assert ui.window.stack.currentWidget() is prepare
    qtbot.waitUntil(lambda: prepare.section_id == sid, timeout=5000)

    # The app quits and starts again: the same demo people take part again.
    assert stop_practice(ui.ctx)
    assert running_practice(ui.ctx) == []
    resume_practice(ui.ctx, ui.window)
    qtbot.waitUntil(lambda: len(running_practice(ui.ctx)) == 2, timeout=10_000)
    again = {type(c).__name__: c for c in running_practice(ui.ctx)}
    assert again["DemoBidders"].org_codes == crews["DemoBidders"].org_codes
    assert all(c.section_id == sid and c.running for c in again.values())
    resume_practice(ui.ctx, ui.window)  # a second resume does not double them
    ui.wait_tasks()
    assert len(running_practice(ui.ctx)) == 2


def test_practice_cancelled_makes_nothing(ui: UiWorld) -> None:
    ui.login("host")
    told = Told(None)
    start_practice(ui.ctx, ui.window, ask=told.ask, inform=told.inform)
    ui.wait_tasks()
    assert told.asked == [None]
    assert told.messages == [] and ui.errors() == []
    assert _practice_ids(ui) == set()
    assert running_practice(ui.ctx) == []


def test_practice_without_the_sandbox_description_shows_a_clear_error(
    ui: UiWorld, qtbot: Any
) -> None:
    ui.login("host")
    sandbox_json = ui.sandbox.data_dir / "sandbox.json"
    moved = sandbox_json.with_name("sandbox.json.away")
    sandbox_json.rename(moved)
    try:
        told = Told(PracticeChoice(minutes=10, bid_myself=False))
        start_practice(ui.ctx, ui.window, ask=told.ask, inform=told.inform)
        _wait_told(ui, qtbot, told)
    finally:
        moved.rename(sandbox_json)
    assert told.messages == []
    assert [code for code, _ in ui.errors()] == ["usage"]
    assert "sandbox.json" in ui.errors()[0][1] and "无法读取沙箱描述文件" in ui.errors()[0][1]
    assert _practice_ids(ui) == set()
    assert running_practice(ui.ctx) == []


def test_practice_dialog_offers_bidding_only_to_a_bidder(ui: UiWorld) -> None:
    staff = PracticeDialog(ui.window, None)
    assert staff.choice() == PracticeChoice(minutes=10, bid_myself=False)
    assert staff.bid_myself.isHidden()
    bidder = PracticeDialog(ui.window, "合肥建工集团有限公司")
    assert "合肥建工集团有限公司" in bidder.bid_myself.text()
    assert bidder.choice() == PracticeChoice(minutes=10, bid_myself=True)
    bidder.minutes.setValue(500)  # the spin box keeps to 3–120
    assert bidder.choice().minutes == 120
    staff.deleteLater()
    bidder.deleteLater()
