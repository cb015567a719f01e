"""The sandbox: a demo platform that works out of the box (sandbox CA, people, projects, sections).

    info = seed(Config(data_dir=Path("data"), sandbox=True))     # first start only; idempotent
    info["identities"][0]  # {"role": "host", "name": "张明", "p12": "/abs/…", "password_file": …}
    info["sections"][0]    # {"id": "HFJS-2025-0101-01", "name": …, "deadline": "…Z", …}

Everything lands in ``DATA``: ``sandbox/ca`` (the sandbox CA), ``sandbox/identities`` (one .p12
and one password file per person, owner-only), ``platform.p12`` + ``platform.password`` (the
receipt-signing identity), and ``sandbox.json`` describing it all with absolute paths. The CA
and every certificate say SANDBOX: they are for demos and tests, never for real bids.

One section's deadline and opening are a few minutes after the first start, for trying an
opening; the others are days ahead. Deadlines follow ``config.clock``.
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from client import wire
from crypto._files import atomic_write
from crypto.ca import CA_CERT_NAME, CA_KEY_NAME, IssuedIdentity, KeyType, Role, SandboxCA, Usage
from crypto.ca import generate_key as _generate_key
from sealbid.errors import UsageError
from sealbid.uscc import with_check_character

from . import db
from .config import Config
from .receipts import iso_seconds

__all__ = ["QUICK_SECTION_MINUTES", "SANDBOX_FILE", "seed"]

SANDBOX_FILE = "sandbox.json"
QUICK_SECTION_MINUTES = 5
_META_KEY = "sandbox"
_CST = timezone(timedelta(hours=8), "CST")

KeyFactory = Callable[[], Any]

# (name, first 17 characters of the 统一社会信用代码; the check character is computed)
BIDDERS = (
    ("合肥建工集团有限公司", "91340100MA2N0A1B2"),
    ("安徽路桥工程有限公司", "91340200MA2P3C4D5"),
    ("芜湖长江建设股份有限公司", "91340200MA2Q6E7F8"),
    ("蚌埠华信智能科技有限公司", "91340300MA2R9G0H1"),
    ("安庆宏达信息技术有限公司", "91340800MA2TAJ2K3"),
)
STAFF = (
    ("host", "张明（主持人）", Role.HOST),
    ("recorder", "李娜（记录人）", Role.RECORDER),
    ("supervisor", "王强（监督人）", Role.SUPERVISOR),
    # crypto.ca has no admin role for subjects; the platform operator's certificate says
    # "platform". The account table, not the certificate, gives the role.
    ("admin", "陈静（平台管理员）", Role.PLATFORM),
)

WORKS_FORM = wire.SummaryForm(
    fields=(
        wire.FormField(key="price", label="投标报价", type="money", unit="元"),
        wire.FormField(key="duration", label="工期", type="integer", unit="日历天"),
        wire.FormField(key="quality", label="质量标准", type="choice", choices=("合格", "优良")),
        wire.FormField(key="manager", label="项目负责人", type="text"),
        wire.FormField(key="bond", label="投标保证金", type="money", unit="元"),
    )
)
PROCUREMENT_FORM = wire.SummaryForm(
    fields=(
        wire.FormField(key="price", label="投标报价", type="money", unit="万元"),
        wire.FormField(key="delivery", label="交货期", type="integer", unit="日历天"),
        wire.FormField(key="quality", label="质量标准", type="choice", choices=("合格", "优良")),
        wire.FormField(key="manager", label="项目负责人", type="text"),
        wire.FormField(key="bond", label="投标保证金", type="money", unit="万元", required=False),
    )
)


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` in Helvetica (ASCII). Deterministic, no dependencies."""
    text = (
        "BT /F1 12 Tf 72 760 Td 16 TL "
        + " ".join(
            "(" + ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
            for ln in lines
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("ascii") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _issue(
    ca: SandboxCA,
    *,
    role: Role,
    name: str,
    org_code: str | None,
    dual: bool,
    now: datetime,
    key_factory: KeyFactory,
) -> IssuedIdentity:
    start, end = now - timedelta(minutes=5), now + timedelta(days=730)

    def cert_for(key: Any, usage: Usage) -> Any:
        return ca.issue_certificate(
            key.public_key(),
            role=role,
            name=name,
            org_code=org_code,
            usage=usage,
            not_before=start,
            not_after=end,
        )

    sign_key = key_factory()
    if not dual:
        cert = cert_for(sign_key, Usage.BOTH)
        return IssuedIdentity(sign_key, cert, sign_key, cert, ca.cert)
    enc_key = key_factory()
    return IssuedIdentity(
        sign_key, cert_for(sign_key, Usage.SIGN), enc_key, cert_for(enc_key, Usage.ENCRYPT), ca.cert
    )


def _identity_files(
    folder: Path, stem: str, issue: Callable[[], IssuedIdentity]
) -> tuple[Path, Path, x509.Certificate]:
    """The identity ``stem`` in ``folder`` (.p12, .password, and .pem: its signing certificate);
    issued and written only when not there yet, so a sandbox folder kept across a new database
    keeps its people (and tests can reuse one, saving the PKCS#12 key derivation)."""
    p12, pw, pem = (folder / f"{stem}{ext}" for ext in (".p12", ".password", ".pem"))
    if p12.exists() and pw.exists() and pem.exists():
        return p12, pw, x509.load_pem_x509_certificate(pem.read_bytes())
    issued = issue()
    password = secrets.token_urlsafe(12)
    atomic_write(pw, (password + "\n").encode(), private=True)
    issued.write_p12(p12, password=password.encode())
    atomic_write(pem, issued.signing_cert.public_bytes(serialization.Encoding.PEM))
    return p12, pw, issued.signing_cert


def _read_meta(config: Config) -> dict[str, Any] | None:
    database = db.Database.open(config.database_url)
    try:
        with database.read() as conn:
            value = conn.execute(
                select(db.meta.c.value).where(db.meta.c.key == _META_KEY)
            ).scalar_one_or_none()
            seeded_parts = conn.execute(select(db.projects.c.id)).first() is not None
    finally:
        database.dispose()
    if value is None and seeded_parts:
        raise UsageError(
            what=f"{config.data_dir}: 沙箱初始化曾被中断，请删除数据目录后重试"
            " / sandbox seeding was interrupted; remove the data folder and start again"
        )
    return json.loads(value) if value is not None else None


def seed(
    config: Config, *, key_factory: KeyFactory | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Seed the sandbox on first start and return what ``sandbox.json`` holds. Later calls
    return the same (and rewrite ``sandbox.json`` if it was removed)."""
    from .platform import Platform, pem_of

    config.data_dir.mkdir(parents=True, exist_ok=True)
    done = _read_meta(config)
    target = config.data_dir / SANDBOX_FILE
    if done is not None:
        if not target.exists():
            atomic_write(target, json.dumps(done, ensure_ascii=False, indent=2).encode())
        return done

    keys = key_factory or (lambda: _generate_key(KeyType.RSA2048))
    now = (now or config.now()).astimezone(UTC)
    root = config.data_dir / "sandbox"
    ca_dir = root / "ca"
    if (ca_dir / CA_KEY_NAME).exists():
        ca = SandboxCA.load(ca_dir)
    else:
        ca = SandboxCA.init(ca_dir, now=now)
    ident_dir = root / "identities"
    ident_dir.mkdir(parents=True, exist_ok=True)

    # The platform's receipt-signing identity: one certificate, signing only matters.
    if not config.receipt_identity_path.exists():
        issued = _issue(
            ca,
            role=Role.PLATFORM,
            name=config.platform_name,
            org_code=None,
            dual=False,
            now=now,
            key_factory=keys,
        )
        password = secrets.token_urlsafe(12)
        atomic_write(config.receipt_password_path, (password + "\n").encode(), private=True)
        issued.write_p12(config.receipt_identity_path, password=password.encode())

    identities: list[dict[str, Any]] = []
    staff: list[tuple[str, str, x509.Certificate]] = []
    for stem, name, ca_role in STAFF:
        p12, pw, cert = _identity_files(
            ident_dir,
            f"{stem}_{name.split('（')[0]}",
            functools.partial(
                _issue,
                ca,
                role=ca_role,
                name=name,
                org_code=None,
                dual=False,
                now=now,
                key_factory=keys,
            ),
        )
        staff.append((stem, name, cert))
        identities.append(
            {
                "role": stem,
                "name": name,
                "org_code": None,
                "p12": str(p12),
                "password_file": str(pw),
            }
        )
    bidders: list[tuple[str, str]] = []
    for i, (name, body) in enumerate(BIDDERS, 1):
        org = with_check_character(body)
        p12, pw, _cert = _identity_files(
            ident_dir,
            f"投标人{i}_{name}",
            functools.partial(
                _issue,
                ca,
                role=Role.BIDDER,
                name=name,
                org_code=org,
                dual=True,
                now=now,
                key_factory=keys,
            ),
        )
        bidders.append((name, org))
        identities.append(
            {
                "role": "bidder",
                "name": name,
                "org_code": org,
                "p12": str(p12),
                "password_file": str(pw),
            }
        )

    platform = Platform.start(config)
    try:
        platform.add_trusted_ca(ca.cert)
        for role, name, cert in staff:
            platform.add_account(role=role, name=name, cert=cert)  # type: ignore[arg-type]
        sections = _seed_catalogue(platform, now, pem_of([ca.cert]), bidders)
        info = {
            "platform_id": config.platform_id,
            "ca": str(ca_dir / CA_CERT_NAME),
            "platform_certificate": str(config.receipt_identity_path),
            "identities": identities,
            "sections": sections,
        }
        with platform.db.write() as conn:
            conn.execute(
                db.meta.insert().values(key=_META_KEY, value=json.dumps(info, ensure_ascii=False))
            )
    finally:
        platform.close()
    atomic_write(target, json.dumps(info, ensure_ascii=False, indent=2).encode())
    return info


def _cst(day: datetime, hour: int, minute: int) -> datetime:
    local = day.astimezone(_CST).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.astimezone(UTC)


def _seed_catalogue(
    platform: Any, now: datetime, trust_pem: str, bidders: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    year = now.astimezone(_CST).year
    works = platform.create_project(
        None,
        wire.ProjectCreate(
            id=f"HFJS-{year}-0101",
            code=f"HFJS-{year}-0101",
            name="合肥市滨湖新区第十二中学新建工程施工",
            sector="工程建设",
        ),
    )
    goods = platform.create_project(
        None,
        wire.ProjectCreate(
            id=f"AHZC-{year}-0207",
            code=f"AHZC-{year}-0207",
            name="安徽省教育厅智慧教室信息化设备采购项目",
            sector="政府采购",
        ),
    )
    quick = (now + timedelta(minutes=QUICK_SECTION_MINUTES + 1)).replace(second=0, microsecond=0)
    later = _cst(now + timedelta(days=7), 9, 30)
    specs = [
        (works.id, f"{works.code}-01", "施工一标段（教学楼、实验楼）", later, WORKS_FORM),
        (works.id, f"{works.code}-02", "施工二标段（体育馆、室外工程）", quick, WORKS_FORM),
        (
            goods.id,
            f"{goods.code}-01",
            "第1包：交互式智能黑板",
            _cst(now + timedelta(days=10), 10, 0),
            PROCUREMENT_FORM,
        ),
    ]
    out = []
    for project_id, sid, name, deadline, form in specs:
        section = platform.create_section(
            None,
            wire.SectionCreate(
                id=sid,
                project_id=project_id,
                code=sid,
                name=name,
                deadline=deadline,
                opening_time=deadline,
                form=form,
                trusted_ca_pem=trust_pem,
            ),
        )
        platform.publish_document(
            None,
            sid,
            "招标文件.pdf",
            "tender",
            _pdf([f"SealBid SANDBOX tender documents - section {sid}", "Not a real tender."]),
        )
        if form is WORKS_FORM and deadline is later:
            note = (
                f"{name} 答疑澄清第1号：工期调整为 365 日历天，投标保证金 800,000.00 元。"
                "（沙箱示例，非真实招标）\n"
            )
            platform.publish_document(
                None, sid, "答疑澄清第1号.txt", "clarification", note.encode("utf-8")
            )
        for bidder_name, org in bidders:
            platform.register_bidder(
                None, sid, wire.BidderRegistration(org_code=org, name=bidder_name)
            )
        out.append(
            {
                "id": section.id,
                "name": name,
                "project_id": project_id,
                "deadline": iso_seconds(deadline),
                "opening_time": iso_seconds(deadline),
                "open_for_bids": platform.config.now() < deadline,
            }
        )
    return out
