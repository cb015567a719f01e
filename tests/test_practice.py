"""Practice openings (sealbid/practice.py, `sealbid practice`) on the real sandbox platform: the
section, the demo bids, and demo bidders (and a demo host) taking part in a whole opening."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from clienthelpers import Party, client_for
from openingkit import org_code_of
from platformserver import RunningPlatform, SettableClock, start_platform

from client import PlatformClient, wire
from client.opening import OpeningClient
from crypto import seal
from sealbid.cli import main
from sealbid.errors import UsageError
from sealbid.practice import (
    DemoBidders,
    DemoHost,
    PracticeSection,
    create_practice_section,
    load_sandbox_info,
)


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningPlatform, SettableClock]]:
    """One sandbox platform for the module, its clock settable. It ticks every 5 s, as it
    does in use: a stop that waited for the next tick instead of cutting the read would show."""
    clock = SettableClock()
    running = start_platform(tmp_path_factory.mktemp("practice"), clock=clock)
    yield running, clock
    running.stop()


@pytest.fixture
def platform(world: tuple[RunningPlatform, SettableClock]) -> RunningPlatform:
    return world[0]


@pytest.fixture
def clock(world: tuple[RunningPlatform, SettableClock]) -> SettableClock:
    return world[1]


def _until(what: str, check: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll ``check`` until it holds; fail saying ``what`` did not happen in time."""
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)


class People:
    """Clients of the sandbox's people for one test (closed at its end)."""

    def __init__(self, platform: RunningPlatform, tmp: Path) -> None:
        self.platform = platform
        self.tmp = tmp
        self.clients: dict[str, PlatformClient] = {}

    def party(self, role: str, index: int = 0) -> Party:
        return Party.of(self.platform, role, index)

    def client(self, role: str, index: int = 0) -> PlatformClient:
        key = f"{role}{index}"
        if key not in self.clients:
            self.clients[key] = client_for(
                self.platform, self.party(role, index), self.tmp / f"state-{key}"
            )
        return self.clients[key]

    def opening(self, role: str, sid: str, index: int = 0) -> OpeningClient:
        return OpeningClient(self.client(role, index), sid)

    def org(self, index: int) -> str:
        return org_code_of(self.platform, self.party("bidder", index))

    def close(self) -> None:
        for c in self.clients.values():
            c.close()


@pytest.fixture
def people(platform: RunningPlatform, tmp_path: Path) -> Iterator[People]:
    p = People(platform, tmp_path)
    yield p
    p.close()


def _past_opening(people: People, clock: SettableClock, made: PracticeSection) -> None:
    now = people.client("host").server_time()
    clock.offset += made.opening_time - now + timedelta(seconds=2)


def _create(platform: RunningPlatform, tmp: Path, **kw: Any) -> PracticeSection:
    return create_practice_section(
        platform.url, platform.sandbox or {}, state_dir=tmp / "demo", **kw
    )


def _seeded_works_form(people: People, platform: RunningPlatform) -> wire.SummaryForm:
    seeded = (platform.sandbox or {})["sections"][0]["id"]
    return people.client("host").section(seeded).form


# --- the section ------------------------------------------------------------------------------


