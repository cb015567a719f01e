"""The remote opening on the real platform (docs/opening.md), over raw HTTP: the state machine,
Art. 31 decisions, objections, record revisions, signatures, events — and that nothing about a
bid leaks before the window closes."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from openingworld import SECRET_MARK, OpeningWorld, price_of, summary_of

from server.receipts import verify_audit_chain


@pytest.fixture
def world(tmp_path: Path) -> Iterator[OpeningWorld]:
    w = OpeningWorld.create(tmp_path)
    yield w
    w.stop()


def _code(r: httpx.Response) -> str:
    return str(r.json()["error"]["code"])


def _to_window(w: OpeningWorld, minutes: int = 30) -> None:
    w.past_deadline()
    w.host.post("start", {})
    for i in range(5):
        w.signin(i)
    w.host.post("publish-list")
    w.host.post("window", {"minutes": minutes})


def test_a_whole_opening_with_a_non_releaser_and_a_wrong_key(world: OpeningWorld) -> None:
    w = world
    r = w.host.request("POST", f"/openings/{w.section}/start", {})
    assert r.status_code == 409 and _code(r) == "opening.too_early"
    w.past_deadline()
    st = w.host.post("start", {})
    assert st["phase"] == "signin" and st["outcome"] == "open"
    assert st["recorder"] and st["supervisor"]
    w.host.post("start", {}, expect=409)  # once only

    # Not a host: refused by role.
    assert w.bidders[0].request("POST", f"/openings/{w.section}/publish-list").status_code == 403
    # A release before the window: refused, and says why.
    r = w.release(0)
    assert r.status_code == 409 and _code(r) == "opening.phase"
    for i in range(5):
        me = w.signin(i)
        # Its number would tell a bidder how many bid before it: only once the list is out.
        assert me["number"] is None and me["signed_in_at"]
    w.host.post("publish-list")
    assert [w.bidders[i].get()["me"]["number"] for i in range(5)] == [1, 2, 3, 4, 5]
    listed = w.bidders[0].get()
    assert listed["bid_count"] == 5 and [b["number"] for b in listed["bidders"]] == [1, 2, 3, 4, 5]
    w.host.post("window", {"minutes": 30})

    for i in (0, 1, 2):
        r = w.release(i)
        assert r.status_code == 200, r.text
        assert r.json()["decryption"] == "opened"
    # Bidder 4 sends a wrong key: told at once, and may retry inside the window.
    r = w.release(4, bytes(32))
    assert r.status_code == 422 and _code(r) == "opening.key_wrong"
    assert "密钥" in r.json()["error"]["zh"] and "key" in r.json()["error"]["en"]
    me = w.bidders[4].get()["me"]
    assert me["decryption"] == "failed" and me["attempts"] == 1
    assert me["last_error"]["code"] == "opening.key_wrong"
    # A second release of an opened bid changes nothing.
    assert w.release(0).json()["attempts"] == 1

    r = w.host.request("POST", f"/openings/{w.section}/close", {"early": True})
    assert r.status_code == 409 and _code(r) == "opening.window_running"
    w.advance(timedelta(minutes=31))
    r = w.release(3)  # too late: the platform's clock says the window is over
    assert r.status_code == 409 and _code(r) == "opening.window_closed"
    r = w.host.request("POST", f"/openings/{w.section}/close", {})
    assert r.status_code == 422 and _code(r) == "opening.reason_required"
    st = w.host.post("close", {"reason": "依《电子招标投标办法》第三十一条处理"})
    assert st["phase"] == "closed"
    by_number = {b["number"]: b for b in st["bidders"]}
    for n in (1, 2, 3):
        assert by_number[n]["decryption"] == "opened"
        assert by_number[n]["summary"] == summary_of(n - 1)
    for n in (4, 5):
        assert by_number[n]["decryption"] == "revoked" and by_number[n]["summary"] is None
    assert "未在解密时限内" in by_number[4]["cause"]
    assert "密钥" in by_number[5]["cause"]

    st = w.host.post("announce", {"confirmation_minutes": 20})
    assert st["phase"] == "confirming" and st["record_sha256"]
    r = w.host.request("POST", f"/openings/{w.section}/finish")
    assert r.status_code == 409 and _code(r) == "opening.finish_blocked"
    for a in (w.host, w.recorder, w.supervisor):
        assert w.sign_record(a).status_code == 200
    for i in range(4):
        assert w.sign_record(w.bidders[i]).status_code == 200
    # Declining needs a reason.
    r = w.sign_record(w.bidders[4], "decline")
    assert r.status_code == 422 and _code(r) == "opening.reason_required"
    assert w.sign_record(w.bidders[4], "decline", "密钥无误，不认可").status_code == 200
    st = w.host.post("finish")
    assert st["phase"] == "finished"

    doc = w.bidders[2].get("/record")
    assert doc["closed"] and doc["closing"] and doc["closing_signature"]
    # What a signer fetches: the same record, without the signatures; compressed on the wire.
    light = w.bidders[2].request("GET", f"/openings/{w.section}/record?signatures=false")
    assert light.headers["content-encoding"] == "gzip"
    assert light.json()["record"] == doc["record"] and light.json()["signatures"] == []
    record = json.loads(doc["record"])
    assert record["outcome"] == "open" and record["valid_bids"] == 3
    assert [b["decryption"]["status"] for b in record["bidders"]] == [
        "opened",
        "opened",
        "opened",
        "revoked",
        "revoked",
    ]
    assert record["bidders"][0]["summary_text"]["price"].startswith("98,765,432.00 元（大写：")
    assert [t["phase"] for t in record["transitions"]] == [
        "signin",
        "listed",
        "window",
        "closed",
        "announced",
        "confirming",
    ]
    closing = json.loads(doc["closing"])
    assert [c["status"] for c in closing["confirmations"]] == ["confirmed"] * 4 + ["declined"]
    assert [s["role"] for s in doc["signatures"]] == ["host", "recorder", "supervisor"] + [
        "bidder"
    ] * 5
    # The audit log holds every step and is an unbroken chain.
    plat = w.platform.platform
    rows = plat.audit(0, 10000)
    actions = [r.action for r in rows]
    for action in (
        "opening.signin",
        "opening.listed",
        "opening.window",
        "opening.release",
        "opening.closed",
        "opening.results",
        "opening.record",
        "opening.sign",
        "opening.finished",
    ):
        assert action in actions
    assert verify_audit_chain([r.model_dump() for r in rows]) == len(rows)


def test_fewer_than_three_bids_fail_the_tender(tmp_path: Path) -> None:
    w = OpeningWorld.create(tmp_path, bids=2)
    try:
        w.past_deadline()
        st = w.host.post("start", {})
        assert st["outcome"] == "failed" and st["phase"] == "confirming"
        r = w.release(0)
        assert r.status_code == 409
        record = json.loads(w.bidders[0].get("/record")["record"])
        assert record["outcome"] == "failed" and "流标" in record["outcome_reason"]
        assert record["valid_bids"] == 0
        assert all(b["summary"] is None for b in record["bidders"])
        assert {b["decryption"]["status"] for b in record["bidders"]} == {"not_opened"}
        for a in (w.host, w.recorder, w.supervisor, w.bidders[0], w.bidders[1]):
            assert w.sign_record(a).status_code == 200
        assert w.host.post("finish")["phase"] == "finished"
        # A bidder without a bid is not part of this opening.
        r = w.bidders[3].request("GET", f"/openings/{w.section}")
        assert r.status_code == 403 and _code(r) == "opening.not_participant"
    finally:
        w.stop()


def test_release_failures_are_classified_and_retry_works(tmp_path: Path) -> None:
    bad = {**summary_of(2), "price": "九百万"}  # not an amount: the bidder's fault
    w = OpeningWorld.create(tmp_path, summaries={2: bad})
    try:
        _to_window(w)
        r = w.release(2)
        assert r.status_code == 422 and _code(r) == "opening.summary_invalid"
        assert "投标报价" in r.json()["error"]["zh"]
        # The platform's stored copy of bidder 1's bid is damaged: the platform's fault.
        sha = w.bidders[1].request("GET", f"/sections/{w.section}/submission").json()
        receipt = json.loads(sha["latest"]["receipt"])
        blob = w.platform.platform.blobs.path(receipt["file_sha256"])
        good_key = w.file_key(1)
        data = bytearray(blob.read_bytes())
        data[len(data) // 2] ^= 0xFF
        blob.chmod(0o600)
        blob.write_bytes(bytes(data))
        r = w.release(1, good_key)
        assert r.status_code == 422 and _code(r) == "opening.platform_fault"
        # Wrong key, then the right one: opened on the second try.
        assert w.release(0, bytes(32)).status_code == 422
        r = w.release(0)
        assert r.status_code == 200 and r.json()["attempts"] == 2
        for i in (3, 4):
            assert w.release(i).status_code == 200
        w.advance(timedelta(minutes=31))
        decisions = [
            {
                "org_code": w.bidders[2].client.session.org_code,
                "fault": "platform",  # type: ignore[union-attr]
                "reason": "经核实为平台表单校验变更所致",
            }
        ]
        st = w.host.post("close", {"reason": "按第三十一条处理", "decisions": decisions})
        by = {b["number"]: b for b in st["bidders"]}
        assert by[2]["decryption"] == "withdrawn"  # platform fault: 撤回
        assert by[3]["decryption"] == "withdrawn" and "主持人决定" in by[3]["cause"]
        assert by[1]["decryption"] == "opened"
    finally:
        w.stop()


def test_a_decision_must_name_an_unopened_bid(world: OpeningWorld) -> None:
    w = world
    _to_window(w)
    for i in range(4):
        assert w.release(i).status_code == 200
    w.advance(timedelta(minutes=31))
    org0 = w.bidders[0].client.session.org_code  # type: ignore[union-attr]
    r = w.host.request(
        "POST",
        f"/openings/{w.section}/close",
        {"reason": "x", "decisions": [{"org_code": org0, "fault": "platform", "reason": "y"}]},
    )
    assert r.status_code == 422


def test_extend_reopens_time_by_the_platform_clock(world: OpeningWorld) -> None:
    w = world
    _to_window(w, minutes=5)
    w.advance(timedelta(minutes=6))
    assert _code(w.release(0)) == "opening.window_closed"
    r = w.host.request(
        "POST", f"/openings/{w.section}/window/extend", {"minutes": 10, "reason": ""}
    )
    assert r.status_code == 422  # a reason is required
    st = w.host.post("window/extend", {"minutes": 10, "reason": "平台网络波动，延长解密时间"})
    assert st["window_closes_at"]
    assert w.release(0).status_code == 200


def test_objection_while_confirming_issues_a_new_revision(world: OpeningWorld) -> None:
    w = world
    _to_window(w)
    for i in range(5):
        assert w.release(i).status_code == 200
    w.host.post("close", {"early": True})
    w.host.post("announce", {})
    first = w.bidders[0].get("/record")
    assert w.sign_record(w.bidders[0]).status_code == 200
    obj = w.bidders[1].post("objections", {"text": "第1号投标人报价的大写有误"}, expect=201)
    second = w.bidders[0].get("/record")
    assert second["record_sha256"] != first["record_sha256"]
    assert json.loads(second["record"])["revision"] == 2
    assert second["signatures"] == []  # the old signature was for the old record
    r = w.host.request("POST", f"/openings/{w.section}/finish")
    assert _code(r) == "opening.finish_blocked"
    ans = w.host.post(f"objections/{obj['id']}/answer", {"text": "经核对大写无误，异议不成立"})
    assert ans["answer"] and ans["answered_by"]
    third = w.bidders[0].get("/record")
    objections = json.loads(third["record"])["objections"]
    assert objections[0]["answer"] == "经核对大写无误，异议不成立"
    # Signing an old digest is refused as stale.
    stale = w.sign_record(w.bidders[0], record_sha256=first["record_sha256"])
    assert stale.status_code == 409 and _code(stale) == "opening.record_stale"


def test_only_the_named_staff_sign_in_their_roles(world: OpeningWorld) -> None:
    w = world
    _to_window(w)
    for i in range(5):
        w.release(i)
    w.host.post("close", {"early": True})
    w.host.post("announce", {})
    # A bidder's signature made with another bidder's key is refused.
    a, other = w.bidders[0], w.bidders[1]
    saved = a.identity
    a.identity = other.identity
    try:
        r = w.sign_record(a)
        assert r.status_code == 403 and _code(r) == "opening.signer"
    finally:
        a.identity = saved
    admin_r = httpx.post(
        w.platform.api + f"/openings/{w.section}/record/sign",
        json={},
        headers={"Authorization": "Bearer nope"},
    )
    assert admin_r.status_code == 401


# --- nothing leaks before close ---------------------------------------------------------------------


def _secrets(w: OpeningWorld, keys: dict[int, bytes]) -> list[str]:
    out = [SECRET_MARK]
    for i in range(5):
        out.append(price_of(i))
        out.append(f"{98765432 + i * 1111:,}")
    for key in keys.values():
        out.append(base64.b64encode(key).decode())
        out.append(key.hex())
    return out


def _walk(w: OpeningWorld, viewer_index: int | None) -> list[str]:
    """Every answer a participant can read now, as text."""
    who = w.bidders[viewer_index] if viewer_index is not None else w.host
    texts = []
    paths = [
        f"/openings/{w.section}",
        f"/openings/{w.section}/record",
        f"/sections/{w.section}",
        "/sections",
        "/projects",
    ]
    if viewer_index is not None:
        paths += [
            f"/sections/{w.section}/submission",
            f"/sections/{w.section}/submission/envelope",
            "/receipts",
        ]
    else:
        paths += [f"/admin/sections/{w.section}/bidders"]
    for path in paths:
        r = who.request("GET", path)
        texts.append(r.text)
    texts.append(json.dumps(w.events(who), ensure_ascii=False))
    return texts


def test_nothing_about_a_bid_leaks_before_the_window_closes(world: OpeningWorld) -> None:
    w = world
    keys = {i: w.file_key(i) for i in range(5)}
    secrets = _secrets(w, keys)
    w.past_deadline()

    def check(phase: str) -> None:
        viewers: list[int | None] = [0, 1, 2, 3, 4, None]
        for v in viewers:
            for text in _walk(w, v):
                for s in secrets:
                    assert s not in text, (phase, v, s)
        # The supervisor and the platform's admin read the audit log: nothing there either.
        for staff in (w.supervisor,):
            audit = staff.request("GET", "/admin/audit?limit=10000").text
            for s in secrets:
                assert s not in audit, (phase, "audit", s)
            state = staff.request("GET", f"/openings/{w.section}").text
            for s in secrets:
                assert s not in state, (phase, "supervisor", s)

    w.host.post("start", {})
    w.signin(0)
    check("signin")
    # Before the list: a bidder sees only itself, not even how many bid or signed in.
    st = w.bidders[1].get()
    assert st["bid_count"] is None and st["bidders"] == [] and st["signed_in"] is None
    last = st["last_event"]
    stream1 = w.events(w.bidders[1])
    assert [e["kind"] for e in stream1] == ["phase"]
    assert w.bidders[0].party.name in json.dumps(w.events(w.host), ensure_ascii=False)
    objection = w.bidders[0].post("objections", {"text": "请说明签到规则"}, expect=201)
    for i in range(1, 5):
        w.signin(i)
    st = w.bidders[1].get()
    assert st["last_event"] == last and st["me"]["number"] is None
    assert st["objections"] == []  # someone else's objection names them
    assert [e["kind"] for e in w.events(w.bidders[1])] == ["phase"]
    assert [o["id"] for o in w.bidders[0].get()["objections"]] == [objection["id"]]
    w.host.post("publish-list")
    check("listed")
    w.host.post("window", {"minutes": 30})
    check("window")
    for i in range(4):
        assert w.release(i, keys[i]).status_code == 200
    assert w.release(4, bytes(32)).status_code == 422
    check("window, four released")
    # The released keys are not kept anywhere on the platform's disk.
    for path in Path(w.platform.data_dir).rglob("*"):
        if path.is_file() and "blobs" not in path.parts:
            data = path.read_bytes()
            for key in keys.values():
                assert key not in data and base64.b64encode(key) not in data, path
    # Only the failing bidder learns why it failed.
    own = json.dumps(w.events(w.bidders[4]), ensure_ascii=False)
    other = json.dumps(w.events(w.bidders[0]), ensure_ascii=False)
    assert "opening.key_wrong" in own and "opening.key_wrong" not in other
    w.host.post(
        "close",
        {"early": False} if False else {"reason": "第5号密钥错误", "early": False},
        expect=409,
    )
    w.advance(timedelta(minutes=31))
    st = w.host.post("close", {"reason": "第5号密钥错误，视为撤销"})
    # After close every summary is out at once, in the state and in the stream.
    assert {b["summary"]["manager"] for b in st["bidders"] if b["summary"]} == {
        f"{SECRET_MARK}{i}" for i in range(4)
    }
    results = [e for e in w.events(w.bidders[3]) if e["kind"] == "results"]
    assert len(results) == 1 and len(results[0]["data"]["bidders"]) == 5


def test_events_resume_in_order_without_loss(world: OpeningWorld) -> None:
    w = world
    _to_window(w)
    for i in range(5):
        w.release(i)
    everything = w.events(w.host)
    seqs = [e["seq"] for e in everything]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    middle = seqs[len(seqs) // 2]
    rest = w.events(w.host, after=middle)
    assert [e["seq"] for e in rest] == [s for s in seqs if s > middle]
    kinds = {e["kind"] for e in everything}
    assert {"phase", "signin", "list", "window", "decryption"} <= kinds
    # Events made while nobody listens are delivered to a stream that connects later.
    w.host.post("close", {"early": True})
    later = w.events(w.bidders[2], after=seqs[-1])
    assert [e["kind"] for e in later][-1] == "results"


def test_an_opening_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    w = OpeningWorld.create(tmp_path, db_url=pg_url, bids=3)
    try:
        w.past_deadline()
        w.host.post("start", {})
        for i in range(3):
            w.signin(i)
        w.host.post("publish-list")
        w.host.post("window", {"minutes": 10})
        for i in range(3):
            assert w.release(i).status_code == 200
        st: dict[str, Any] = w.host.post("close", {"early": True})
        assert [b["decryption"] for b in st["bidders"]] == ["opened"] * 3
        w.host.post("announce", {})
        for a in (w.host, w.recorder, w.supervisor, *w.bidders[:3]):
            assert w.sign_record(a).status_code == 200
        assert w.host.post("finish")["phase"] == "finished"
    finally:
        w.stop()


def test_a_platform_restart_mid_window_loses_nothing(world: OpeningWorld) -> None:
    w = world
    _to_window(w)
    for i in range(3):
        assert w.release(i).status_code == 200
    before = w.events(w.host)
    w.restart()
    st = w.host.get()
    assert st["phase"] == "window"
    # The opened summaries were sealed under a key only the old process had: those bidders
    # are asked to release again (nothing readable was left on disk).
    assert [b["decryption"] for b in st["bidders"]] == ["pending"] * 5
    me = w.bidders[0].get()["me"]
    assert me["last_error"]["code"] == "opening.platform_restart"
    # The stream resumes from the stored events after the restart.
    after = w.events(w.host, after=before[-1]["seq"] - 2)
    assert [e["seq"] for e in after[:2]] == [before[-2]["seq"], before[-1]["seq"]]
    assert [e["data"]["status"] for e in after[2:]] == ["pending"] * 3
    for i in range(5):
        assert w.release(i).status_code == 200
    st = w.host.post("close", {"early": True})
    assert [b["summary"]["manager"] for b in st["bidders"]] == [
        summary_of(i)["manager"] for i in range(5)
    ]


def test_close_waits_for_a_key_that_arrived_inside_the_window(
    world: OpeningWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    w = world
    _to_window(w)
    for i in range(4):
        assert w.release(i).status_code == 200
    openings = w.platform.platform.openings
    real = openings._check_key
    entered = threading.Event()

    def slow(*args: Any, **kw: Any) -> Any:  # fault: a big bid still decrypting
        entered.set()
        time.sleep(1.5)
        return real(*args, **kw)

    monkeypatch.setattr(openings, "_check_key", slow)
    key = w.file_key(4)
    w.bidders[4].fresh_token()
    result: dict[str, Any] = {}
    t = threading.Thread(target=lambda: result.update(r=w.release(4, key)))
    t.start()
    assert entered.wait(10)
    w.advance(timedelta(minutes=31))  # the window ends while the key is being checked
    st = w.host.post("close", {})
    t.join(10)
    assert result["r"].status_code == 200
    assert [b["decryption"] for b in st["bidders"]] == ["opened"] * 5


def test_a_late_wrong_key_does_not_undo_an_opened_bid(
    world: OpeningWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    w = world
    _to_window(w)
    openings = w.platform.platform.openings
    real = openings._check_key
    entered = threading.Event()

    def slow(sub: Any, key: bytes, *args: Any) -> Any:  # fault: the wrong key is checked slowly
        if key == bytes(32):
            entered.set()
            time.sleep(1.0)
        return real(sub, key, *args)

    monkeypatch.setattr(openings, "_check_key", slow)
    good = w.file_key(0)
    w.bidders[0].fresh_token()
    result: dict[str, Any] = {}
    t = threading.Thread(target=lambda: result.update(r=w.release(0, bytes(32))))
    t.start()
    assert entered.wait(10)
    assert w.release(0, good).status_code == 200
    t.join(10)
    assert result["r"].status_code == 200  # the bid had opened meanwhile: that stands
    assert w.bidders[0].get()["me"]["decryption"] == "opened"


def test_a_new_revision_gives_the_whole_confirmation_period_again(world: OpeningWorld) -> None:
    w = world
    _to_window(w)
    for i in range(5):
        w.release(i)
    w.host.post("close", {"early": True})
    first = w.host.post("announce", {"confirmation_minutes": 10})["confirmation_until"]
    w.advance(timedelta(minutes=9))
    obj = w.bidders[3].post("objections", {"text": "唱标时第2号工期读错"}, expect=201)
    w.advance(timedelta(minutes=5))  # past the first period's end
    w.host.post(f"objections/{obj['id']}/answer", {"text": "已更正"})
    st = w.host.get()
    assert st["confirmation_until"] > first
    # One bidder's objections during confirmation are capped: each one voids every signature.
    for n in range(4):
        w.bidders[3].post("objections", {"text": f"异议{n}"}, expect=201)
    r = w.bidders[3].request("POST", f"/openings/{w.section}/objections", {"text": "再一项"})
    assert r.status_code == 409


def test_a_stream_opened_before_the_start_ends_for_a_non_participant(world: OpeningWorld) -> None:
    import threading

    w = world
    # Bidder 4 withdraws before the deadline, but was watching the hall already.
    r = w.bidders[4].request("POST", f"/sections/{w.section}/withdraw")
    assert r.status_code == 200
    token = w.bidders[4].fresh_token()
    got: list[str] = []
    ended = threading.Event()

    def read() -> None:
        with httpx.stream(
            "GET",
            w.platform.api + f"/openings/{w.section}/events",
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(30, read=30),
        ) as resp:
            assert resp.status_code == 200
            connected.set()
            for line in resp.iter_lines():
                got.append(line)
        ended.set()

    connected = threading.Event()
    t = threading.Thread(target=read, daemon=True)
    t.start()
    assert connected.wait(10)
    w.past_deadline()
    w.host.post("start", {})
    for i in range(4):
        w.signin(i)
    w.host.post("publish-list")
    w.host.post("window", {"minutes": 30})
    for i in range(4):
        w.release(i)
    w.host.post("close", {"early": True})
    assert ended.wait(15), "the stream of a non-participant must end"
    text = "\n".join(got)
    assert "event: phase" not in text and SECRET_MARK not in text


def test_a_record_pdf_that_cannot_be_made_is_reported_not_pending_for_ever(
    world: OpeningWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import reports.record_pdf

    def broken(*_: Any, **__: Any) -> bytes:  # fault: the renderer fails (a missing font …)
        raise RuntimeError("injected")

    monkeypatch.setattr(reports.record_pdf, "render_record", broken)
    w = world
    _to_window(w)
    for i in range(5):
        w.release(i)
    w.host.post("close", {"early": True})
    w.host.post("announce", {})
    for a in (w.host, w.recorder, w.supervisor, *w.bidders):
        assert w.sign_record(a).status_code == 200
    w.host.post("finish")
    until = time.monotonic() + 30
    while True:
        r = w.bidders[0].request("GET", f"/openings/{w.section}/record.pdf")
        if r.status_code != 404 or time.monotonic() > until:
            break
        time.sleep(0.1)
    assert r.status_code == 503 and _code(r) == "opening.pdf_failed"
    assert "JSON" in r.json()["error"]["zh"]
    # The JSON record is there all the same.
    assert w.bidders[0].get("/record")["closed"] is True
