"""The submission receipt (投标回执) as a printable PDF (A4 portrait).

    receipt = client.receipts.verify_receipt(signed, platform_cert=[ca])
    Path("投标回执.pdf").write_bytes(render_receipt(receipt, section=section))

It shows who submitted (or withdrew), for which section, the file's SHA-256 and size, when the
platform received it (北京时间 (UTC+8)), the sequence number, the previous receipt's digest, the
platform's signing certificate, and a QR code with::

    SEALBID-RECEIPT/1;p=<platform id>;s=<section id>;n=<sequence>;h=<receipt SHA-256>

(``h`` is the SHA-256 of the receipt's exact signed bytes). Given a
:class:`~client.receipts.VerifiedReceipt` it says the signature was verified and where the trust
came from; given a bare :class:`~client.wire.SignedReceipt` it says 未验证 / unverified — the
renderer never verifies anything itself. Deterministic: the creation date is the receipt's
``received_at``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, Spacer, Table  # type: ignore[import-untyped]

from client import wire
from client.receipts import VerifiedReceipt
from sealbid.errors import UsageError

from ._layout import (
    LABEL_BG,
    ZONE_NOTE,
    PdfMeta,
    Styles,
    build_pdf,
    cst,
    draw_footer,
    frame_style,
    grid_style,
    parse_time,
    qr_flowable,
)
from .fonts import load_fonts

__all__ = ["RECEIPT_QR_PREFIX", "receipt_qr_payload", "render_receipt"]

RECEIPT_QR_PREFIX = "SEALBID-RECEIPT/1"
PAGE = A4
MARGIN = 18 * mm
WIDTH = PAGE[0] - 2 * MARGIN
TRUST = {
    "platform-cert": "用户提供的平台证书 / a platform certificate you gave",
    "platform-info": "平台公布的证书链 / the platform's published chain",
    "stored": "本机保存的平台证书 / the platform certificate saved on this computer",
    "embedded": "签名自带的证书链（未锚定） / the chain inside the signature (unanchored)",
}


def _parsed(receipt: VerifiedReceipt | wire.SignedReceipt) -> tuple[wire.Receipt, str, str]:
    if isinstance(receipt, VerifiedReceipt):
        return receipt.receipt, receipt.sha256, receipt.signed.receipt
    try:
        parsed = wire.Receipt.model_validate(json.loads(receipt.receipt))
    except (ValueError, ValidationError) as exc:
        raise UsageError(what="回执内容无法解析 / the receipt cannot be parsed") from exc
    digest = hashlib.sha256(receipt.receipt.encode("utf-8")).hexdigest()
    return parsed, digest, receipt.receipt


def receipt_qr_payload(receipt: VerifiedReceipt | wire.SignedReceipt) -> str:
    """The text of the receipt's QR code (see the module docstring)."""
    r, digest, _ = _parsed(receipt)
    return f"{RECEIPT_QR_PREFIX};p={r.platform_id};s={r.section_id};n={r.sequence};h={digest}"