def test_practice_section_has_three_demo_bids_and_opens_with_demo_bidders(
    platform: RunningPlatform, clock: SettableClock, people: People, tmp_path: Path
) -> None:
    before = people.client("host").server_time()
    made = _create(platform, tmp_path, minutes=7)

    # The section: a practice name, the works project and form, deadline = opening, 7 minutes
    # (rounded up to the minute) ahead on the platform's clock, a tender document.
    assert made.section_id.startswith("PRACTICE-")
    assert "练习" in made.name and "非真实招标" in made.name
    section = people.client("host").section(made.section_id)
    assert section.name == made.name and section.open_for_bids
    assert section.project_id == (platform.sandbox or {})["sections"][0]["project_id"]
    assert section.form == _seeded_works_form(people, platform)
    assert made.deadline == made.opening_time == section.deadline == section.opening_time
    assert made.deadline.second == 0
    assert timedelta(minutes=7) <= made.deadline - before <= timedelta(minutes=8, seconds=5)
    assert section.tender_version and section.tender_version == made.tender_version
    assert [d.kind for d in section.documents] == ["tender"]
    assert made.tender_document == section.documents[0].name
    registered = {b.org_code for b in people.client("host").registered_bidders(made.section_id)}
    assert registered == {people.org(i) for i in range(5)}

    # Three demo bids, each its own valid summary, each the bidder's current submission.
    assert made.me_org_code is None
    assert len(made.bids) == 3 and len(set(made.demo_org_codes)) == 3
    assert len({b.summary["price"] for b in made.bids}) == 3
    for b in made.bids:
        assert Decimal(b.summary["price"]) > 0 and b.summary["quality"] in ("合格", "优良")
        index = [people.org(i) for i in range(5)].index(b.org_code)
        current = people.client("bidder", index).submission(made.section_id)
        assert current.status == "submitted"

    # The host runs the opening; the demo bidders do the rest by themselves.
    demo = DemoBidders(
        platform.url,
        platform.sandbox or {},
        made.section_id,
        made.demo_org_codes,
        state_dir=tmp_path / "demo",
    )
    # The clock moves first: a login under way while it jumps fails (its challenge expired)
    # and is tried again, a step these tests count.
    _past_opening(people, clock, made)
    demo.start()
    try:
        host = people.opening("host", made.section_id)
        host.start()
        _until("3 demo bidders signed in", lambda: host.state().signed_in == 3)
        host.publish_list()
        host.open_window(30)
        _until(
            "every demo bid decrypted",
            lambda: [b.decryption for b in host.state().bidders] == ["opened"] * 3,
        )
        host.close(early=True)
        host.announce(confirmation_minutes=30)
        _until(
            "every demo bidder confirmed the record",
            lambda: [b.confirmation for b in host.state().bidders] == ["confirmed"] * 3,
        )
        for role in ("host", "recorder", "supervisor"):
            people.opening(role, made.section_id).sign_record("confirm")
        host.finish()
        assert demo.wait(timeout=20), "the demo bidders stop once the opening finished"
    finally:
        demo.stop()

    record = host.record()
    assert record.closed
    rows = {r["org_code"]: r for r in json.loads(record.record)["bidders"]}
    assert set(rows) == set(made.demo_org_codes)
    for b in made.bids:
        assert rows[b.org_code]["decryption"]["status"] == "opened"
        assert rows[b.org_code]["summary"]["price"] == b.summary["price"]
    confirmed = {s.org_code for s in record.signatures if s.role == "bidder"}
    assert confirmed == set(made.demo_org_codes)
    assert {s.decision for s in record.signatures} == {"confirm"}
    for steps in demo.steps().values():
        assert steps == ["signed_in", "opened", "confirmed", "finished"]


def test_practice_for_bidder_0_leaves_it_the_third_bid_and_a_demo_host_runs_the_opening(
    platform: RunningPlatform, clock: SettableClock, people: People, tmp_path: Path
) -> None:
    me = people.org(0)
    made = _create(platform, tmp_path, minutes=5, me_org_code=me.lower())
    assert made.me_org_code == me
    assert len(made.bids) == 2 and me not in made.demo_org_codes
    assert people.client("bidder", 0).submission(made.section_id).status == "none"

    # Bidder 0 (the user) seals and submits its own bid, as the app does.
    section = people.client("bidder", 0).section(made.section_id)
    doc = tmp_path / "商务标.pdf"
    doc.write_bytes(b"%PDF-1.4 my own bid")
    mine = {
        "price": "37654321.00",
        "duration": 365,
        "quality": "优良",
        "manager": "张三",
        "bond": "800000.00",
    }
    bid = tmp_path / "我的投标.sealbid"
    seal(
        [doc],
        bid,
        identity=people.party("bidder", 0).identity(),
        section=made.section_id,
        summary=mine,
        tender_version=section.tender_version,
        opening_time=section.opening_time,
    )
    people.client("bidder", 0).submit(made.section_id, bid)

    steps: list[tuple[str, str]] = []
    lock = threading.Lock()

    def note(who: str, name: str, step: str) -> None:
        with lock:
            steps.append((who, step))

    info = platform.sandbox or {}
    demo = DemoBidders(
        platform.url,
        info,
        made.section_id,
        made.demo_org_codes,
        state_dir=tmp_path / "demo",
        on_step=note,
    )
    host = DemoHost(
        platform.url,
        info,
        made.section_id,
        expected_bids=3,
        state_dir=tmp_path / "demo",
        on_step=note,
    )
    _past_opening(people, clock, made)
    demo.start()
    host.start()
    try:
        mine_opening = people.opening("bidder", made.section_id, 0)
        _until("the demo host started the opening", lambda: mine_opening.state().phase != "waiting")
        mine_opening.signin()
        _until("the demo host opened the window", lambda: mine_opening.state().phase == "window")
        mine_opening.release()
        _until("the demo host announced", lambda: mine_opening.state().phase == "confirming")
        objection = mine_opening.object("练习：请说明解密顺序。")
        _until(
            "the demo host answered the objection",
            lambda: all(o.answer for o in mine_opening.state().objections),
        )
        mine_opening.sign_record("confirm")
        _until("the demo host finished", lambda: mine_opening.state().phase == "finished")
        assert host.wait(timeout=20) and demo.wait(timeout=20)
    finally:
        host.stop()
        demo.stop()

    record = mine_opening.record()
    body = json.loads(record.record)
    assert {r["org_code"] for r in body["bidders"]} == {me, *made.demo_org_codes}
    assert all(r["decryption"]["status"] == "opened" for r in body["bidders"])
    roles = {s.role for s in record.signatures}
    assert roles == {"bidder", "host", "recorder", "supervisor"}
    assert {s.org_code for s in record.signatures if s.role == "bidder"} == {
        me,
        *made.demo_org_codes,
    }
    answered = [o for o in body["objections"] if o["id"] == objection.id]
    assert answered and answered[0]["answer"]
    host_steps = [s for who, s in steps if who == "host"]
    for step in ("started", "listed", "window", "closed", "announced", "answered", "finished"):
        assert step in host_steps
    assert {"signed:host", "signed:recorder", "signed:supervisor"} <= set(host_steps)


