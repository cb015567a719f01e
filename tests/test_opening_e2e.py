"""A whole remote opening end to end through the client API, as the issue describes it: the sandbox
platform, five bidders — one whose keys live on a USB token (SoftHSM2), one who never releases,
one who releases a wrong key — the host, the recorder and the supervisor, through to a closed
record whose every signature verifies (by our verifier, and by OpenSSL for the platform's)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from clienthelpers import client_for
from openingworld import OpeningWorld, summary_of
from softhsm import SoftToken, sandbox_bidder_token

from client import PlatformClient, wire
from client.opening import OpeningClient
from client.receipts import load_certificates
from client.record import save_record, verify_record
from crypto.token import TokenIdentity
from sealbid.cli import main


@pytest.fixture
def world(tmp_path: Path) -> Iterator[OpeningWorld]:
    w = OpeningWorld.create(tmp_path, bids=0)
    yield w
    w.stop()


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, world: OpeningWorld) -> SoftToken:
    assert world.platform.sandbox is not None
    return sandbox_bidder_token(
        tmp_path, monkeypatch, world.platform.sandbox, label="开标UKey", pin="135790"
    )


def test_a_remote_opening_from_sign_in_to_a_verified_record(
    world: OpeningWorld, token: SoftToken, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = world
    with TokenIdentity.open(module=token.module, token_label=token.label, pin=token.pin) as tok:
        token_client = client_for(w.platform, None, tmp_path / "state-token", identity=tok)
        # Bidder 0 seals and submits with its token; bidders 1-4 with their .p12 files.
        w.submit(0, summary_of(0), identity=tok)
        token_client.login()
        for i in range(1, 5):
            w.submit(i, summary_of(i))
        clients: list[PlatformClient] = [token_client] + [a.client for a in w.bidders[1:]]
        bidders = [OpeningClient(c, w.section) for c in clients]
        host = OpeningClient(w.host.client, w.section)
        recorder = OpeningClient(w.recorder.client, w.section)
        supervisor = OpeningClient(w.supervisor.client, w.section)

        # 解密自检 before the opening: every bidder's current key opens its uploaded bid.
        for b in bidders:
            rehearsal = b.rehearse()
            assert rehearsal.ok, rehearsal

        # The sandbox TSA's certificate is issued on first use: here, before the clock moves,
        # so it is valid both at the moved opening time and for the checks made today.
        import httpx

        httpx.post(
            w.platform.api + "/tsa",
            content=b"-",
            headers={"Content-Type": "application/timestamp-query"},
        )
        w.past_deadline()
        for c in [*clients, w.host.client, w.recorder.client, w.supervisor.client]:
            c.login()  # the platform clock jumped past every session's expiry

        # A bidder in the hall watches the events from the start.
        seen: list[wire.OpeningEvent] = []
        watcher = OpeningClient(
            client_for(w.platform, w.bidders[2].party, tmp_path / "watch"), w.section
        )
        done = threading.Event()

        def watch() -> None:
            for e in watcher.events(stop=done.is_set):
                seen.append(e)

        t = threading.Thread(target=watch, daemon=True)
        t.start()

        assert host.start().phase == "signin"
        for b in bidders:
            assert b.signin().signed_in_at is not None
        assert host.publish_list().bid_count == 5
        assert host.open_window(30).phase == "window"
        for b in bidders[:3]:
            assert b.release().decryption == "opened"  # bidder 0 unwraps on the token
        # Bidder 3 never releases. Bidder 4 sends a wrong key (a broken tool) and is told so.
        r = w.release(4, os.urandom(32))
        assert r.status_code == 422 and r.json()["error"]["code"] == "opening.key_wrong"
        assert bidders[4].state().me.decryption == "failed"  # type: ignore[union-attr]

        w.advance(timedelta(minutes=31))
        for c in [*clients, w.host.client]:
            c.login()
        st = host.close(reason="第4、5号投标人未在时限内成功解密，依第三十一条视为撤销")
        assert [b.decryption for b in st.bidders] == ["opened"] * 3 + ["revoked"] * 2
        objection = bidders[4].object("我方已按时解密，请核实")
        host.answer(objection.id, "平台记录显示第5号提交的密钥与投标文件不符，异议不成立")
        host.announce(confirmation_minutes=30)
        for who in (host, recorder, supervisor, *bidders[:4]):
            assert who.sign_record("confirm").decision == "confirm"
        assert bidders[4].sign_record("decline", "不认可解密结果").decision == "decline"
        assert host.finish().phase == "finished"
        # A watch started after the end ends at the first tick instead of waiting for ever.
        late = OpeningClient(clients[1], w.section)
        assert list(late.events(after=late.state().last_event)) == []
        done.set()
        t.join(20)
        watcher.client.close()

        doc = bidders[0].record()
    record = json.loads(doc.record)
    assert doc.closed and record["valid_bids"] == 3
    assert record["objections"][0]["answer"].startswith("平台记录显示")
    assert [b["summary"] is not None for b in record["bidders"]] == [True] * 3 + [False] * 2

    # Every signature verifies, anchored at the platform certificate the client pinned.
    anchors = load_certificates(w.host.client.platform_info().certificate_pem)
    report = verify_record(doc, anchors=anchors)
    assert report.ok and report.final, report.render("en")
    assert len(doc.signatures) == 8

    # The hall saw every phase, the results at close, the signatures and the end, in order.
    kinds = [e.kind for e in seen]
    seqs = [e.seq for e in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert kinds[-1] == "finished" and "results" in kinds and kinds.count("signature") == 8
    phases = [e.data["phase"] for e in seen if e.kind == "phase"]
    assert phases == [
        "signin",
        "listed",
        "window",
        "closed",
        "announced",
        "confirming",
        "finished",
    ]
    before_results = seen[: kinds.index("results")]
    assert "泄密探针" not in json.dumps([e.data for e in before_results], ensure_ascii=False)

    # The platform publishes the closed record as a PDF it signed (PAdES, timestamped by its
    # own TSA), with the signed JSON record embedded: made in the background after the finish.
    import time

    from reports.verify_pdf import verify_pdf

    until = time.monotonic() + 60
    while True:
        r = w.bidders[1].request("GET", f"/openings/{w.section}/record.pdf")
        if r.status_code == 200 or time.monotonic() > until:
            break
        assert r.json()["error"]["code"] == "opening.pdf_pending"
        time.sleep(0.2)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    sandbox_ca = Path(w.platform.sandbox["ca"]).read_bytes()  # type: ignore[index]
    pdf_report = verify_pdf(r.content, trust=load_certificates(sandbox_ca), at=w.clock())
    assert pdf_report.ok and pdf_report.timestamped, pdf_report.render("en")
    embedded = pdf_report.attachment("record.json")
    assert embedded is not None and wire.SignedRecord.model_validate_json(embedded) == doc

    # The platform's PDF verifies on the command line: its signature and timestamp, the record
    # embedded in it, and that its pages are that record.
    pem_path = tmp_path / "platform-chain.pem"
    pem_path.write_text(w.host.client.platform_info().certificate_pem, encoding="utf-8")
    platform_pdf = tmp_path / "开标记录-平台签章.pdf"
    platform_pdf.write_bytes(r.content)
    capsys.readouterr()
    assert main(["record", "verify", str(platform_pdf), "--platform-cert", str(pem_path)]) == 0
    out = capsys.readouterr().out
    assert "逐字节一致" in out and "the opening record verifies" in out
    # A bidder downloads the platform's signed PDF with the CLI (checked before it is kept).
    from clienthelpers import cli_login

    state = tmp_path / "cli-state"
    got = tmp_path / "下载的开标记录.pdf"
    login = cli_login(w.platform, w.bidders[1].party, state)
    assert main(["opening", "record", *login, "--section", w.section, "-o", str(got)]) == 0
    assert got.read_bytes() == r.content
    capsys.readouterr()

    # The host prints the JSON record and signs the PDF with its own certificate.
    record_json = save_record(tmp_path / "record-for-pdf.json", doc)
    host_pdf = tmp_path / "开标记录-主持人签章.pdf"
    host = w.host.party
    assert (
        main(
            [
                "record",
                "pdf",
                str(record_json),
                "-o",
                str(host_pdf),
                "--platform-cert",
                str(pem_path),
                "--sign",
                str(host.p12),
                "--password-file",
                str(host.password_file),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["record", "verify", str(host_pdf), "--platform-cert", str(pem_path)]) == 0
    # Text shadowed after signing (an incremental update: a white box and a new price drawn
    # over the page) is caught, as the attack corpus of test_pdf_sign shows in detail.
    from test_pdf_sign import shadow_text

    tampered_pdf = tmp_path / "tampered.pdf"
    tampered_pdf.write_bytes(shadow_text(host_pdf.read_bytes()))
    assert main(["record", "verify", str(tampered_pdf), "--platform-cert", str(pem_path)]) == 1
    assert "×" in capsys.readouterr().out
    # Forgeries by a bidder whose certificate chains to the section's CA: an overlay drawn on
    # the genuine rendering and then signed; a second signature (with its own stamp) added to
    # the platform's PDF. Neither is the platform's or a staff signer's: refused.
    from reports.record_pdf import render_record
    from reports.sign import sign_pdf

    forger = w.bidders[1].identity
    attachments = {"record.json": doc.model_dump_json().encode()}
    for name, forged in (
        (
            "overlay-then-sign.pdf",
            sign_pdf(
                shadow_text(render_record(doc)),
                forger,
                reason="开标记录签章",
                location="合肥",
                attachments=attachments,
            ),
        ),
        (
            "second-signature.pdf",
            sign_pdf(
                r.content, forger, reason="开标记录签章", location="合肥", field_name="Bidder"
            ),
        ),
    ):
        path = tmp_path / name
        path.write_bytes(forged)
        assert main(["record", "verify", str(path), "--platform-cert", str(pem_path)]) == 1, name
        out = capsys.readouterr().out
        assert "既不是平台" in out or "恰有一个签章" in out, name

    # The saved record verifies on the command line, and OpenSSL checks the platform's signature.
    path = save_record(tmp_path / "开标记录.json", doc)
    pem = tmp_path / "platform.pem"
    pem.write_text(w.host.client.platform_info().certificate_pem, encoding="utf-8")
    assert main(["record", "verify", str(path), "--platform-cert", str(pem)]) == 0
    out = capsys.readouterr().out
    assert "×" not in out
    (tmp_path / "record.txt").write_bytes(doc.record.encode())
    (tmp_path / "record.p7s").write_bytes(base64.b64decode(doc.platform_signature))
    ossl = subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "record.p7s"),
            "-content",
            str(tmp_path / "record.txt"),
            "-CAfile",
            str(pem),
            "-purpose",
            "any",
            "-out",
            os.devnull,
        ],
        capture_output=True,
        text=True,
    )
    assert ossl.returncode == 0, ossl.stderr
    # A changed byte in the record is caught.
    tampered = doc.model_copy(update={"record": doc.record.replace("合格", "优良", 1)})
    assert not verify_record(tampered, anchors=anchors).ok
