"""``sealbid server``: run the reference platform, and seed it from the command line.

    sealbid server --data DIR --sandbox                       # demo platform on 127.0.0.1:8000
    sealbid server --data DIR --db postgresql+psycopg://u@/sealbid --port 8443 \\
        --receipt-identity platform.p12 --receipt-password-file pw --trust ca.pem \\
        --account admin:admin-cert.pem

``add_parsers(subparsers)`` is what ``sealbid.cli`` calls; ``python -m server`` runs the same
parser on its own. The server package is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SealBidError, UsageError

if TYPE_CHECKING:
    from server.config import Config

__all__ = ["add_parsers", "cmd_server", "run_standalone"]

_ROLES = ("bidder", "host", "recorder", "supervisor", "admin")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r}：端口须为 0–65535 的整数 / the port must be an integer 0–65535"
        )
    return port


_HOSTNAME = re.compile(
    r"^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)


def _host(text: str) -> str:
    """An IPv4 or IPv6 address or a host name (checked here, not by a failing bind)."""
    import ipaddress

    try:
        if ":" in text:
            ipaddress.IPv6Address(text)
            return text
        if re.fullmatch(r"[0-9.]+", text):
            ipaddress.IPv4Address(text)
            return text
    except ValueError:
        pass
    else:
        if _HOSTNAME.match(text) and not text.replace(".", "").isdigit():
            return text
    raise argparse.ArgumentTypeError(
        f"{text!r}：不是有效的 IP 地址或主机名 / not a valid IP address or host name"
    )


def _server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", required=True, help="数据目录 / data folder")
    p.add_argument("--db", help="数据库 URL（默认 DATA/platform.db）/ database URL")
    p.add_argument("--host", type=_host, default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8000)
    p.add_argument("--sandbox", action="store_true", help="首次启动时生成演示数据 / seed a demo")
    p.add_argument("--platform-id", help="平台标识 / platform id")
    p.add_argument("--platform-name", help="平台名称 / platform name")
    p.add_argument("--receipt-identity", help="回执签名证书 .p12 / receipt-signing PKCS#12")
    p.add_argument("--receipt-password-file", help="其密码文件 / its password file")
    p.add_argument(
        "--trust", action="append", default=[], help="受信任的 CA 证书 PEM / trusted CA (repeat)"
    )
    p.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="ROLE:CERT.pem",
        help="按证书主题登记账户 / register an account by certificate subject (repeat)",
    )
    p.add_argument("--ready-file", help=argparse.SUPPRESS)
    p.add_argument("--log-level", default="info", help=argparse.SUPPRESS)


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``server`` to ``sealbid``'s sub-commands."""
    p = subparsers.add_parser("server", help="运行交易平台 / run the reference platform")
    _server_options(p)
    p.set_defaults(func=cmd_server)


def _config(args: argparse.Namespace) -> Config:
    from server.config import Config

    kwargs: dict[str, object] = {"data_dir": Path(args.data), "sandbox": args.sandbox}
    if args.db:
        kwargs["db_url"] = args.db
    if args.platform_id:
        kwargs["platform_id"] = args.platform_id
    if args.platform_name:
        kwargs["platform_name"] = args.platform_name
    if args.receipt_identity:
        kwargs["receipt_identity"] = Path(args.receipt_identity)
    if args.receipt_password_file:
        kwargs["receipt_password_file"] = Path(args.receipt_password_file)
    return Config(**kwargs)  # type: ignore[arg-type]  # the values are checked by Config


def _seed_from_args(config: Config, args: argparse.Namespace) -> None:
    """Trusted CAs and staff accounts given on the command line (idempotent)."""
    if not args.trust and not args.account:
        return
    from cryptography import x509

    from server.platform import Platform

    def certs(path: str) -> list[x509.Certificate]:
        try:
            return x509.load_pem_x509_certificates(Path(path).read_bytes())
        except (OSError, ValueError) as exc:
            raise UsageError(what=f"{path}: 不是 PEM 证书 / not a PEM certificate") from exc

    platform = Platform.start(config)
    try:
        for path in args.trust:
            for cert in certs(path):
                platform.add_trusted_ca(cert)
        for spec in args.account:
            role, _, path = spec.partition(":")
            if role not in _ROLES or not path:
                raise UsageError(what=f"--account {spec}: ROLE:CERT.pem, ROLE in {_ROLES}")
            for cert in certs(path)[:1]:
                platform.add_account(role=role, name=cert.subject.rfc4514_string(), cert=cert)
    finally:
        platform.close()


def cmd_server(args: argparse.Namespace) -> int:
    from server.run import serve

    config = _config(args)
    if args.sandbox:
        from server.sandbox import seed

        seed(config)
    _seed_from_args(config, args)
    serve(
        config,
        host=args.host,
        port=args.port,
        ready_file=Path(args.ready_file) if args.ready_file else None,
        log_level=args.log_level,
    )
    return 0


def run_standalone(argv: Sequence[str] | None = None) -> int:
    """``python -m server …``: the ``server`` command without the rest of ``sealbid``."""
    parser = argparse.ArgumentParser(prog="python -m server", description="SealBid platform")
    _server_options(parser)
    args = parser.parse_args(argv)
    try:
        return cmd_server(args)
    except KeyboardInterrupt:
        return 130
    except SealBidError as exc:
        print(
            f"错误：{exc.diagnostics('zh_CN')}\nerror: {exc.diagnostics('en_US')}", file=sys.stderr
        )
        return 2 if isinstance(exc, UsageError) else 1