def test_demo_bidders_stop_at_once_mid_opening_and_pick_up_where_they_were(
    platform: RunningPlatform, clock: SettableClock, people: People, tmp_path: Path
) -> None:
    made = _create(platform, tmp_path, minutes=3)
    info = platform.sandbox or {}
    demo = DemoBidders(
        platform.url, info, made.section_id, made.demo_org_codes, state_dir=tmp_path / "demo"
    )
    _past_opening(people, clock, made)
    demo.start()
    host = people.opening("host", made.section_id)
    host.start()
    _until("3 demo bidders signed in", lambda: host.state().signed_in == 3)
    # They sign in before their event streams connect: wait for those, then stop.
    _until("the demo bidders follow the events", lambda: demo.connected)
    assert demo.running

    started = time.monotonic()
    assert demo.stop(timeout=5)  # their reads, blocked until the next event or tick, are cut
    assert time.monotonic() - started < 3.5  # the tick comes every 5 s
    assert not demo.running

    # Stopped, they do nothing more: the window opens and nobody decrypts.
    host.publish_list()
    host.open_window(30)
    assert [b.decryption for b in host.state().bidders] == ["pending"] * 3

    # Started again, each does only what is left: no second sign-in, a decryption each.
    demo.start()
    try:
        _until(
            "every demo bid decrypted after the restart",
            lambda: [b.decryption for b in host.state().bidders] == ["opened"] * 3,
        )
    finally:
        assert demo.stop(timeout=5)
    for steps in demo.steps().values():
        assert steps.count("signed_in") == 1 and "opened" in steps