def render_receipt(
    receipt: VerifiedReceipt | wire.SignedReceipt,
    *,
    section: wire.Section | Mapping[str, Any] | None = None,
    project: wire.Project | Mapping[str, Any] | None = None,
) -> bytes:
    """The receipt as PDF bytes. ``section`` and ``project`` (optional) add their names and
    codes; the receipt itself names only the section's id."""
    fonts = load_fonts()
    st = Styles.for_fonts(fonts, cell_size=9.5)
    r, digest, _ = _parsed(receipt)
    sec = section.model_dump() if isinstance(section, wire.Section) else dict(section or {})
    proj = project.model_dump() if isinstance(project, wire.Project) else dict(project or {})
    qr = receipt_qr_payload(receipt)
    submit = r.kind == "submit"
    title = "投标回执" if submit else "撤回投标回执"

    if isinstance(receipt, VerifiedReceipt):
        cert = receipt.signer
        signer = f"{cert.subject.rfc4514_string()}\n序列号 / serial {cert.serial_number:x}"
        verified = f"已核验平台签名 / signature verified\n信任来源：{TRUST.get(receipt.trust, receipt.trust)}"
    else:
        signer = "—"
        verified = "未验证 / unverified（仅列出回执内容 / the receipt's content only）"

    L, V = st.label, st.cell
    rows: list[list[Any]] = []

    def row(label: str, value: str, style: Any = None) -> None:
        rows.append([st.c(label, L), st.c(value, style or V)])

    row("回执类型", "递交投标文件 / submission" if submit else "撤回投标 / withdrawal")
    row("交易平台", r.platform_id)
    if proj:
        row("项目", f"{proj.get('name', '—')}（{proj.get('code', '—')}）")
    row(
        "标段（包）",
        f"{sec.get('name', '')}（{sec.get('code', r.section_id)}）" if sec else r.section_id,
    )
    row("标段（包）标识", r.section_id, st.mono)
    row("投标人", r.bidder.name)
    row("统一社会信用代码", r.bidder.org_code or "—", st.mono)
    row("投标人证书 SHA-256", r.bidder.cert_sha256, st.mono_small)
    if submit:
        row("投标文件 SHA-256", r.file_sha256 or "—", st.mono)
        size = f"{r.file_size:,} 字节 / bytes" if r.file_size is not None else "—"
        row("投标文件大小", size)
    row("平台接收时间", f"{cst(r.received_at)}  {ZONE_NOTE}\n{r.received_at}（UTC）")
    row("回执序号", str(r.sequence))
    row("上一回执 SHA-256", r.previous_sha256, st.mono_small)
    row("本回执 SHA-256", digest, st.mono)
    row("平台签名证书", signer)
    row("签名核验", verified)
    label_w = 40 * mm
    table = Table(
        rows,
        colWidths=[label_w, WIDTH - label_w],
        style=grid_style(
            fonts.main, header_rows=0, extra=[("BACKGROUND", (0, 0), (0, -1), LABEL_BG)]
        ),
    )
    note = (
        "本回执由交易平台以其数字证书签名（CMS，RFC 5652），可离线核验：sealbid receipt verify，或"
        " openssl cms -verify。回执证明平台在上述时间收到上述摘要的投标文件；投标文件内容在开标前保持加密。"
        " / Signed by the platform; verify offline with SealBid or OpenSSL. It proves the platform"
        " received the file with this digest at this time; the bid stays encrypted until the opening."
    )
    story: list[Flowable] = [
        st.p(title, st.title),
        st.p("Bid Submission Receipt" if submit else "Withdrawal Receipt", st.subtitle),
        Spacer(1, 8 * mm),
        table,
        Spacer(1, 8 * mm),
        Table(
            [
                [
                    st.p(note, st.note),
                    [qr_flowable(qr, 36 * mm), st.c("扫码核验 / scan", st.cell_center)],
                ]
            ],
            colWidths=[WIDTH - 42 * mm, 42 * mm],
            style=frame_style(fonts.main, ("ALIGN", (1, 0), (1, 0), "RIGHT")),
        ),
        Spacer(1, 4 * mm),
        st.p(qr, st.mono_small),
    ]

    def footer(canvas: Any, page: int, total: int) -> None:
        draw_footer(
            canvas,
            fonts=fonts,
            page=page,
            total=total,
            pagesize=PAGE,
            left_text=f"{title} · 回执 SHA-256 {digest}",
            margin=MARGIN,
        )

    created = parse_time(r.received_at)
    meta = PdfMeta(
        title=f"{title} {r.bidder.name} {r.section_id} #{r.sequence}",
        created=created if created is not None else parse_time("2000-01-01T00:00:00Z"),  # type: ignore[arg-type]
        seed=f"receipt:{digest}:{qr}:{json.dumps(sec, sort_keys=True, default=str)}:{json.dumps(proj, sort_keys=True, default=str)}:{signer}:{verified}",
        subject=f"SealBid receipt, SHA-256 {digest}",
        author=r.platform_id,
        keywords=qr,
    )
    return build_pdf(
        story,
        meta=meta,
        pagesize=PAGE,
        footer=footer,
        fonts=fonts,
        margins=(MARGIN, MARGIN, 16 * mm, 18 * mm),
    )
