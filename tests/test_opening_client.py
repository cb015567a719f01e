"""The opening client (client.opening) and its CLI (sealbid opening …) against the real
platform on 127.0.0.1: the SSE parser, events that resume after dropped and silent connections
without a duplicate or a gap, rehearsal (解密自检) with the right key and with a renewed
certificate, a refused key release, and a whole small opening driven through the CLI."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clienthelpers import cli_login, client_for
from faultproxy import FaultProxy
from openingkit import OpeningKit, org_code_of
from platformserver import RunningPlatform, SettableClock, start_platform

from client import wire
from client.errors import ReleaseFailedError
from client.opening import OpeningClient, SseMessage, SseParser
from crypto import release as crypto_release
from crypto.ca import KeyType, Role, SandboxCA
from crypto.errors import NoMatchingRecipientError
from sealbid.cli import main

# --- the SSE parser --------------------------------------------------------------------------


def _feed_all(parser: SseParser, data: bytes, step: int | None = None) -> list[SseMessage]:
    out: list[SseMessage] = []
    if step is None:
        return parser.feed(data)
    for i in range(0, len(data), step):
        out.extend(parser.feed(data[i : i + step]))
    return out


STREAM = (
    b"\xef\xbb\xbf: sealbid opening events\nretry: 2000\n\n"
    b'id: 1\nevent: phase\ndata: {"a":1}\n\n'
    b'event: tick\ndata: {"server_time":"2026-01-01T00:00:00Z"}\r\n\r\n'
    b"id: 2\r\nevent: objection\r\ndata: line one\r\ndata:line two\r\ndata\r\n\r\n"
    b"id: 3\revent: x\rdata: \xe5\xbc\x80\xe6\xa0\x87\r\r"
    b"id: 4\nevent: lonely\n\n"  # no data: not dispatched
    b"id: 5\nbogus: field\ndata: tail\n"  # no blank line yet: not complete
)


@pytest.mark.parametrize("step", [None, 1, 2, 3, 7])
def test_sse_parser_handles_every_line_ending_and_split(step: int | None) -> None:
    parser = SseParser()
    got = _feed_all(parser, STREAM, step)
    assert [(m.id, m.event, m.data) for m in got] == [
        ("1", "phase", '{"a":1}'),
        (None, "tick", '{"server_time":"2026-01-01T00:00:00Z"}'),
        ("2", "objection", "line one\nline two\n"),
        ("3", "x", "开标"),
    ]
    assert parser.feed(b"\n") == [SseMessage(event="message", data="tail", id="5")]


def test_sse_parser_keeps_a_half_event_until_it_ends() -> None:
    parser = SseParser()
    assert parser.feed(b'id: 7\nevent: record\ndata: {"seq":7') == []
    assert parser.feed(b"}\n") == []
    [msg] = parser.feed(b"\n")
    assert (msg.id, msg.data) == ("7", '{"seq":7}')


def test_sse_parser_refuses_an_endless_line() -> None:
    from client.errors import ProtocolError

    parser = SseParser()
    with pytest.raises(ProtocolError):
        parser.feed(b"data: " + b"x" * (2 << 20))


# --- the real platform -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningPlatform, OpeningKit]]:
    tmp = tmp_path_factory.mktemp("opening")
    clock = SettableClock()
    platform = start_platform(tmp, clock=clock)
    kit = OpeningKit(platform, clock, tmp)
    yield platform, kit
    kit.close()
    platform.stop()


class Watcher:
    """``events()`` on a thread, collecting what it yields."""

    def __init__(self, opening: OpeningClient, after: int = 0) -> None:
        self.opening = opening
        self.events: list[wire.OpeningEvent] = []
        self.ticks: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(after,), daemon=True)
        self.thread.start()

    def _run(self, after: int) -> None:
        try:
            for e in self.opening.events(
                after, stop=self.stopped.is_set, on_tick=self.ticks.append
            ):
                self.events.append(e)
        except BaseException as exc:  # handed to the test thread
            self.error = exc

    def wait_for(self, seq: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not (self.events and self.events[-1].seq >= seq):
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"no event {seq}: {self.seqs()}"
            time.sleep(0.02)

    def seqs(self) -> list[int]:
        return [e.seq for e in self.events]

    def join(self, timeout: float = 30.0) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the event stream did not end"
        assert self.error is None, self.error


def _history(kit: OpeningKit, party: Any, sid: str) -> list[wire.OpeningEvent]:
    """Every event the party may see, read in one go after the opening finished."""
    return list(kit.opening(party, sid).events(0))


def test_events_resume_after_dropped_connections_without_duplicates_or_gaps(
    world: tuple[RunningPlatform, OpeningKit], tmp_path: Path
) -> None:
    platform, kit = world
    sid = kit.section(bidders=3)
    kit.past_opening(sid)
    # The supervisor sees every event of an opening where no key fails (a failure's reason goes
    # to its bidder alone), so what it receives must be exactly 1, 2, … N: no gap, no repeat.
    watcher_party = kit.party("supervisor")
    host = kit.opening(kit.party("host"), sid)
    people = [kit.opening(b, sid) for b in kit.bidders(3)]
    port = int(platform.url.rsplit(":", 1)[1])
    with FaultProxy(("127.0.0.1", port)) as proxy:
        watching = client_for(platform, watcher_party, tmp_path / "watch", url=proxy.url)
        watcher = Watcher(OpeningClient(watching, sid))
        try:

            def step_then_cut(action: Any, *, mid_event: bool = False) -> None:
                if mid_event:
                    proxy.add_response_cuts(1)  # the next answer bytes: cut after the first
                action()
                watcher.wait_for(host.state().last_event)
                if not mid_event:
                    for link in list(proxy._links):  # a dropped line: RST both ways
                        link.kill()

            step_then_cut(host.start)
            step_then_cut(people[0].signin, mid_event=True)
            for o in people[1:]:
                o.signin()
            step_then_cut(host.publish_list)
            step_then_cut(lambda: host.open_window(30), mid_event=True)
            for o in people:
                o.release()
            step_then_cut(lambda: host.close(early=True))
            step_then_cut(lambda: host.announce(confirmation_minutes=30), mid_event=True)
            for o in people:
                o.sign_record("confirm")
            for role in ("host", "recorder", "supervisor"):
                kit.opening(kit.party(role), sid).sign_record("confirm")
            host.finish()
            watcher.join()
            assert proxy.response_cuts == 3
            assert proxy.connections >= 7  # every cut made it connect again
        finally:
            watcher.stopped.set()
            watching.close()
    seqs = watcher.seqs()
    assert seqs == list(range(1, host.state().last_event + 1)), "a repeat, a gap or disorder"
    assert seqs == [e.seq for e in _history(kit, watcher_party, sid)]
    # A bidder's stream skips what it may not see (sign-ins before the list): gaps are legal.
    theirs = [e.seq for e in _history(kit, kit.party("bidder", 0), sid)]
    assert theirs == sorted(set(theirs)) and set(theirs) < set(seqs)
    assert watcher.events[-1].kind == "finished"
    kinds = {e.kind for e in watcher.events}
    assert {"phase", "signin", "list", "window", "decryption", "results", "record"} <= kinds
    assert {"signature", "finished"} <= kinds


def test_a_silent_stream_is_reconnected_and_resumed(
    world: tuple[RunningPlatform, OpeningKit],
) -> None:
    _, kit = world
    sid = kit.section(bidders=3)
    kit.past_opening(sid)
    host = kit.opening(kit.party("host"), sid)
    host.start()
    staff = kit.client(kit.party("supervisor"))
    # Ticks come every 5 s: a read timeout of 1 s takes each quiet second for a dead line.
    watcher = Watcher(OpeningClient(staff, sid, read_timeout=1.0))
    try:
        watcher.wait_for(1)
        time.sleep(2.5)  # at least two silent reconnects
        people = [kit.opening(b, sid) for b in kit.bidders(3)]
        for o in people:
            o.signin()
            time.sleep(1.2)
        watcher.wait_for(host.state().last_event)
    finally:
        watcher.stopped.set()
    watcher.thread.join(20)
    assert not watcher.thread.is_alive() and watcher.error is None
    seqs = watcher.seqs()
    assert seqs == sorted(set(seqs)) and len(seqs) == host.state().last_event
    assert [e.kind for e in watcher.events].count("signin") == 3


def test_ticks_carry_the_platform_time(world: tuple[RunningPlatform, OpeningKit]) -> None:
    _, kit = world
    sid = kit.section(bidders=3)
    kit.past_opening(sid)
    host = kit.opening(kit.party("host"), sid)
    host.start()
    watcher = Watcher(kit.opening(kit.party("recorder"), sid))
    try:
        deadline = time.monotonic() + 12
        while not watcher.ticks and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        watcher.stopped.set()
    assert watcher.ticks, "no tick in 12 s"
    tick = watcher.ticks[0]
    assert tick["phase"] == "signin"
    server = datetime.fromisoformat(tick["server_time"])
    assert abs(server - host.client.server_time()) < timedelta(seconds=15)


# --- rehearsal and release -------------------------------------------------------------------


def _ca(platform: RunningPlatform) -> SandboxCA:
    return SandboxCA.load(Path(platform.sandbox["ca"]).parent)  # type: ignore[index]


def test_rehearsal_with_the_sealing_key_passes(world: tuple[RunningPlatform, OpeningKit]) -> None:
    _, kit = world
    sid = kit.section(bidders=1, minutes=60)
    r = kit.opening(kit.party("bidder", 0), sid).rehearse()
    assert r.ok, r.problems
    assert r.sealed_for_current and r.receipt_matches is True and not r.problems
    assert r.current_certificate in r.sealed_for
    assert r.encryption_not_after > r.opening_time and not r.warnings


def test_rehearsal_with_a_renewed_certificate_warns_to_use_the_old_key_or_reseal(
    world: tuple[RunningPlatform, OpeningKit],
) -> None:
    platform, kit = world
    sid = kit.section(bidders=1, minutes=60)
    bidder = kit.party("bidder", 0)
    renewed = _ca(platform).issue(
        role=Role.BIDDER,
        name=bidder.name,
        org_code=org_code_of(platform, bidder),
        key_type=KeyType.RSA2048,
    )
    # Bidders are keyed by their 统一社会信用代码: the renewed certificate logs in to the same
    # account and sees the same stored bid, which it cannot open.
    with client_for(platform, None, kit.tmp / "renewed", identity=renewed.identity()) as c:
        opening = OpeningClient(c, sid)
        r = opening.rehearse()
        assert not r.ok and not r.sealed_for_current
        assert r.receipt_matches is True  # the stored copy is still the receipt's file
        [problem] = r.problems
        assert "证书已更新" in problem.zh and "重新密封" in problem.zh
        assert "renewed certificate" in problem.en and "old" in problem.en
        assert "reseal" in problem.en
        with pytest.raises(NoMatchingRecipientError):
            opening.release()


def test_rehearsal_fails_when_the_certificate_expires_before_the_opening(
    world: tuple[RunningPlatform, OpeningKit],
) -> None:
    platform, kit = world
    bidder = kit.party("bidder", 3)
    host = kit.client(kit.party("host"))
    sid = kit.section(bidders=0, minutes=3 * 24 * 60)
    short = _ca(platform).issue(
        role=Role.BIDDER,
        name=bidder.name,
        org_code=org_code_of(platform, bidder),
        key_type=KeyType.RSA2048,
        not_after=host.server_time() + timedelta(days=1),
    )
    with client_for(platform, None, kit.tmp / "short", identity=short.identity()) as c:
        bid = kit.seal(bidder, sid, 3, short.identity(), check_opening=False)
        c.submit(sid, bid)
        r = OpeningClient(c, sid).rehearse()
    # Both certificates (one key pair's, here) end before the opening: the encryption one is a
    # warning (the old key still unwraps), the signing one a problem (no login, no sign-in,
    # no release at the opening: the rehearsal fails).
    assert r.sealed_for_current and not r.ok
    assert any("expires" in w.en and "早于开标时间" in w.zh for w in r.warnings)
    assert any("signing certificate" in p.en for p in r.problems)


def test_a_refused_key_is_a_release_error_with_the_platforms_reason_and_can_be_retried(
    world: tuple[RunningPlatform, OpeningKit], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, kit = world
    sid = kit.section(bidders=3)
    kit.past_opening(sid)
    host = kit.opening(kit.party("host"), sid)
    me = kit.opening(kit.party("bidder", 0), sid)
    host.start()
    me.signin()
    host.publish_list()
    host.open_window(30)

    real = crypto_release.unwrap_envelope

    def wrong_key(*args: Any, **kw: Any) -> Any:  # fault injection: a key that is not the bid's
        import dataclasses

        got = real(*args, **kw)
        return dataclasses.replace(got, file_key=bytes(32))

    monkeypatch.setattr(crypto_release, "unwrap_envelope", wrong_key)
    with pytest.raises(ReleaseFailedError) as caught:
        me.release()
    assert caught.value.server_code == "opening.key_wrong"
    assert caught.value.server_zh and caught.value.server_en
    assert caught.value.server_zh in caught.value.diagnostics("zh_CN")
    assert me.state().me is not None and me.state().me.decryption == "failed"  # type: ignore[union-attr]
    monkeypatch.setattr(crypto_release, "unwrap_envelope", real)
    status = me.release()
    assert status.decryption == "opened" and status.attempts == 2


def test_a_record_that_misstates_the_bidders_file_is_refused_for_confirming_but_declinable(
    world: tuple[RunningPlatform, OpeningKit], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bidder's own receipt names another file than the record does: confirming is refused
    with the advice to decline, and declining (with that reason) goes through."""
    from client.errors import RecordInvalidError
    from client.platform import PlatformClient

    _, kit = world
    sid = kit.section(bidders=3)
    kit.past_opening(sid)
    kit.run(sid, until="confirming")
    me = kit.opening(kit.party("bidder", 0), sid)
    real = PlatformClient.verify_receipt

    def other_file(self: Any, *args: Any, **kw: Any) -> Any:  # fault injection
        import dataclasses

        got = real(self, *args, **kw)
        receipt = got.receipt.model_copy(update={"file_sha256": "0" * 64})
        return dataclasses.replace(got, receipt=receipt)

    monkeypatch.setattr(PlatformClient, "verify_receipt", other_file)
    with pytest.raises(RecordInvalidError, match="decline"):
        me.sign_record("confirm")
    signed = me.sign_record("decline", "记录中本投标人的文件摘要与本人回执不符")
    assert signed.decision == "decline" and signed.role == "bidder"
    assert [s.decision for s in me.record().signatures if s.role == "bidder"] == ["decline"]


