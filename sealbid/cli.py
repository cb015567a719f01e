"""The ``sealbid`` command line.

    sealbid ca init DIR
    sealbid ca issue DIR --role bidder --name 合肥建工 --org-code 9134... --out b.p12 --password-file pw
    sealbid seal --identity b.p12 --password-file pw --section S-001 -o bid.sealbid 商务标.pdf
    sealbid verify bid.sealbid --trust DIR/ca.pem
    sealbid open bid.sealbid --identity b.p12 --password-file pw -o out/
    sealbid inspect bid.sealbid --extract parts/ --json

Secrets never come on the command line: a prompt, ``--password-file`` or ``--pin-file``.
Errors are printed in Chinese and English; exit status 0 ok, 1 the operation failed, 2 bad
usage, 130 cancelled.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import __version__
from .errors import CancelledError, SealBidError, UsageError

__all__ = ["main"]

CST = timezone(timedelta(hours=8), "CST")


def _read_secret_file(path: str) -> str:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(what=f"{path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(what=f"{path}: 不是 UTF-8 文本 / not UTF-8 text") from exc
    # One line; a trailing LF or CRLF (Windows editors) is not part of the secret.
    return text.splitlines()[0] if text.strip("\r\n") else ""


def _password(args: argparse.Namespace, prompt: str) -> bytes:
    if args.password_file:
        return _read_secret_file(args.password_file).encode("utf-8")
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt).encode("utf-8")
    raise UsageError(
        what="需要 --password-file 或在终端中输入密码 / need --password-file or a terminal"
    )


def _pin_source(args: argparse.Namespace) -> tuple[str | None, Callable[[str], str] | None]:
    if getattr(args, "pin_file", None):
        return _read_secret_file(args.pin_file), None
    if sys.stdin is not None and sys.stdin.isatty():
        return None, lambda label: getpass.getpass(f"USB Key “{label}” PIN: ")
    return None, None


def _load_identity(args: argparse.Namespace) -> Any:
    spec: str | None = args.identity
    if spec is None and not args.token_module:
        raise UsageError(what="需要 --identity / --identity is required")
    if spec and spec.startswith("pkcs11:") and "pin-value=" in spec:
        # A PIN on the command line lands in shell history and process lists.
        raise UsageError(
            what="PIN 不能写在命令行上，请用 --pin-file 或 pin-source= / no PIN on the command line:"
            " use --pin-file or pin-source="
        )
    if (spec and spec.startswith("pkcs11:")) or args.token_module:
        from crypto.token import open_token_identity

        pin, callback = _pin_source(args)
        return open_token_identity(
            spec or "",
            module=args.token_module,
            token_label=args.token_label,
            pin=pin,
            pin_callback=callback,
        )
    from crypto import load_identity

    assert spec is not None
    return load_identity(Path(spec), password=_password(args, "证书密码 / password: "))


def _load_certs(paths: Sequence[str]) -> list[Any]:
    from cryptography import x509

    certs = []
    for p in paths:
        try:
            data = Path(p).read_bytes()
        except OSError as exc:
            raise UsageError(what=f"{p}: {exc.strerror}") from exc
        try:
            if b"-----BEGIN" in data:
                certs.extend(x509.load_pem_x509_certificates(data))
            else:
                certs.append(x509.load_der_x509_certificate(data))
        except ValueError as exc:
            raise UsageError(what=f"{p}: 不是证书 / not a certificate") from exc
    return certs


def _parse_time(text: str) -> datetime:
    """ISO 8601; a time without a zone is China Standard Time (UTC+8), as bidders write it."""
    try:
        t = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(what=f"{text!r}: 时间格式应为 ISO 8601 / not an ISO 8601 time") from exc
    return (t if t.tzinfo else t.replace(tzinfo=CST)).astimezone(UTC)


def _decimals_to_str(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _decimals_to_str(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decimals_to_str(v) for v in obj]
    return obj


def _load_summary(path: str | None) -> Any:
    if path is None:
        return None
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
        # Money is never a float: decimals keep their exact digits, as strings.
        return _decimals_to_str(json.loads(text, parse_float=Decimal))
    except OSError as exc:
        raise UsageError(what=f"{path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise UsageError(what=f"{path}: 不是有效的 JSON / not valid JSON ({exc})") from exc


def _show_time(t: datetime) -> str:
    return t.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S 北京时间 (UTC+8)")


# --- commands --------------------------------------------------------------------------------


def cmd_ca_init(args: argparse.Namespace) -> int:
    from crypto.ca import CA_CERT_NAME, SandboxCA

    directory = Path(args.dir)
    SandboxCA.init(directory)
    print(f"沙箱 CA 已创建 / sandbox CA created: {directory / CA_CERT_NAME}")
    print("注意：仅供测试，切勿用于真实投标 / SANDBOX ONLY, never for real bids")
    return 0


def cmd_ca_issue(args: argparse.Namespace) -> int:
    from crypto.ca import KeyType, Role, SandboxCA

    if args.days < 1:
        raise UsageError(what="--days 至少为 1 / --days must be at least 1")
    ca = SandboxCA.load(Path(args.dir))
    role = Role(args.role)
    key_type = KeyType(args.key_type)
    dual = None if args.dual is None else args.dual
    if args.token or args.token_module or args.token_label:
        if not (args.token_module and args.token_label):
            raise UsageError(
                what="--token 需要 --token-module 和 --token-label / --token needs --token-module and --token-label"
            )
        from crypto.token import generate_on_token

        pin, callback = _pin_source(args)
        if pin is None and callback is not None:
            pin = callback(args.token_label or "")
        if pin is None:
            raise UsageError(what="需要 --pin-file / --pin-file is required")
        generate_on_token(
            module=args.token_module,
            token_label=args.token_label,
            pin=pin,
            ca=ca,
            role=role,
            name=args.name,
            org_code=args.org_code,
            key_type=key_type,
            dual=role is Role.BIDDER if dual is None else dual,
            days=args.days,
        )
        print(f"已在 USB Key “{args.token_label}”上签发 / issued on token '{args.token_label}'")
        return 0
    if not args.out:
        raise UsageError(what="需要 --out FILE.p12 / --out is required")
    issued = ca.issue(
        role=role,
        name=args.name,
        org_code=args.org_code,
        key_type=key_type,
        dual=dual,
        days=args.days,
    )
    issued.write_p12(Path(args.out), password=_password(args, "新证书密码 / new password: "))
    print(f"已签发 / issued: {args.out}")
    return 0


def cmd_seal(args: argparse.Namespace) -> int:
    from crypto import seal
    from crypto.cms import Recipient
    from crypto.identity import RsaPadding

    summary = _load_summary(args.summary)
    padding = RsaPadding(args.recipient_padding)
    extra = [Recipient(c, padding) for c in _load_certs(args.recipient or [])]
    opening = _parse_time(args.opening_time) if args.opening_time else None
    with _load_identity(args) as identity:
        tender_version = args.tender_version
        if args.platform:
            # The section's form, tender version and opening time come from the platform.
            from .cli_platform import platform_seal_context

            tender_version, opening = platform_seal_context(args, identity, summary, opening)
        result = seal(
            [Path(d) for d in args.documents],
            Path(args.output),
            identity=identity,
            section=args.section,
            summary=summary,
            tender_version=tender_version,
            recipients=extra,
            opening_time=opening,
        )
    print(f"已密封 / sealed: {result.path}")
    print(f"  标段 / section: {result.section}")
    print(f"  签名人 / signer: {result.signer}")
    print(f"  文档 / documents: {len(result.documents)}")
    print(f"  大小 / size: {result.size:,} bytes")
    print(f"  密文摘要 / payload SHA-256: {result.payload_sha256}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from crypto import verify

    trust = _load_certs(args.trust) if args.trust else None
    v = verify(Path(args.bid), trust=trust)
    if args.json:
        out = v.info.as_dict() | {"sha256": v.sha256, "trusted": v.trusted}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print("验证通过 / verified")
    print(f"  签名人 / signer: {v.info.signer_subject}")
    print(f"  标段 / section: {v.info.section}")
    print(f"  密封时间 / sealed: {_show_time(v.info.created)}")
    print(f"  SHA-256: {v.sha256}")
    if not v.trusted:
        print("  注意：未指定 --trust，未检查证书链 / note: no --trust given, chain not checked")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from crypto import open_bid

    trust = _load_certs(args.trust) if args.trust else None
    with _load_identity(args) as identity:
        opened = open_bid(Path(args.bid), identity, Path(args.output), trust=trust)
    print(f"已解密 / opened into: {opened.directory}")
    for name, size in opened.documents:
        print(f"  documents/{name}  ({size:,} bytes)")
    if opened.summary is not None:
        print("  summary.json")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from crypto import extract, inspect

    info = inspect(Path(args.bid))
    written = extract(Path(args.bid), Path(args.extract)) if args.extract else []
    if args.json:
        out = info.as_dict() | {"extracted": [str(p) for p in written]}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(f"格式版本 / format version: {info.version}")
    print(f"标段 / section: {info.section}")
    print(f"招标文件版本 / tender version: {info.tender_version or '-'}")
    print(f"投标人 / bidder: {info.bidder.get('name')} ({info.bidder.get('org_code') or '-'})")
    print(f"签名证书 / signer: {info.signer_subject} serial={info.signer_serial:x}")
    print(f"密封时间 / sealed: {_show_time(info.created)}")
    print(f"密文 / payload: {info.payload_length:,} bytes, SHA-256 {info.payload_sha256}")
    print(f"文件大小 / file size: {info.file_size:,} bytes")
    for r in info.recipients:
        print(f"收件人 / recipient: {r.issuer} serial={r.serial:x} ({r.algorithm})")
    for p in written:
        print(f"已导出 / extracted: {p}")
    return 0


# --- parser ----------------------------------------------------------------------------------


def _identity_options(p: argparse.ArgumentParser, *, required: bool = False) -> None:
    p.add_argument("--identity", help="PKCS#12 文件 (.p12/.pfx) 或 pkcs11: URI")
    p.add_argument("--password-file", help="证书密码文件 / file holding the PKCS#12 password")
    _token_options(p)


def _token_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--token-module", help="PKCS#11 模块路径 / PKCS#11 module path")
    p.add_argument("--token-label", help="USB Key 标签 / token label")
    p.add_argument("--pin-file", help="PIN 文件 / file holding the token PIN")


def build_parser() -> argparse.ArgumentParser:
    # Imported here: these modules import this one for its shared helpers.
    from . import cli_admin, cli_opening, cli_platform, cli_practice, cli_server

    parser = argparse.ArgumentParser(
        prog="sealbid",
        description="SealBid 密封投标：签名加密投标文件、验证与解密 / seal, verify and open bids",
    )
    parser.add_argument("--version", action="version", version=f"sealbid {__version__}")
    sub = parser.add_subparsers(dest="command")

    ca = sub.add_parser("ca", help="沙箱 CA（仅供测试）/ sandbox CA (testing only)")
    ca_sub = ca.add_subparsers(dest="ca_command", required=True)
    p = ca_sub.add_parser("init", help="创建沙箱 CA / create a sandbox CA")
    p.add_argument("dir")
    p.set_defaults(func=cmd_ca_init)
    p = ca_sub.add_parser("issue", help="签发证书 / issue an identity")
    p.add_argument("dir")
    p.add_argument(
        "--role", required=True, choices=["bidder", "host", "recorder", "supervisor", "platform"]
    )
    p.add_argument("--name", required=True)
    p.add_argument("--org-code", help="统一社会信用代码 / unified social credit code")
    p.add_argument("--out", help="输出 .p12 文件 / output PKCS#12 file")
    p.add_argument("--password-file")
    p.add_argument(
        "--key-type", default="rsa2048", choices=["rsa2048", "rsa3072", "rsa4096", "p256"]
    )
    dual = p.add_mutually_exclusive_group()
    dual.add_argument("--dual", dest="dual", action="store_true", default=None)
    dual.add_argument("--single", dest="dual", action="store_false")
    p.add_argument("--days", type=int, default=730)
    p.add_argument("--token", action="store_true", help="在 USB Key 上生成 / keys on a token")
    _token_options(p)
    p.set_defaults(func=cmd_ca_issue)

    p = sub.add_parser("seal", help="密封投标文件 / sign and encrypt a bid")
    _identity_options(p)
    p.add_argument("--section", required=True, help="标段编号 / section id")
    p.add_argument("--summary", help="开标一览表 JSON / bid summary JSON")
    p.add_argument("--tender-version", help="招标文件版本 / tender document version")
    p.add_argument("--recipient", action="append", help="额外收件人证书 / extra recipient cert")
    p.add_argument(
        "--recipient-padding",
        default="oaep-sha256",
        choices=["oaep-sha256", "oaep-sha1", "pkcs1v15"],
        help="额外 RSA 收件人的填充（USB Key 只支持 OAEP-SHA1 或 PKCS#1 v1.5 时）"
        " / RSA padding for extra recipients whose key is on a limited token",
    )
    p.add_argument(
        "--opening-time", help="开标时间 ISO 8601（无时区按北京时间）/ opening time (default UTC+8)"
    )
    p.add_argument("-o", "--output", required=True)
    p.add_argument("documents", nargs="+")
    cli_platform.seal_options(p)
    p.set_defaults(func=cmd_seal)

    p = sub.add_parser("verify", help="验证投标文件 / verify a sealed bid")
    p.add_argument("bid")
    p.add_argument("--trust", action="append", help="受信任的 CA 证书 / trusted CA certificate")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("open", help="解密投标文件 / open a sealed bid")
    p.add_argument("bid")
    _identity_options(p)
    p.add_argument("--trust", action="append")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_open)

    p = sub.add_parser("inspect", help="查看投标文件结构 / show a sealed bid's structure")
    p.add_argument("bid")
    p.add_argument("--extract", help="导出供 OpenSSL 检查的部件 / export parts for OpenSSL")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_inspect)
    cli_platform.add_parsers(sub)
    cli_admin.add_parsers(sub)
    cli_opening.add_parsers(sub)
    cli_server.add_parsers(sub)
    cli_practice.add_parsers(sub)
    return parser


def _names_sealed_file(arg: str) -> bool:
    """A ``*.sealbid`` file name on the command line (not an option, not a command)."""
    return not arg.startswith("-") and arg.lower().endswith(".sealbid")


def main(argv: Sequence[str] | None = None) -> int:
    # Chinese names must not crash output on a console or pipe in another code page (cp936,
    # cp1252 on Windows): unencodable characters are replaced, never raised.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        # No arguments: the desktop app (the installer's shortcuts start `sealbidw`, the same
        # app without a console window).
        from ui.app import run_app

        return run_app()
    if all(_names_sealed_file(a) for a in args_list):
        # `sealbid 投标.sealbid`: the app, showing what the file is (the file association).
        missing = [a for a in args_list if not Path(a).is_file()]
        if missing:
            names = ", ".join(missing)
            _report(f"找不到文件：{names}", f"file not found: {names}")
            return 2
        from ui.app import run_app

        return run_app(open_files=args_list)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        result: int = args.func(args)
        return result
    except CancelledError:
        return 130
    except KeyboardInterrupt:
        print("已取消 / cancelled", file=sys.stderr)
        return 130
    except UsageError as exc:
        _report(exc.diagnostics("zh_CN"), exc.diagnostics("en_US"))
        return 2
    except SealBidError as exc:
        _report(exc.diagnostics("zh_CN"), exc.diagnostics("en_US"))
        return 1
    except OSError as exc:
        # What the library did not translate itself (writing a .p12, a CA folder …).
        where, why = exc.filename or "-", exc.strerror or type(exc).__name__
        _report(f"无法读写文件 {where}：{why}", f"cannot read or write {where}: {why}")
        return 1


def _report(zh: str, en: str) -> None:
    print(f"错误：{zh}\nerror: {en}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