def test_practice_never_bids_under_the_excluded_bidder(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    """The logged-in bidder who hosts instead of bidding gets no demo bid under its name."""
    bidder0 = next(p for p in (platform.sandbox or {})["identities"] if p["role"] == "bidder")[
        "org_code"
    ]
    made = _create(platform, tmp_path, minutes=30, exclude_org_codes=[bidder0])
    assert len(made.demo_org_codes) == 3
    assert bidder0 not in made.demo_org_codes
    assert made.me_org_code is None


def test_practice_refuses_a_platform_that_is_not_this_sandbox(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    info = dict(platform.sandbox or {})
    info["platform_id"] = "ggzy.example.gov.cn"
    with pytest.raises(UsageError) as exc:
        create_practice_section(platform.url, info, minutes=30, state_dir=tmp_path / "demo")
    text = exc.value.diagnostics("zh_CN") + exc.value.diagnostics("en_US")
    assert "不是此 sandbox.json 所属的沙箱平台" in text and "not the sandbox platform" in text


def test_demo_host_waiting_for_the_opening_time_stops_at_once(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    made = _create(platform, tmp_path, minutes=30, bids=0)
    assert made.bids == ()
    host = DemoHost(
        platform.url, platform.sandbox or {}, made.section_id, state_dir=tmp_path / "demo"
    )
    host.start()
    _until("the demo host follows the opening's events", lambda: host.connected)
    started = time.monotonic()
    assert host.stop(timeout=5)  # its read, blocked until the next tick (5 s), is cut
    assert time.monotonic() - started < 3.5
    assert host.steps() == {"host": []}  # the opening time has not come: nothing done


def test_without_a_chinese_font_the_tender_document_is_a_text_file(
    platform: RunningPlatform, people: People, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reports.fonts

    def no_font() -> Any:
        raise reports.fonts.NoCJKFontError("no CJK font in this test")

    monkeypatch.setattr(reports.fonts, "load_fonts", no_font)
    made = _create(platform, tmp_path, minutes=30, bids=0)
    assert made.tender_document == "招标文件（练习）.txt"
    section = people.client("bidder", 0).section(made.section_id)
    path = people.client("bidder", 0).download_document(
        made.section_id, section.documents[0], tmp_path / "下载"
    )
    text = path.read_text("utf-8")
    assert made.section_id in text and "非真实招标" in text


# --- bad input --------------------------------------------------------------------------------


def _bilingual(exc: UsageError, zh: str, en: str) -> None:
    assert zh in exc.diagnostics("zh_CN")
    assert en in exc.diagnostics("en_US")


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
def test_minutes_out_of_range_are_refused_in_both_languages(
    platform: RunningPlatform, tmp_path: Path, minutes: int
) -> None:
    with pytest.raises(UsageError) as caught:
        _create(platform, tmp_path, minutes=minutes)
    _bilingual(caught.value, "分钟数应在 1–1440 之间", "minutes to the deadline must be 1–1440")


def test_unknown_sandbox_file_and_other_bad_input_are_refused_clearly(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    missing = tmp_path / "没有这个文件" / "sandbox.json"
    with pytest.raises(UsageError) as caught:
        load_sandbox_info(missing)
    _bilingual(caught.value, "无法读取沙箱描述文件", "cannot read the sandbox file")
    assert str(missing) in caught.value.diagnostics("zh_CN")

    other = tmp_path / "other.json"
    other.write_text(json.dumps({"sections": []}), encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_sandbox_info(other)
    _bilingual(caught.value, "不是沙箱描述文件", "not a sandbox description")

    info = platform.sandbox or {}
    with pytest.raises(UsageError) as caught:
        _create(platform, tmp_path, me_org_code="91350100M000100Y43")
    _bilingual(caught.value, "不是沙箱演示投标人", "not the unified social credit code")
    with pytest.raises(UsageError) as caught:
        _create(
            platform,
            tmp_path,
            bids=5,
            me_org_code=org_code_of(platform, Party.of(platform, "bidder", 0)),
        )
    _bilingual(caught.value, "演示投标数应在 0–4 之间", "number of demo bids must be 0–4")
    with pytest.raises(UsageError) as caught:
        DemoBidders(platform.url, info, "PRACTICE-X", ["91350100M000100Y43"])
    _bilingual(caught.value, "不是沙箱演示投标人", "not a sandbox demo bidder")


def test_cli_bad_input_exits_2_with_both_languages(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_json = str(platform.data_dir / "sandbox.json")
    missing = str(tmp_path / "sandbox.json")
    assert main(["practice", "--platform", platform.url, "--sandbox-json", missing]) == 2
    err = capsys.readouterr().err
    assert "错误：" in err and "无法读取沙箱描述文件" in err
    assert "error: " in err and "cannot read the sandbox file" in err
    args = ["practice", "--platform", platform.url, "--sandbox-json", sandbox_json]
    assert main([*args, "--minutes", "0"]) == 2
    err = capsys.readouterr().err
    assert "分钟数应在" in err and "must be 1–1440" in err
    assert main([*args, "--minutes", "十"]) == 2
    assert "must be an integer" in capsys.readouterr().err
    assert main([*args, "--section", "PRACTICE-X"]) == 2
    assert "--section needs --follow" in capsys.readouterr().err


def test_cli_practice_creates_a_section_and_follows_the_opening(
    platform: RunningPlatform,
    clock: SettableClock,
    people: People,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox_json = str(platform.data_dir / "sandbox.json")
    argv = [
        "practice",
        "--platform",
        platform.url,
        "--sandbox-json",
        sandbox_json,
        "--minutes",
        "4",
        "--follow",
        "--state-dir",
        str(tmp_path / "cli"),
    ]
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
    runner.start()
    out, err = "", ""

    def printed_id() -> bool:
        nonlocal out, err
        captured = capsys.readouterr()
        out, err = out + captured.out, err + captured.err
        return "PRACTICE-" in out

    _until("the CLI printed the new section's id", printed_id)
    sid = out.strip().splitlines()[0]
    made = people.client("host").section(sid)
    assert "非真实招标" in made.name
    now = people.client("host").server_time()
    clock.offset += made.opening_time - now + timedelta(seconds=2)
    host = people.opening("host", sid)
    host.start()
    _until("3 demo bidders signed in", lambda: host.state().signed_in == 3)
    host.publish_list()
    host.open_window(30)
    _until(
        "3 bids decrypted", lambda: [b.decryption for b in host.state().bidders] == ["opened"] * 3
    )
    host.close(early=True)
    host.announce(confirmation_minutes=30)
    _until(
        "3 confirmations",
        lambda: [b.confirmation for b in host.state().bidders] == ["confirmed"] * 3,
    )
    for role in ("host", "recorder", "supervisor"):
        people.opening(role, sid).sign_record("confirm")
    host.finish()
    runner.join(timeout=20)
    assert result == [0]
    err += capsys.readouterr().err
    assert "练习标段已创建 / practice section created" in err
    assert err.count("已签到 / signed in") == 3
    assert err.count("已签认开标记录 / confirmed the record") == 3
    assert "开标结束 / the opening finished" in err


def test_cli_follow_section_with_demo_host_runs_a_failed_tender_to_its_end_alone(
    platform: RunningPlatform,
    clock: SettableClock,
    people: People,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Bidder 4 was to bid and did not: two bids, fewer than three, so the tender fails (流标).
    made = _create(platform, tmp_path, minutes=3, me_org_code=people.org(4))
    _past_opening(people, clock, made)
    sandbox_json = str(platform.data_dir / "sandbox.json")
    argv = ["practice", "--platform", platform.url, "--sandbox-json", sandbox_json]
    argv += ["--follow", "--demo-host", "--section", made.section_id, "--me", people.org(4)]
    argv += ["--state-dir", str(tmp_path / "demo")]
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
    runner.start()
    runner.join(timeout=30)  # nobody else does anything: the demo people run it to the end
    assert result == [0]

    state = people.opening("host", made.section_id).state()
    assert (state.phase, state.outcome) == ("finished", "failed")
    record = people.opening("host", made.section_id).record()
    assert {s.org_code for s in record.signatures if s.role == "bidder"} == set(made.demo_org_codes)
    err = capsys.readouterr().err
    for org in made.demo_org_codes:  # only the demo bidders with a bid were followed
        assert f"({org}): 已签认开标记录 / confirmed the record" in err
    assert people.org(4) not in err
    assert "演示主持人 / demo host" in err and "监督人已签署开标记录" in err
    assert "开标结束 / the opening finished" in err


def test_cli_follow_gives_up_when_the_platform_is_gone(
    platform: RunningPlatform,
    people: People,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sandbox's app closed under `--follow`: it stops after a while, not never."""
    from faultproxy import FaultProxy

    import sealbid.cli_practice as cli_practice

    made = _create(platform, tmp_path, minutes=30)
    monkeypatch.setattr(cli_practice, "GIVE_UP_AFTER", 2.0)
    sandbox_json = str(platform.data_dir / "sandbox.json")
    port = int(platform.url.rsplit(":", 1)[1])
    with FaultProxy(("127.0.0.1", port)) as proxy:
        argv = ["practice", "--platform", proxy.url, "--sandbox-json", sandbox_json]
        argv += ["--follow", "--section", made.section_id, "--state-dir", str(tmp_path / "d")]
        result: list[int] = []
        runner = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
        runner.start()
        seen: list[str] = []

        def following() -> bool:  # the demo bidders are started (their first words said)
            seen.append(capsys.readouterr().err)
            return "Ctrl-C" in "".join(seen)

        _until("the demo bidders follow the opening", following)
        proxy.line_down()
        runner.join(timeout=30)
    assert result == [1]
    assert "演示人员已停止" in "".join(seen) + capsys.readouterr().err


def test_cli_demo_host_needs_follow(
    platform: RunningPlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_json = str(platform.data_dir / "sandbox.json")
    argv = ["practice", "--platform", platform.url, "--sandbox-json", sandbox_json]
    assert main([*argv, "--demo-host"]) == 2
    err = capsys.readouterr().err
    assert "--demo-host 需要 --follow" in err and "--demo-host needs --follow" in err
