"""The environment check (环境检测): what a bidder's support desk asks first, checked at once.

    report = check_environment(client=client, identity=ident, state_dir=state, work_dir=Path("."))
    print(report.render())                 # 中文 / English, one line per finding
    Path("环境检测.json").write_text(report.to_json())   # for support: no key, PIN or password

Findings: the platform is reachable and whose it is; this PC's clock against the platform's (the
platform's clock decides deadlines; a large offset misleads the countdown); the platform
certificate against the one saved earlier; the certificate: valid now, issued by a CA the
platform trusts, not expiring within 30 days nor before the opening of a section this bidder has
a bid in; a USB key's module and label; free disk space and write access where bids and
receipts are kept. Each finding is ``ok``, ``warn`` or ``fail``; nothing here changes anything.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from crypto.identity import Identity
from sealbid.errors import SealBidError

from .platform import PlatformClient

__all__ = ["EnvReport", "Finding", "check_environment"]

Level = Literal["ok", "warn", "fail"]

CLOCK_WARN = timedelta(seconds=30)
EXPIRY_WARN = timedelta(days=30)
DISK_WARN = 1 << 30  # bytes free below which sealing a big bid may fail


@dataclass(frozen=True)
class Finding:
    key: str
    level: Level
    zh: str
    en: str


@dataclass
class EnvReport:
    findings: list[Finding] = field(default_factory=list)
    checked_at: str = ""

    @property
    def ok(self) -> bool:
        """No finding failed (warnings allowed)."""
        return all(f.level != "fail" for f in self.findings)

    def add(self, key: str, level: Level, zh: str, en: str) -> None:
        self.findings.append(Finding(key, level, zh, en))

    def render(self, language: str | None = None) -> str:
        mark = {"ok": "√", "warn": "!", "fail": "×"}
        lines = [f"环境检测 / environment check  {self.checked_at}"]
        for f in self.findings:
            text = (
                f"{f.zh} / {f.en}"
                if language is None
                else (f.zh if language.lower().startswith("zh") else f.en)
            )
            lines.append(f"{mark[f.level]} {text}")
        verdict = "通过 / passed" if self.ok else "有问题需要处理 / problems to fix"
        return "\n".join([*lines, verdict])

    def to_json(self) -> str:
        """The report for a support ticket: findings only (no key, PIN, password or bid)."""
        body = {
            "checked_at": self.checked_at,
            "ok": self.ok,
            "findings": [asdict(f) for f in self.findings],
            "system": {"os": os.name, "platform": _platform_string()},
        }
        return json.dumps(body, ensure_ascii=False, indent=2)


def _platform_string() -> str:
    import platform

    return f"{platform.system()} {platform.release()} {platform.machine()}, Python {platform.python_version()}"


def _day(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d")


def check_environment(
    *,
    client: PlatformClient | None,
    identity: Identity | None,
    state_dir: Path,
    work_dir: Path | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> EnvReport:
    """Run every check that the given pieces allow (no client: no platform checks; no
    identity: no certificate checks). Never raises for what it finds."""
    report = EnvReport(checked_at=now().strftime("%Y-%m-%dT%H:%M:%SZ"))
    trust: list[x509.Certificate] = []
    if client is not None:
        trust = _platform(report, client, state_dir)
    if identity is not None:
        _certificates(report, identity, trust, client, now())
    for label, path in (("state", state_dir), ("work", work_dir)):
        if path is not None:
            _disk(report, label, Path(path))
    return report


def _platform(report: EnvReport, client: PlatformClient, state_dir: Path) -> list[x509.Certificate]:
    from .receipts import ReceiptStore, load_certificates

    try:
        t0 = time.monotonic()
        info = client.platform_info(refresh=True)
        offset = client.clock_offset()
        rtt = time.monotonic() - t0
    except SealBidError as exc:
        report.add(
            "platform",
            "fail",
            f"无法连接交易平台 {client.base_url}：{exc.diagnostics('zh_CN')}",
            f"cannot reach the platform {client.base_url}: {exc.diagnostics('en_US')}",
        )
        return []
    report.add(
        "platform",
        "ok",
        f"交易平台 {info.name}（{info.platform_id}）可连接，往返 {rtt * 1000:.0f} 毫秒",
        f"platform {info.name} ({info.platform_id}) reachable, round trip {rtt * 1000:.0f} ms",
    )
    seconds = offset.total_seconds()
    level: Level = "ok" if abs(offset) <= CLOCK_WARN else "warn"
    report.add(
        "clock",
        level,
        f"本机时钟与平台相差 {seconds:+.1f} 秒（截止时间以平台时钟为准）"
        + ("" if level == "ok" else "，请校准本机时间"),
        f"this PC's clock is {seconds:+.1f} s off the platform's (deadlines go by the platform's)"
        + ("" if level == "ok" else "; set this PC's time"),
    )
    pinned = ReceiptStore(Path(state_dir) / "receipts").pinned(info.platform_id)
    published = load_certificates(info.certificate_pem)
    if pinned is None:
        report.add(
            "pinned",
            "ok",
            "首次连接此平台：尚未保存平台证书",
            "first contact with this platform: no saved platform certificate yet",
        )
    elif any(
        p.fingerprint(hashes.SHA256()) == c.fingerprint(hashes.SHA256())
        for p in pinned
        for c in published
    ):
        report.add(
            "pinned",
            "ok",
            "平台证书与本机保存的一致",
            "the platform certificate is the one saved here",
        )
    else:
        report.add(
            "pinned",
            "warn",
            "平台证书与本机以前保存的不同（平台换证或连到了别的服务器），请向平台核实",
            "the platform certificate differs from the one saved here (a new certificate, or"
            " another server): check with the platform",
        )
    return load_certificates(info.trusted_ca_pem)


def _certificates(
    report: EnvReport,
    identity: Identity,
    trust: list[x509.Certificate],
    client: PlatformClient | None,
    now: datetime,
) -> None:
    from crypto import cms

    token = getattr(identity, "token_label", None)
    if token is not None:
        report.add(
            "token",
            "ok",
            f"USB Key「{token}」已连接",
            f"USB key {token!r} connected",
        )
    certs = {"签名证书 / signing": identity.signing_cert}
    if identity.encryption_cert is not identity.signing_cert:
        certs["加密证书 / encryption"] = identity.encryption_cert
    for label, cert in certs.items():
        zh_label, en_label = label.split(" / ")
        subject = cert.subject.rfc4514_string()
        after = cert.not_valid_after_utc
        if cert.not_valid_before_utc > now or after <= now:
            report.add(
                f"cert.{en_label}",
                "fail",
                f"{zh_label}不在有效期内（{_day(cert.not_valid_before_utc)} 至 {_day(after)}）：{subject}",
                f"the {en_label} certificate is not valid now ({_day(cert.not_valid_before_utc)}"
                f" to {_day(after)}): {subject}",
            )
            continue
        level: Level = "warn" if after - now <= EXPIRY_WARN else "ok"
        report.add(
            f"cert.{en_label}",
            level,
            f"{zh_label}有效至 {_day(after)}"
            + (
                "，即将到期，请尽快办理延期（并保留原证书以解密已提交的投标）"
                if level == "warn"
                else ""
            ),
            f"the {en_label} certificate is valid until {_day(after)}"
            + (
                "; it expires soon: renew it (and keep the old one to open bids already submitted)"
                if level == "warn"
                else ""
            ),
        )
        if trust:
            try:
                cms.validate_certificate(cert, identity.chain, trust=trust, at=now)
                report.add(
                    f"chain.{en_label}",
                    "ok",
                    f"{zh_label}由平台信任的 CA 签发",
                    f"the {en_label} certificate chains to a CA the platform trusts",
                )
            except SealBidError as exc:
                report.add(
                    f"chain.{en_label}",
                    "fail",
                    f"{zh_label}不被平台信任：{exc.diagnostics('zh_CN')}",
                    f"the platform does not trust the {en_label} certificate:"
                    f" {exc.diagnostics('en_US')}",
                )
    if client is not None and identity.signing_cert is not None:
        _openings(report, identity, client)


def _openings(report: EnvReport, identity: Identity, client: PlatformClient) -> None:
    """The encryption certificate must outlive the opening of every section with a bid of
    this bidder in it (the key is needed at the opening)."""
    try:
        sections = client.sections()
        mine = [s for s in sections if client.submission(s.id).status == "submitted"]
    except SealBidError as exc:
        report.add(
            "openings",
            "warn",
            f"无法列出已投标的标段：{exc.diagnostics('zh_CN')}",
            f"cannot list the sections with a bid of yours: {exc.diagnostics('en_US')}",
        )
        return
    after = identity.encryption_cert.not_valid_after_utc
    late = [s for s in mine if s.opening_time >= after]
    if late:
        names = "、".join(f"{s.name}（{s.id}）" for s in late)
        report.add(
            "openings",
            "fail",
            f"加密证书在这些标段开标前到期：{names}；开标时仍需用原证书解密，请勿注销原证书",
            f"the encryption certificate expires before the opening of: {names}; the old"
            " certificate is still needed to decrypt at the opening: do not revoke it",
        )
    else:
        report.add(
            "openings",
            "ok",
            f"已投标的 {len(mine)} 个标段开标时加密证书仍有效",
            f"the encryption certificate outlives the opening of all {len(mine)} section(s)"
            " with a bid of yours",
        )


def _disk(report: EnvReport, label: str, path: Path) -> None:
    zh_label = {"state": "回执与上传记录文件夹", "work": "当前文件夹"}[label]
    en_label = {"state": "the receipts and uploads folder", "work": "the current folder"}[label]
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".sealbid-write-test-{os.getpid()}"
        with open(probe, "wb") as f:
            f.write(b"sealbid")
            f.flush()
            os.fsync(f.fileno())
        probe.unlink()
        free = shutil.disk_usage(path).free
    except OSError as exc:
        report.add(
            f"disk.{label}",
            "fail",
            f"{zh_label}（{path}）无法写入：{exc.strerror}",
            f"{en_label} ({path}) is not writable: {exc.strerror}",
        )
        return
    gib = free / (1 << 30)
    level: Level = "ok" if free >= DISK_WARN else "warn"
    report.add(
        f"disk.{label}",
        level,
        f"{zh_label}（{path}）可写，剩余 {gib:.1f} GiB" + ("，空间不足" if level == "warn" else ""),
        f"{en_label} ({path}) is writable, {gib:.1f} GiB free"
        + ("; low on space" if level == "warn" else ""),
    )
