"""The platform commands of the ``sealbid`` command line.

    sealbid sections --platform URL --identity b.p12 --password-file pw
    sealbid submit   --platform URL --identity b.p12 --password-file pw --section S-001 bid.sealbid
    sealbid receipts [--platform URL --identity …]          # local store; with --platform: fetch
    sealbid withdraw --platform URL --identity b.p12 --password-file pw --section S-001
    sealbid receipt verify RECEIPT.json [--platform-cert ca.pem] [--file bid.sealbid]
    sealbid seal --platform URL --section S-001 …           # form, tender version, opening time

Login is implicit (certificate challenge-response); the identity options are the ones of
``sealbid seal`` (a .p12 file or a PKCS#11 token). ``--platform`` defaults to
``$SEALBID_PLATFORM``. Plain ``http://`` is accepted only for loopback (the sandbox).
``submit`` and ``withdraw`` print the path of the receipt they saved on stdout, and nothing
else, so scripts can take it; what people read goes to stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cli import _identity_options, _load_certs, _load_identity, _show_time
from .errors import UsageError

if TYPE_CHECKING:
    from client import PlatformClient, RetryPolicy, VerifiedReceipt
    from client.wire import Section, SummaryForm
    from crypto.identity import Identity

__all__ = [
    "add_parsers",
    "check_summary",
    "fetch_seal_context",
    "platform_seal_context",
    "seal_options",
]

_ENV_PLATFORM = "SEALBID_PLATFORM"
RETRY: RetryPolicy | None = None
"""The retry policy of the commands (None: the client's default); tests shorten it."""


# --- options ---------------------------------------------------------------------------------


def _platform_options(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    # ``receipts`` lists the local store unless --platform is given: no default from $ENV.
    env = os.environ.get(_ENV_PLATFORM) if required else None
    p.add_argument(
        "--platform",
        default=env,
        required=required and not env,
        help=f"交易平台地址 / platform URL (default ${_ENV_PLATFORM})",
    )
    p.add_argument(
        "--ca-bundle", help="平台 TLS 证书的 CA（PEM）/ CAs for the platform's TLS certificate"
    )
    p.add_argument(
        "--state-dir",
        help="上传状态与回执目录 / folder for upload state and receipts (default per user)",
    )


def seal_options(p: argparse.ArgumentParser) -> None:
    """``sealbid seal --platform URL [--ca-bundle F]``: read the section from the platform."""
    p.add_argument(
        "--platform",
        help="从交易平台读取开标一览表、招标文件版本与开标时间 / take the form, tender version"
        " and opening time from this platform",
    )
    p.add_argument(
        "--ca-bundle", help="平台 TLS 证书的 CA（PEM）/ CAs for the platform's TLS certificate"
    )


def _client(args: argparse.Namespace, identity: Identity | None) -> PlatformClient:
    from client import PlatformClient

    if not args.platform:
        raise UsageError(what=f"需要 --platform 或 ${_ENV_PLATFORM} / --platform is required")
    state_dir = getattr(args, "state_dir", None)
    return PlatformClient(
        base_url=args.platform,
        identity=identity,
        ca_bundle=args.ca_bundle,
        state_dir=Path(state_dir) if state_dir else None,
        retry=RETRY,
    )


def _state_dir(args: argparse.Namespace) -> Path:
    from client import default_state_dir

    return Path(args.state_dir) if getattr(args, "state_dir", None) else default_state_dir()


def _err(text: str) -> None:
    print(text, file=sys.stderr)


# --- seal --platform -------------------------------------------------------------------------


def fetch_seal_context(
    client: PlatformClient, section_id: str
) -> tuple[str | None, datetime, SummaryForm]:
    """What sealing for ``section_id`` needs from the platform: the newest tender version, the
    opening time (the encryption certificate must outlive it) and the bid-summary form."""
    section: Section = client.section(section_id)
    return section.tender_version, section.opening_time, section.form


def check_summary(form: SummaryForm, summary: Any) -> None:
    """:func:`client.forms.check_summary` (imported late: ``client`` costs 0.3 s to import)."""
    from client.forms import check_summary as check

    check(form, summary)


def platform_seal_context(
    args: argparse.Namespace, identity: Identity, summary: Any, opening: datetime | None
) -> tuple[str | None, datetime]:
    """For ``sealbid seal --platform``: log in, read the section, check ``summary`` against
    its form and return ``(tender_version, opening_time)`` to seal with. A ``--tender-version``
    or ``--opening-time`` given as well must agree with the platform."""
    with _client(args, identity) as client:
        tender_version, platform_opening, form = fetch_seal_context(client, args.section)
    if args.tender_version and args.tender_version != tender_version:
        raise UsageError(
            what=f"--tender-version 与平台最新版本 {tender_version} 不符 / differs from the"
            " platform's newest tender version"
        )
    if opening is not None and opening != platform_opening:
        raise UsageError(
            what=f"--opening-time 与平台开标时间 {_show_time(platform_opening)} 不符 / differs"
            " from the platform's opening time"
        )
    check_summary(form, summary)
    return tender_version, platform_opening


# --- commands --------------------------------------------------------------------------------


def _progress(label: str) -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = 100 if total == 0 else done * 100 // total
        if pct != last[0]:
            last[0] = pct
            end = "\n" if done >= total else ""
            print(f"\r{label} {pct:3d}%  {done:,}/{total:,}", end=end, file=sys.stderr)

    return show


def _describe(r: VerifiedReceipt) -> list[str]:
    rec = r.receipt
    kind = {"submit": "提交 submit", "withdraw": "撤回 withdraw"}[rec.kind]
    lines = [
        f"  回执 / receipt: {kind}, 标段 / section {rec.section_id}, 序号 / sequence {rec.sequence}",
        f"  投标人 / bidder: {rec.bidder.name} ({rec.bidder.org_code or '-'})",
        f"  平台收到时间 / received: {_show_time(r.received_at)}",
    ]
    if rec.file_sha256:
        lines.append(f"  文件 / file: {rec.file_size:,} bytes, SHA-256 {rec.file_sha256}")
    return lines


def cmd_sections(args: argparse.Namespace) -> int:
    with _load_identity(args) as identity, _client(args, identity) as client:
        sections = client.sections(project=args.project)
        if args.json:
            out = [s.model_dump(mode="json") for s in sections]
            print(json.dumps(out, ensure_ascii=False, indent=2))
            return 0
        offset = client.clock_offset()
    for s in sections:
        state = "可投标 / open" if s.open_for_bids else "已截止 / closed"
        print(f"{s.id}  {s.code}  {s.name}  [{state}]")
        print(f"  投标截止 / deadline: {_show_time(s.deadline)}")
        print(f"  开标时间 / opening:  {_show_time(s.opening_time)}")
        print(f"  招标文件版本 / tender version: {s.tender_version or '-'}")
        for d in s.documents:
            print(f"  文件 / document: {d.id} {d.name} ({d.size:,} bytes, {d.kind} v{d.version})")
    print(f"平台时钟偏差 / platform clock offset: {offset.total_seconds():+.1f} s")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """环境检测: the platform, the clock, the certificate, the disk (client.envcheck)."""
    import contextlib

    from client.envcheck import check_environment

    with contextlib.ExitStack() as stack:
        identity = None
        if args.identity or args.token_module:
            identity = stack.enter_context(_load_identity(args))
        client = stack.enter_context(_client(args, identity)) if args.platform else None
        report = check_environment(
            client=client, identity=identity, state_dir=_state_dir(args), work_dir=Path.cwd()
        )
    if args.json:
        print(report.to_json())
    else:
        print(report.render())
    if args.output:
        from crypto._files import atomic_write

        atomic_write(Path(args.output), report.to_json().encode("utf-8"))
        _err(f"检测报告已保存 / report saved: {args.output}")
    return 0 if report.ok else 1


def cmd_submit(args: argparse.Namespace) -> int:
    bid = Path(args.bid)
    if not bid.is_file():
        raise UsageError(what=f"{bid}: 文件不存在 / no such file")
    with _load_identity(args) as identity, _client(args, identity) as client:
        receipt = client.submit(args.section, bid, progress=_progress("上传 / upload"))
    _err("已提交，平台回执验证通过 / submitted; the platform's receipt verified")
    for line in _describe(receipt):
        _err(line)
    print(receipt.path)
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    with _load_identity(args) as identity, _client(args, identity) as client:
        receipt = client.withdraw(args.section)
    _err("已撤回，平台回执验证通过 / withdrawn; the platform's receipt verified")
    for line in _describe(receipt):
        _err(line)
    print(receipt.path)
    return 0


_UNANCHORED = (
    "  未锚定：仅凭回执自带的证书链验证，签名者未与平台证书核对，不能作为完整验证"
    " / UNANCHORED: checked only against the chain the receipt carries; the signer is not"
    " pinned to the platform's certificate, so this is not a full verification"
)


def _trust_line(r: VerifiedReceipt) -> str:
    return {
        "platform-cert": "  信任锚 / anchored at: --platform-cert（签名者已锁定 / signer pinned）",
        "platform-info": "  信任锚 / anchored at: 平台公布的证书 / the platform's published"
        " certificate (签名者已锁定 / signer pinned)",
        "stored": "  信任锚 / anchored at: 本地保存的平台证书 / the platform certificate saved"
        " locally (签名者已锁定 / signer pinned)",
        "embedded": _UNANCHORED,
    }[r.trust]


def cmd_receipts(args: argparse.Namespace) -> int:
    from client import PlatformError, ReceiptStore, verify_receipt

    bad = 0
    if args.platform:
        with _load_identity(args) as identity, _client(args, identity) as client:
            receipts = client.receipts()
    else:
        store = ReceiptStore(_state_dir(args) / "receipts")
        receipts = []
        for path in store.list():
            try:
                signed = store.load(path)
                # The receipt's platform must be the one whose folder keeps it, and with the
                # platform's certificate saved there, the signer is pinned to it.
                beside = ReceiptStore.pinned_beside(path, signed)
                platform_id, pinned = beside if beside is not None else ("\0", None)
                r = verify_receipt(signed, pinned=pinned, platform_id=platform_id)
                receipts.append(dataclasses.replace(r, path=path))
            except (PlatformError, UsageError) as exc:  # one bad file must not hide the others
                bad += 1
                _err(f"{path}\n  {exc.diagnostics('zh_CN')}\n  {exc.diagnostics('en_US')}")
    if not receipts and not bad:
        _err("没有回执 / no receipts")
    for r in receipts:
        print(r.path)
        for line in _describe(r):
            print(line)
        print(_trust_line(r))
    return 1 if bad else 0


def cmd_receipt_verify(args: argparse.Namespace) -> int:
    from client import ReceiptStore, verify_receipt

    certs = _load_certs(args.platform_cert) if args.platform_cert else None
    path = Path(args.receipt)
    signed = ReceiptStore.load(path)
    # The platform certificate saved when the client talked to the platform: in --state-dir,
    # else beside the receipt when the file is kept in a receipt store.
    pinned = None
    if args.state_dir:
        try:
            pid = json.loads(signed.receipt).get("platform_id")
        except (ValueError, AttributeError):
            pid = None
        if isinstance(pid, str):
            pinned = ReceiptStore(Path(args.state_dir) / "receipts").pinned(pid)
    else:
        beside = ReceiptStore.pinned_beside(path, signed)
        pinned = beside[1] if beside is not None else None
    receipt = verify_receipt(
        signed,
        platform_cert=certs,
        pinned=pinned,
        platform_id=args.platform_id,
        any_signer_under_ca=args.any_signer_under_ca,
        file_path=Path(args.file) if args.file else None,
    )
    if receipt.trust == "embedded":
        print("回执签名完整，但未锚定 / receipt signature intact, but UNANCHORED")
    else:
        print("回执验证通过 / receipt verified")
    for line in _describe(receipt):
        print(line)
    print(f"  平台签名证书 / signed by: {receipt.signer.subject.rfc4514_string()}")
    print(_trust_line(receipt))
    if receipt.trust == "platform-cert" and args.any_signer_under_ca and pinned is None:
        print(
            "  注意：签名者未锁定，CA 下的任何证书都会被接受 / note: the signer is NOT pinned;"
            " any certificate under the CA would be accepted"
        )
    if receipt.trust == "embedded":
        print(
            "  用 --platform-cert 指定平台公布的回执签名证书可做完整验证 / give --platform-cert"
            " with the platform's published receipt certificate for a full verification"
        )
    if args.file:
        print(f"  文件摘要一致 / file digest matches: {args.file}")
    return 0


def add_parsers(sub: Any) -> None:
    """Add ``sections``, ``submit``, ``receipts``, ``withdraw`` and ``receipt verify`` to the
    ``sealbid`` sub-command parsers (``sub`` from ``add_subparsers``)."""
    p = sub.add_parser("sections", help="列出标段 / list sections")
    _platform_options(p)
    _identity_options(p)
    p.add_argument("--project", help="只列此项目 / only this project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sections)

    p = sub.add_parser("doctor", help="环境检测 / check this PC, the certificate and the platform")
    _platform_options(p, required=False)
    _identity_options(p)
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p.add_argument("-o", "--output", help="保存报告给客服 / save the report for support (JSON)")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("submit", help="提交投标文件 / submit a sealed bid")
    _platform_options(p)
    _identity_options(p)
    p.add_argument("--section", required=True, help="标段编号 / section id")
    p.add_argument("bid", help="密封投标文件 / the .sealbid file")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("withdraw", help="撤回投标文件 / withdraw the submitted bid")
    _platform_options(p)
    _identity_options(p)
    p.add_argument("--section", required=True, help="标段编号 / section id")
    p.set_defaults(func=cmd_withdraw)

    p = sub.add_parser(
        "receipts", help="列出回执 / list receipts (local; with --platform: from the platform)"
    )
    _platform_options(p, required=False)
    _identity_options(p)
    p.set_defaults(func=cmd_receipts)

    p = sub.add_parser("receipt", help="回执 / receipts")
    receipt_sub = p.add_subparsers(dest="receipt_command", required=True)
    p = receipt_sub.add_parser("verify", help="验证回执 / verify a receipt offline")
    p.add_argument("receipt", help="回执文件 (JSON) / receipt file")
    p.add_argument(
        "--platform-cert",
        action="append",
        help="平台公布的回执签名证书及其 CA / the platform's published receipt certificate and"
        " its CA",
    )
    p.add_argument(
        "--platform-id", help="回执必须属于此平台 / the receipt must be for this platform id"
    )
    p.add_argument(
        "--state-dir",
        help="取本地保存的平台证书 / take the saved platform certificate from this folder",
    )
    p.add_argument(
        "--any-signer-under-ca",
        action="store_true",
        help="--platform-cert 只含 CA 时，接受该 CA 下任何签名者（不锁定）/ with only a CA,"
        " accept any signer under it (not pinned)",
    )
    p.add_argument("--file", help="核对此文件的摘要 / also check this file's digest")
    p.set_defaults(func=cmd_receipt_verify)
