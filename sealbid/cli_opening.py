"""The remote-opening commands of the ``sealbid`` command line (docs/opening.md).

Bidders::

    sealbid opening watch   --platform URL --identity b.p12 --password-file pw --section S [--json] [--after N]
    sealbid opening signin  … --section S               # 签到
    sealbid opening release … --section S               # 解密: unwrap locally, release the key
    sealbid opening object  … --section S --text "…"    # 异议
    sealbid opening confirm … --section S [--decline REASON]   # sign the record (staff too)
    sealbid rehearse        … --section S               # 解密自检, before the opening

The host::

    sealbid opening start        … --section S [--recorder NAME] [--supervisor NAME]
    sealbid opening publish-list … --section S
    sealbid opening open-window  … --section S --minutes 30
    sealbid opening extend       … --section S --minutes 10 --reason "…"
    sealbid opening close        … --section S [--reason R] [--early] [--decide ORG=bidder:REASON …]
    sealbid opening announce     … --section S [--confirmation-minutes 30]
    sealbid opening answer       … --section S --objection ID --text "…"
    sealbid opening finish       … --section S

Anyone with the record::

    sealbid opening record  … --section S -o 开标记录.json     # download and save
    sealbid record verify 开标记录.json [--platform-cert platform.pem] [--receipts]

The options ``--platform``, ``--ca-bundle``, ``--state-dir`` and the identity options are the
ones of ``sealbid sections``. Messages are in Chinese and English; ``record verify`` exits 0
only when every check passes (an unanchored record says so, as ``receipt verify`` does).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cli import _identity_options, _load_certs, _load_identity, _show_time
from .cli_platform import _client, _err, _platform_options, _state_dir
from .errors import UsageError

if TYPE_CHECKING:
    from client import PlatformClient
    from client.opening import OpeningClient
    from client.wire import FailureDecision, OpeningEvent, OpeningState

__all__ = ["add_parsers", "describe_event", "describe_state"]

_PHASE = {
    "waiting": "等待开标 waiting",
    "signin": "签到 sign-in",
    "listed": "名单已公布 list published",
    "window": "解密中 decryption window",
    "closed": "解密结束 closed",
    "announced": "唱标 announced",
    "confirming": "确认开标记录 confirming the record",
    "finished": "开标结束 finished",
}
_DECRYPTION = {
    "pending": "待解密 pending",
    "opened": "已解密 opened",
    "failed": "解密失败 failed",
    "revoked": "撤销 revoked",
    "withdrawn": "撤回 withdrawn",
    "not_opened": "未开标（流标）not opened (failed tender)",
}
_ROLE = {
    "bidder": "投标人 bidder",
    "host": "主持人 host",
    "recorder": "记录人 recorder",
    "supervisor": "监督人 supervisor",
}
_DECISION = {"confirm": "确认 confirm", "decline": "拒绝 decline"}


# --- output ----------------------------------------------------------------------------------


def _t(value: Any) -> str:
    """A time from an event or a state, shown in Beijing time; as it is when it is not one."""
    if isinstance(value, datetime):
        return _show_time(value)
    if isinstance(value, str):
        try:
            return _show_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    return "-"


def describe_event(e: OpeningEvent) -> list[str]:
    """An event as lines a person reads: Chinese with the English key words."""
    d = e.data
    head = f"[{e.seq}] {_t(e.at)}"
    if e.kind == "phase":
        phase = str(d.get("phase"))
        by = f"（{d['by']}）" if d.get("by") else ""
        return [f"{head} 阶段 / phase: {_PHASE.get(phase, phase)}{by}"]
    if e.kind == "signin":
        return [f"{head} 投标人 {d.get('number')} {d.get('name', '')} 已签到 / signed in"]
    if e.kind == "list":
        lines = [f"{head} 投标人名单已公布 / bidder list published: {d.get('bid_count')} 家 bids"]
        for b in d.get("bidders") or []:
            lines.append(
                f"    {b.get('number')}. {b.get('name')} ({b.get('org_code') or '-'})"
                f"  签到 / signed in: {_t(b.get('signed_in_at')) if b.get('signed_in_at') else '-'}"
            )
        return lines
    if e.kind == "window":
        if d.get("extended_minutes"):
            return [
                f"{head} 解密时间延长 {d['extended_minutes']} 分钟 / window extended, 至 until"
                f" {_t(d.get('closes_at'))}，理由 / reason: {d.get('reason')}"
            ]
        return [
            f"{head} 解密开始 / decryption window open: {d.get('minutes')} 分钟 minutes，"
            f"截止 / until {_t(d.get('closes_at'))}"
        ]
    if e.kind == "decryption":
        status = str(d.get("status"))
        line = (
            f"{head} 投标人 {d.get('number')} 解密 / decryption: {_DECRYPTION.get(status, status)}"
        )
        line += f"（第 {d.get('attempts')} 次 / attempt {d.get('attempts')}）"
        err = d.get("error")
        if isinstance(err, dict):
            line += f"\n    原因 / reason: {err.get('zh')} / {err.get('en')}"
        return [line]
    if e.kind == "results":
        lines = [f"{head} 唱标 / results: 有效投标 {d.get('valid_bids')} 家 valid bids"]
        if d.get("reason"):
            lines.append(f"    说明 / reason: {d['reason']}")
        for b in d.get("bidders") or []:
            status = str(b.get("decryption"))
            lines.append(
                f"    {b.get('number')}. {b.get('name')} ({b.get('org_code') or '-'})"
                f"  {_DECRYPTION.get(status, status)}"
            )
            summary = b.get("summary")
            if isinstance(summary, dict):
                for k, v in summary.items():
                    lines.append(f"       {k}: {v}")
            elif b.get("cause"):
                lines.append(f"       原因 / cause: {b['cause']}")
        return lines
    if e.kind == "objection":
        return [f"{head} 异议 {d.get('id')} / objection by {d.get('raised_by')}: {d.get('text')}"]
    if e.kind == "answer":
        return [
            f"{head} 异议 {d.get('id')} 已答复 / answered by {d.get('answered_by')}:"
            f" {d.get('answer')}"
        ]
    if e.kind == "record":
        return [
            f"{head} 开标记录第 {d.get('revision')} 版 / record revision {d.get('revision')}:"
            f" SHA-256 {d.get('record_sha256')}"
        ]
    if e.kind == "signature":
        role = str(d.get("role"))
        decision = str(d.get("decision"))
        line = (
            f"{head} {_ROLE.get(role, role)} {d.get('name')} 签署开标记录 / signed the record:"
            f" {_DECISION.get(decision, decision)}"
        )
        if d.get("reason"):
            line += f"，理由 / reason: {d['reason']}"
        return [line]
    if e.kind == "finished":
        return [f"{head} 开标结束，开标记录已封存 / the opening finished; the record is closed"]
    data = json.dumps(d, ensure_ascii=False, sort_keys=True)
    return [f"{head} {e.kind}: {data}"]


def describe_state(s: OpeningState) -> list[str]:
    """The opening's state as lines a person reads."""
    lines = [
        f"标段 / section {s.section_id}: {_PHASE.get(s.phase, s.phase)}"
        + ("（流标 / failed tender）" if s.outcome == "failed" else ""),
        f"  开标时间 / opening: {_t(s.opening_time)}   平台时间 / platform time:"
        f" {_t(s.server_time)}",
    ]
    if s.host:
        lines.append(
            f"  主持人 / host: {s.host}   记录人 / recorder: {s.recorder or '-'}"
            f"   监督人 / supervisor: {s.supervisor or '-'}"
        )
    if s.window_closes_at:
        lines.append(f"  解密截止 / window closes: {_t(s.window_closes_at)}")
    if s.bid_count is not None:
        lines.append(f"  投标 / bids: {s.bid_count}")
    if s.signed_in is not None:
        lines.append(f"  已签到 / signed in: {s.signed_in}")
    for b in s.bidders:
        extra = f"  {b.cause}" if b.cause else ""
        lines.append(
            f"  {b.number}. {b.name} ({b.org_code or '-'})  "
            f"{_DECRYPTION.get(b.decryption, b.decryption)}{extra}"
        )
    if s.me is not None:
        lines.append(
            f"  本人 / me: 编号 number {s.me.number or '-'}, 签到 signed in"
            f" {_t(s.me.signed_in_at) if s.me.signed_in_at else '-'},"
            f" {_DECRYPTION.get(s.me.decryption, s.me.decryption)}"
        )
    for o in s.objections:
        answer = o.answer or "未答复 / not answered"
        lines.append(f"  异议 / objection {o.id} ({o.raised_by}): {o.text} → {answer}")
    if s.record_sha256:
        lines.append(f"  开标记录 / record SHA-256: {s.record_sha256}")
    if s.confirmation_until:
        lines.append(f"  确认截止 / confirm by: {_t(s.confirmation_until)}")
    return lines