# --- the CLI through a small opening ---------------------------------------------------------


def test_a_small_opening_through_the_cli(
    world: tuple[RunningPlatform, OpeningKit], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    platform, kit = world
    sid = kit.section(bidders=3)
    bidders = kit.bidders(3)

    def as_(party: Any) -> list[str]:
        return [*cli_login(platform, party, kit.state_dir(party)), "--section", sid]

    host = as_(kit.party("host"))
    # Before the deadline: the rehearsal.
    assert main(["rehearse", *as_(bidders[0])]) == 0
    assert "解密自检通过" in capsys.readouterr().out

    kit.past_opening(sid)
    assert main(["opening", "start", *host]) == 0
    assert capsys.readouterr().out.strip() == "signin"
    for b in bidders:
        assert main(["opening", "signin", *as_(b)]) == 0
        assert "已签到" in capsys.readouterr().err
    assert main(["opening", "publish-list", *host]) == 0
    assert main(["opening", "open-window", *host, "--minutes", "30"]) == 0
    assert main(["opening", "extend", *host, "--minutes", "5", "--reason", "网络波动"]) == 0
    assert capsys.readouterr().out.split() == ["listed", "window", "window"]
    for b in bidders[:2]:
        assert main(["opening", "release", *as_(b)]) == 0
        assert capsys.readouterr().out.strip() == "opened"
    # Bidder 3 never releases; the host closes when the window is over, with a reason.
    kit.clock.offset += timedelta(minutes=36)
    assert main(["opening", "close", *host, "--early"]) == 1  # a reason is needed
    capsys.readouterr()
    org3 = org_code_of(platform, bidders[2])
    decide = f"{org3}=bidder:未在解密时限内解密"
    assert main(["opening", "close", *host, "--reason", "按规定处理", "--decide", decide]) == 0
    assert capsys.readouterr().out.strip() == "closed"
    assert main(["opening", "close", *host, "--decide", "nonsense"]) == 2
    capsys.readouterr()

    assert main(["opening", "object", *as_(bidders[1]), "--text", "第3家未解密的处理有异议"]) == 0
    objection = capsys.readouterr().out.strip()
    assert (
        main(["opening", "answer", *host, "--objection", objection, "--text", "按招标文件处理"])
        == 0
    )
    assert main(["opening", "announce", *host, "--confirmation-minutes", "10"]) == 0
    capsys.readouterr()
    for b in bidders[:2]:
        assert main(["opening", "confirm", *as_(b)]) == 0
    assert main(["opening", "confirm", *as_(bidders[2]), "--decline", "不同意撤销认定"]) == 0
    assert capsys.readouterr().out.split() == ["confirm", "confirm", "decline"]
    for role in ("host", "recorder", "supervisor"):
        assert main(["opening", "confirm", *as_(kit.party(role))]) == 0
    assert main(["opening", "finish", *host]) == 0
    assert capsys.readouterr().out.split()[-1] == "finished"

    # The whole history, as a person reads it and as JSON; both end at "finished".
    assert main(["opening", "watch", *as_(bidders[0])]) == 0
    text = capsys.readouterr().out
    assert "开标结束" in text and "撤销 revoked" in text and "异议" in text
    assert main(["opening", "watch", *as_(bidders[0]), "--json", "--after", "3"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0]["seq"] > 3 and lines[-1]["kind"] == "finished"

    record = tmp_path / "开标记录.json"
    assert main(["opening", "record", *as_(bidders[0]), "-o", str(record)]) == 0
    assert Path(capsys.readouterr().out.strip()) == record and record.is_file()
    # Verified against the platform certificate the bidder's client saved, and its receipts.
    state = kit.state_dir(bidders[0])
    assert main(["record", "verify", str(record), "--state-dir", str(state), "--receipts"]) == 0
    out = capsys.readouterr().out
    assert "own receipt" in out and "×" not in out and "UNANCHORED" not in out
    doc = json.loads(record.read_text("utf-8"))
    assert doc["closed"] is True


def test_a_bidder_cannot_run_the_host_commands(
    world: tuple[RunningPlatform, OpeningKit], capsys: pytest.CaptureFixture[str]
) -> None:
    platform, kit = world
    sid = kit.section(bidders=3)
    kit.past_opening(sid)
    bidder = kit.party("bidder", 0)
    login = [*cli_login(platform, bidder, kit.state_dir(bidder)), "--section", sid]
    assert main(["opening", "start", *login]) == 1
    err = capsys.readouterr().err
    assert "错误" in err and "error:" in err
    # Nothing started: the opening still waits for its host.
    host = kit.opening(kit.party("host"), sid)
    assert host.state().phase == "waiting"


def test_a_platform_that_is_gone_ends_the_watch_with_a_clear_error(
    world: tuple[RunningPlatform, OpeningKit], tmp_path: Path
) -> None:
    import socket

    from client.errors import ConnectionFailedError

    platform, kit = world
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bidder = kit.party("bidder", 0)
    with client_for(platform, bidder, tmp_path, url=f"http://127.0.0.1:{port}") as c:
        started = time.monotonic()
        with pytest.raises(ConnectionFailedError):
            next(iter(OpeningClient(c, "any").events()))
        assert time.monotonic() - started < 10  # FAST_RETRY: a dozen short waits