# --- commands --------------------------------------------------------------------------------


def _opening(client: PlatformClient, args: argparse.Namespace) -> OpeningClient:
    from client.opening import OpeningClient

    return OpeningClient(client, args.section)


def _print_state(state: OpeningState) -> None:
    for line in describe_state(state):
        _err(line)
    print(state.phase)


def cmd_state(args: argparse.Namespace) -> int:
    with _load_identity(args) as identity, _client(args, identity) as client:
        state = _opening(client, args).state()
    if args.json:
        print(json.dumps(state.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    for line in describe_state(state):
        print(line)
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    after = args.after
    if after < 0:
        raise UsageError(what="--after 应不小于 0 / --after must be ≥ 0")
    countdown = sys.stderr.isatty() and not args.json

    def tick(data: dict[str, Any]) -> None:
        if countdown and data.get("window_closes_at") and data.get("server_time"):
            try:
                left = datetime.fromisoformat(data["window_closes_at"]) - datetime.fromisoformat(
                    data["server_time"]
                )
            except ValueError:
                return
            secs = max(0, int(left.total_seconds()))
            print(
                f"\r解密剩余 / window left {secs // 60:02d}:{secs % 60:02d} ",
                end="",
                file=sys.stderr,
            )

    try:
        with _load_identity(args) as identity, _client(args, identity) as client:
            for event in _opening(client, args).events(after, on_tick=tick):
                if args.json:
                    print(event.model_dump_json(), flush=True)
                else:
                    if countdown:
                        print("\r", end="", file=sys.stderr)
                    for line in describe_event(event):
                        print(line, flush=True)
    except KeyboardInterrupt:
        # Watching is not an operation that can fail half-way: stopping it is no error.
        _err("已停止观看 / stopped watching")
    return 0


def cmd_signin(args: argparse.Namespace) -> int:
    with _load_identity(args) as identity, _client(args, identity) as client:
        me = _opening(client, args).signin()
    when = _t(me.signed_in_at) if me.signed_in_at else "-"
    _err(f"已签到 / signed in: {when}" + (f"，编号 / number {me.number}" if me.number else ""))
    print(when)
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    with _load_identity(args) as identity, _client(args, identity) as client:
        me = _opening(client, args).release()
    _err(
        f"已解密：平台已用释放的密钥打开投标文件 / decrypted: the platform opened the bid"
        f" (第 {me.attempts} 次 / attempt {me.attempts})"
    )
    _err("  开标一览表在解密结束后统一公布 / the summaries are published together at the close")
    print(me.decryption)
    return 0


def cmd_rehearse(args: argparse.Namespace) -> int:
    with _load_identity(args) as identity, _client(args, identity) as client:
        r = _opening(client, args).rehearse()
    print(f"解密自检 / rehearsal: 标段 / section {r.section_id}")
    print(f"  平台保存的文件 / stored file SHA-256: {r.file_sha256}")
    print(f"  投标文件的收件人证书 / sealed for: {'; '.join(r.sealed_for) or '-'}")
    print(f"  当前加密证书 / current certificate: {r.current_certificate}")
    print(f"  开标时间 / opening: {_t(r.opening_time)}")
    print(f"  加密证书到期 / certificate expires: {_t(r.encryption_not_after)}")
    if r.receipt_matches:
        print("  √ 与最新回执一致 / matches the latest receipt")
    for n in r.problems:
        print(f"  × {n.zh}\n    {n.en}")
    for n in r.warnings:
        print(f"  ! {n.zh}\n    {n.en}")
    if r.ok:
        print(
            "解密自检通过：当前密钥能打开平台保存的投标文件 / rehearsal passed: this key opens the stored bid"
        )
        return 0
    print("解密自检未通过 / rehearsal FAILED")
    return 1


def cmd_object(args: argparse.Namespace) -> int:
    with _load_identity(args) as identity, _client(args, identity) as client:
        o = _opening(client, args).object(args.text)
    _err(f"异议已提出 / objection raised: {o.id}  {_t(o.raised_at)}")
    print(o.id)
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    with _load_identity(args) as identity, _client(args, identity) as client:
        o = _opening(client, args)
        row = o.own_row(o.record())
        if row is not None:
            # What the bidder signs for: its own row, as the record states it.
            d = row.get("decryption") or {}
            _err(f"本投标人在记录中 / your row: 第 {row.get('number')} 号 {row.get('name')}")
            _err(f"  解密 / decryption: {d.get('status')}  {d.get('cause') or ''}")
            for key, text in (row.get("summary_text") or {}).items():
                _err(f"  {key}: {text}")
        sig = o.sign_record("decline" if args.decline is not None else "confirm", args.decline)
    what = _DECISION[sig.decision]
    _err(
        f"已签署开标记录 / signed the record: {what}（{_ROLE.get(sig.role, sig.role)}"
        f" {sig.name}，{sig.signed_at}）"
    )
    print(sig.decision)
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    from client.receipts import load_certificates
    from client.record import record_digest_ok, save_record

    if Path(args.output).suffix.lower() == ".pdf":
        return _download_record_pdf(args)
    with _load_identity(args) as identity, _client(args, identity) as client:
        doc = _opening(client, args).record()
        # Kept only if it is the platform's: digest, canonical text, the platform's signature.
        record_digest_ok(doc, anchors=load_certificates(client.platform_info().certificate_pem))
    path = save_record(Path(args.output), doc)
    _err(
        f"开标记录已保存 / record saved: SHA-256 {doc.record_sha256},"
        f" {len(doc.signatures)} 个签名 signatures"
        + ("，已封存 / closed" if doc.closed else "，尚未封存 / not closed yet")
    )
    print(path)
    return 0


def _download_record_pdf(args: argparse.Namespace) -> int:
    """``opening record -o FILE.pdf``: the closed record as the PDF the platform signed (made
    in the background after the finish: waits for it up to two minutes), checked before it is
    kept: its signature by the platform's published certificate, and the embedded record."""
    from client.record import fetch_record_pdf
    from crypto._files import atomic_write

    with _load_identity(args) as identity, _client(args, identity) as client:
        fetched = fetch_record_pdf(client, args.section)
    pdf = fetched.pdf
    if not fetched.ok:
        print(fetched.report.render())
        _err(
            "平台的开标记录 PDF 未通过验证（或不是本标段的），未保存 / the platform's record PDF"
            " does not verify (or is not this section's); not saved"
        )
        return 1
    out = Path(args.output)
    atomic_write(out, pdf)
    _err(f"已签章的开标记录 PDF 已保存 / the signed record PDF saved: {out} ({len(pdf):,} bytes)")
    print(out)
    return 0


def _parse_decision(text: str) -> FailureDecision:
    from pydantic import ValidationError

    from client.wire import FailureDecision

    org, sep, rest = text.partition("=")
    fault, sep2, reason = rest.partition(":")
    if not sep or not sep2 or fault not in ("bidder", "platform") or not reason.strip():
        raise UsageError(
            what=f"--decide {text!r}: 应为 ORG=bidder:理由 或 ORG=platform:理由 / must be"
            " ORG=bidder:REASON or ORG=platform:REASON"
        )
    try:
        return FailureDecision(org_code=org.strip(), fault=fault, reason=reason.strip())  # type: ignore[arg-type]
    except ValidationError as exc:
        raise UsageError(what=f"--decide {text!r}") from exc


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError("应为正整数 / must be a positive integer")
    return value


def cmd_host(args: argparse.Namespace) -> int:
    action = args.opening_command
    decisions = [_parse_decision(d) for d in (getattr(args, "decide", None) or [])]
    with _load_identity(args) as identity, _client(args, identity) as client:
        o = _opening(client, args)
        if action == "start":
            state = o.start(recorder=args.recorder, supervisor=args.supervisor)
        elif action == "publish-list":
            state = o.publish_list()
        elif action == "open-window":
            state = o.open_window(args.minutes)
        elif action == "extend":
            state = o.extend(args.minutes, args.reason)
        elif action == "close":
            state = o.close(reason=args.reason, decisions=decisions, early=args.early)
        elif action == "announce":
            state = o.announce(confirmation_minutes=args.confirmation_minutes)
        elif action == "finish":
            state = o.finish()
        else:  # pragma: no cover - argparse only routes the actions above here
            raise UsageError(what=action)
    _print_state(state)
    return 0


def cmd_answer(args: argparse.Namespace) -> int:
    with _load_identity(args) as identity, _client(args, identity) as client:
        o = _opening(client, args).answer(args.objection, args.text)
    _err(f"异议 {o.id} 已答复 / objection {o.id} answered: {o.answer}")
    print(o.id)
    return 0


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(what=f"{path}: {exc.strerror}") from exc


def _pdf_content_check(pdf: bytes, doc: Any) -> tuple[bool, str]:
    """Whether the PDF's pages are what the embedded record says: the file as first written
    (revision 0) is byte for byte our rendering of that record, and the one signed update
    after it adds a signature and attachments but changes no page. A PDF rendered by another
    SealBid version (other fonts or library) cannot be confirmed this way and is not passed:
    render it again from the JSON record with `sealbid record pdf`."""
    from reports.record_pdf import render_record
    from reports.verify_pdf import pages_unchanged, revision_layout

    rendering = render_record(doc)
    if not pdf.startswith(rendering):
        return False, (
            "页面不是所嵌开标记录的排版（或由其他版本生成），无法确认 / the pages are not the"
            " rendering of the embedded record (or another version made them): not confirmed"
        )
    try:
        revisions, signed = revision_layout(pdf)
        ok = revisions == 2 and signed == [1] and pages_unchanged(pdf, 0, 1)
    except Exception as exc:  # hostile input: unreadable structure is a failed check
        return False, f"PDF 结构无法分析 / the PDF's structure cannot be analysed: {exc}"
    if not ok:
        return False, (
            "签章之外还有改动（页面内容、批注或多次修订）/ besides the signature the PDF was"
            f" changed (page content, annotations or more revisions): {revisions} revisions,"
            f" signatures on {signed}"
        )
    return True, (
        "页面与所嵌开标记录的排版逐字节一致，签章未改动页面 / the pages are byte for byte the"
        " rendering of the embedded record, and the signature changed no page"
    )


def _pdf_signer_check(pdf_report: Any, doc: Any, platform_certs: list[Any]) -> tuple[bool, str]:
    """The one signature of a record PDF must be the platform's (its published certificate)
    or a staff member's who signed the record in the same role (same certificate): a
    certificate that merely chains to a login CA does not make a signer of the record."""
    from cryptography.hazmat.primitives import hashes

    from client.receipts import load_certificates

    sigs = pdf_report.signatures
    if len(sigs) != 1 or sigs[0].signer_cert is None:
        return False, (
            f"记录 PDF 应恰有一个签章，实有 {len(sigs)} 个 / one signature expected, found"
            f" {len(sigs)}"
        )
    fp = sigs[0].signer_cert.fingerprint(hashes.SHA256())
    if any(c.fingerprint(hashes.SHA256()) == fp for c in platform_certs):
        return True, f"签章人为交易平台 / signed by the platform: {sigs[0].signer}"
    for s in doc.signatures:
        if s.role in ("host", "recorder", "supervisor"):
            cert = load_certificates(s.certificate)[0]
            if cert.fingerprint(hashes.SHA256()) == fp:
                return (
                    True,
                    f"签章人为记录中的 {s.role} / signed by the record's {s.role}: {s.name}",
                )
    return False, (
        f"签章人 {sigs[0].signer} 既不是平台，也不是签署了记录的主持人、记录人或监督人 / the"
        " signer is neither the platform nor a host, recorder or supervisor who signed the record"
    )


def _verify_record_pdf(args: argparse.Namespace, pdf: bytes) -> int:
    """``record verify file.pdf``: the PDF's signature (PAdES, timestamp, coverage), the
    record embedded in it (as for a JSON record), that the signer is the platform or one of
    the record's staff signers, and that the pages show that record and nothing else."""
    from client import wire as _wire
    from client.receipts import ReceiptStore, load_certificates
    from reports.verify_pdf import embedded_files, verify_pdf

    anchors = _load_certs(args.platform_cert) if args.platform_cert else None
    embedded = embedded_files(pdf).get("record.json")
    if embedded is None:
        _err(
            "PDF 中没有（唯一的）开标记录 record.json / no (single) record.json embedded in the PDF"
        )
        return 1
    try:
        doc = _wire.SignedRecord.model_validate_json(embedded)
        body = json.loads(doc.record)
    except ValueError as exc:
        _err(f"嵌入的开标记录无法读取 / the embedded record does not parse: {exc}")
        return 1
    platform_id = (body.get("platform") or {}).get("id")
    pinned = (
        ReceiptStore(_state_dir(args) / "receipts").pinned(platform_id)
        if isinstance(platform_id, str)
        else None
    )
    # Chains: the platform's (pinned, or --platform-cert) and the section's CAs (for a staff
    # signer). Who may sign is decided by _pdf_signer_check, not by the chain alone.
    platform_trust = [*(anchors or pinned or [])]
    trust = platform_trust + (
        load_certificates(str(body.get("trusted_ca_pem") or "")) if platform_trust else []
    )
    pdf_report = verify_pdf(pdf, trust=trust)
    print(pdf_report.render())
    covered = pdf_report.attachments["record.json"].covered
    signer_ok, signer_detail = _pdf_signer_check(pdf_report, doc, platform_trust)
    print(("√ " if signer_ok else "× ") + signer_detail)
    content_ok, detail = _pdf_content_check(pdf, doc)
    print(("√ " if content_ok else "× ") + detail)
    code = _verify_record_doc(args, doc)
    wrong = [c for c in pdf_report.failed() if trust or not c.key.startswith("trust:")]
    if wrong or not covered or not content_ok or (trust and not signer_ok):
        return 1
    if not trust:
        return code if code else (0 if args.allow_unanchored else 2)
    return code


def cmd_record_verify(args: argparse.Namespace) -> int:
    from client.record import load_record

    path = Path(args.record)
    data = _read_file(path)
    if data.startswith(b"%PDF-"):
        return _verify_record_pdf(args, data)
    return _verify_record_doc(args, load_record(path))


def cmd_record_pdf(args: argparse.Namespace) -> int:
    from client.record import load_record, record_digest_ok
    from crypto._files import atomic_write
    from reports.fonts import collect_missing
    from reports.record_pdf import render_record

    doc = load_record(Path(args.record))
    # Only the platform's record is printed: its digest, canonical text and signature.
    anchors = _load_certs(args.platform_cert) if args.platform_cert else None
    record_digest_ok(doc, anchors=anchors)
    with collect_missing() as missing:
        pdf = render_record(doc)
    if missing:
        chars = " ".join(f"{c} (U+{ord(c):04X})" for c in sorted(missing))
        _err(
            f"警告：字体中没有这些字，PDF 中以 □U+… 标出 / warning: no font has these characters;"
            f" the PDF shows them as □U+…: {chars}"
        )
    if args.identity or args.token_module:
        from reports.sign import sign_pdf

        with _load_identity(args) as identity:
            pdf = sign_pdf(
                pdf,
                identity,
                reason="开标记录签章 / signing the opening record",
                location=args.location,
                attachments={"record.json": doc.model_dump_json().encode()},
                timestamp_url=args.timestamp_url,
            )
    out = Path(args.output)
    atomic_write(out, pdf)
    _err(f"开标记录 PDF 已保存 / record PDF written: {out} ({len(pdf):,} bytes)")
    print(out)
    return 0


def _verify_record_doc(args: argparse.Namespace, doc: Any) -> int:
    from client import PlatformError
    from client.receipts import ReceiptStore, verify_receipt
    from client.record import verify_record

    anchors = _load_certs(args.platform_cert) if args.platform_cert else None
    platform_id = None
    try:
        body = json.loads(doc.record)
        platform_id = (body.get("platform") or {}).get("id")
    except (ValueError, AttributeError):
        body = None
    store = ReceiptStore(_state_dir(args) / "receipts")
    pinned = store.pinned(platform_id) if isinstance(platform_id, str) else None
    receipts = []
    if args.receipts and isinstance(platform_id, str):
        for path in store.list():
            try:
                signed = store.load(path)
                receipts.append(verify_receipt(signed, pinned=pinned, platform_id=platform_id))
            except (PlatformError, UsageError) as exc:  # one bad file must not hide the rest
                _err(f"{path}\n  {exc.diagnostics('zh_CN')}\n  {exc.diagnostics('en_US')}")
        if not receipts:
            _err("本地没有本平台的回执 / no receipts of this platform kept locally")
    if pinned is None and anchors is None and isinstance(platform_id, str):
        others = [p for p in store.platforms() if p != platform_id]
        if others:
            _err(
                f"本地保存的平台证书属于 {', '.join(others)}，而记录自称来自 {platform_id} /"
                f" the saved platform certificates are for {', '.join(others)}; the record says"
                f" {platform_id}"
            )
    report = verify_record(doc, anchors=anchors, pinned=pinned, receipts=receipts)
    print(report.render())
    if not report.ok:
        return 1
    if not report.anchored and not args.allow_unanchored:
        return 2
    if not report.final and not args.allow_unfinished:
        return 3
    return 0


# --- parser ----------------------------------------------------------------------------------


def _options(p: argparse.ArgumentParser) -> None:
    _platform_options(p)
    _identity_options(p)
    p.add_argument("--section", required=True, help="标段编号 / section id")


def add_parsers(sub: Any) -> None:
    """Add ``opening …``, ``rehearse`` and ``record verify`` to the ``sealbid`` sub-command
    parsers (``sub`` from ``add_subparsers``)."""
    opening = sub.add_parser("opening", help="不见面开标 / the remote opening")
    osub = opening.add_subparsers(dest="opening_command", required=True)

    p = osub.add_parser("state", help="开标状态 / the opening's state")
    _options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_state)

    p = osub.add_parser("watch", help="实时观看开标 / follow the opening live")
    _options(p)
    p.add_argument("--json", action="store_true", help="原始事件 / raw events, one JSON a line")
    p.add_argument(
        "--after", type=int, default=0, metavar="N", help="从第 N 个事件之后 / events after N"
    )
    p.set_defaults(func=cmd_watch)

    p = osub.add_parser("signin", help="签到 / sign in")
    _options(p)
    p.set_defaults(func=cmd_signin)

    p = osub.add_parser("release", help="解密：释放文件密钥 / decrypt: release the file key")
    _options(p)
    p.set_defaults(func=cmd_release)

    p = osub.add_parser("object", help="提出异议 / raise an objection")
    _options(p)
    p.add_argument("--text", required=True, help="异议内容 / the objection")
    p.set_defaults(func=cmd_object)

    p = osub.add_parser("confirm", help="签署开标记录 / sign the opening record")
    _options(p)
    p.add_argument(
        "--decline", metavar="REASON", help="拒绝确认并说明理由 / decline, with the reason"
    )
    p.set_defaults(func=cmd_confirm)

    p = osub.add_parser("record", help="下载并保存开标记录 / download and save the record")
    _options(p)
    p.add_argument("-o", "--output", required=True, help="保存到 / save to (JSON)")
    p.set_defaults(func=cmd_record)

    p = osub.add_parser("start", help="主持人：开始开标 / host: start the opening")
    _options(p)
    p.add_argument("--recorder", help="记录人（姓名或证书主题）/ recorder (name or subject DN)")
    p.add_argument("--supervisor", help="监督人（姓名或证书主题）/ supervisor (name or subject)")
    p.set_defaults(func=cmd_host)

    p = osub.add_parser("publish-list", help="主持人：公布投标人名单 / host: publish the list")
    _options(p)
    p.set_defaults(func=cmd_host)

    p = osub.add_parser("open-window", help="主持人：开始解密 / host: open the decryption window")
    _options(p)
    p.add_argument("--minutes", type=_positive, required=True, help="解密时限 / minutes")
    p.set_defaults(func=cmd_host)

    p = osub.add_parser("extend", help="主持人：延长解密时间 / host: extend the window")
    _options(p)
    p.add_argument("--minutes", type=_positive, required=True)
    p.add_argument("--reason", required=True, help="延长理由 / reason (on the record)")
    p.set_defaults(func=cmd_host)

    p = osub.add_parser("close", help="主持人：结束解密并唱标 / host: close the window")
    _options(p)
    p.add_argument("--reason", help="解密失败的处理理由 / reason for the failure decisions")
    p.add_argument(
        "--early", action="store_true", help="全部解密后提前结束 / close early (all opened)"
    )
    p.add_argument(
        "--decide",
        action="append",
        metavar="ORG=bidder|platform:REASON",
        help="逐家认定解密失败原因 / decide a failure's cause per bidder (repeat)",
    )
    p.set_defaults(func=cmd_host)

    p = osub.add_parser("announce", help="主持人：唱标完成，生成开标记录 / host: announce")
    _options(p)
    p.add_argument(
        "--confirmation-minutes",
        type=_positive,
        default=30,
        help="确认期（分钟）/ confirmation period in minutes",
    )
    p.set_defaults(func=cmd_host)

    p = osub.add_parser("answer", help="主持人：答复异议 / host: answer an objection")
    _options(p)
    p.add_argument("--objection", type=_positive, required=True, metavar="ID")
    p.add_argument("--text", required=True, help="答复 / the answer")
    p.set_defaults(func=cmd_answer)

    p = osub.add_parser("finish", help="主持人：结束开标 / host: finish the opening")
    _options(p)
    p.set_defaults(func=cmd_host)

    p = sub.add_parser("rehearse", help="解密自检 / rehearse the decryption before the opening")
    _options(p)
    p.set_defaults(func=cmd_rehearse)

    p = sub.add_parser("record", help="开标记录 / opening records")
    rsub = p.add_subparsers(dest="record_command", required=True)
    p = rsub.add_parser("verify", help="离线验证开标记录 / verify an opening record offline")
    p.add_argument(
        "record", help="开标记录文件 (JSON 或签章的 PDF) / record file (JSON or signed PDF)"
    )
    p.add_argument(
        "--platform-cert",
        action="append",
        help="平台公布的签名证书及其 CA / the platform's published certificate and its CA",
    )
    p.add_argument(
        "--receipts",
        action="store_true",
        help="与本地保存的本人回执核对 / also compare with my receipts kept locally",
    )
    p.add_argument(
        "--allow-unanchored",
        action="store_true",
        help="未能与平台证书核对时也以 0 退出 / exit 0 even when the platform certificate could"
        " not be checked (otherwise exit 2)",
    )
    p.add_argument(
        "--allow-unfinished",
        action="store_true",
        help="记录尚未结束时也以 0 退出 / exit 0 for a record still being signed (otherwise"
        " exit 3)",
    )
    p.add_argument(
        "--state-dir",
        help="本地保存的平台证书与回执 / where the saved platform certificate and receipts are",
    )
    p.set_defaults(func=cmd_record_verify)

    p = rsub.add_parser(
        "pdf",
        help="开标记录打印为 PDF（可签章）/ print an opening record as PDF (optionally signed)",
    )
    p.add_argument("record", help="开标记录文件 (JSON) / record file")
    p.add_argument("-o", "--output", required=True, help="PDF 文件 / the PDF to write")
    p.add_argument(
        "--platform-cert",
        action="append",
        help="平台公布的签名证书及其 CA / the platform's published certificate and its CA",
    )
    p.add_argument("--location", default="", help="签章地点 / where it is signed")
    p.add_argument("--timestamp-url", help="RFC 3161 时间戳服务 / timestamp authority URL")
    _identity_options(p)
    p.add_argument(
        "--sign",
        dest="identity",
        metavar="ID",
        help="用此证书签章（同 --identity）/ sign with this identity (same as --identity)",
    )
    p.set_defaults(func=cmd_record_pdf)
