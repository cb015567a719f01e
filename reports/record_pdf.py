"""The opening record (开标记录表) as a printable PDF, laid out like an official Chinese form.

    doc = client.record.load_record(Path("record.json"))
    report = client.record.verify_record(doc, anchors=...)
    statuses = {i: c.ok for i, c in enumerate(report.signature_checks(), start=1)}  # optional
    Path("开标记录表.pdf").write_bytes(render_record(doc, statuses=statuses))

The renderer shows what the record says; it does not verify anything. Whether each signature is
valid is the verifier's answer, passed in ``statuses`` (keys: the 1-based position of the
signature in ``doc.signatures``, as in :mod:`client.record`'s ``signature:I`` checks); without it
the status column says 未验证 / unverified.

Layout: A4 landscape. The title, a header block (project, section, times in 北京时间 (UTC+8),
place, host, recorder, supervisor, outcome incl. 流标) with the QR code beside it; the bidders
table (its header row repeated on every page): number, name and 统一社会信用代码, submission time
with the file's full SHA-256 and size, sign-in time, decryption status (已解密/撤销/撤回/未开标 …)
with start and end time and cause, every field of the record's bid-summary form (money in figures
and 大写, taken from the record's ``summary_text``), confirmation status and time; then the
objections with their answers, the signature table, the steps of the opening, the count of
valid bids and the digests. Every page's footer has the record's SHA-256 and "第 x 页 共 y 页".

The QR code carries what an offline verifier needs to find and pin the record::

    SEALBID-RECORD/1;p=<platform id>;s=<section id>;r=<record SHA-256>;c=<closing SHA-256 or ->

``r`` is ``SignedRecord.record_sha256`` (SHA-256 of the record's canonical JSON text), ``c`` the
SHA-256 of the UTF-8 bytes of ``SignedRecord.closing`` (``-`` while the record is not closed);
with ``verify_url`` a last field ``;u=<url>`` is added. Values are percent-encoded where they
contain ``;``, ``=`` or ``%`` (platform and section ids normally do not). Digests are lower-case
hex.

The PDF is deterministic: the same record gives the same bytes (creation date = the closing's
``closed_at``, else the record's ``issued_at``; document ID from the record's digest).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from cryptography import x509
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    Spacer,
    Table,
)

from client import wire

from ._layout import (
    LABEL_BG,
    ZONE_NOTE,
    Cell,
    PdfMeta,
    Styles,
    build_pdf,
    cst,
    draw_footer,
    frame_style,
    grid_style,
    money_lines,
    parse_time,
    qr_flowable,
)
from .fonts import FontSet, load_fonts

__all__ = ["QR_PREFIX", "qr_payload", "render_record"]

QR_PREFIX = "SEALBID-RECORD/1"
PAGE = landscape(A4)
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN

DECRYPTION = {
    "pending": "待解密",
    "opened": "已解密",
    "failed": "解密失败",
    "revoked": "撤销",
    "withdrawn": "撤回",
    "not_opened": "未开标",
}
DECRYPTION_EN = {
    "pending": "pending",
    "opened": "opened",
    "failed": "failed",
    "revoked": "revoked",
    "withdrawn": "withdrawn",
    "not_opened": "not opened",
}
FAULT = {"bidder": "投标人原因", "platform": "平台原因（非投标人原因）"}
CONFIRMATION = {
    "confirmed": "已确认",
    "declined": "拒绝确认",
    "no_response": "未答复",
    "pending": "待确认",
}
ROLE = {"bidder": "投标人", "host": "主持人", "recorder": "记录人", "supervisor": "监督人"}
PHASE = {
    "signin": "开始签到",
    "listed": "公布投标人名单",
    "window": "开启解密",
    "closed": "解密结束、公布开标结果",
    "announced": "唱标",
    "confirming": "开始确认记录",
    "finished": "开标结束",
}
WEIGHTS = {"money": 3.0, "text": 1.2, "integer": 1.4, "choice": 1.0}
MIN_FIELD = 34.0


def _q(value: str) -> str:
    return quote(value, safe="-._~:/@!$&'()*+,")


def qr_payload(doc: wire.SignedRecord, *, verify_url: str | None = None) -> str:
    """The text the record's QR code carries (see the module docstring)."""
    body = _body(doc)
    platform_id = str((body.get("platform") or {}).get("id", ""))
    section_id = str((body.get("section") or {}).get("id", ""))
    closing = hashlib.sha256(doc.closing.encode("utf-8")).hexdigest() if doc.closing else "-"
    parts = [
        QR_PREFIX,
        f"p={_q(platform_id)}",
        f"s={_q(section_id)}",
        f"r={doc.record_sha256.lower()}",
        f"c={closing}",
    ]
    if verify_url:
        parts.append(f"u={_q(verify_url)}")
    return ";".join(parts)


def _body(doc: wire.SignedRecord) -> dict[str, Any]:
    try:
        body = json.loads(doc.record)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _closing(doc: wire.SignedRecord) -> dict[str, Any] | None:
    if not doc.closing:
        return None
    try:
        closing = json.loads(doc.closing)
    except ValueError:
        return None
    return closing if isinstance(closing, dict) else None


def _text(value: Any, missing: str = "—") -> str:
    if value is None or value == "":
        return missing
    return str(value)


def _der_sha256(signature_b64: str) -> str:
    try:
        return hashlib.sha256(base64.b64decode(signature_b64, validate=True)).hexdigest()
    except (binascii.Error, ValueError):
        return "—"


def _platform_signer(pem: str) -> str:
    """Subject and serial of the platform's signing certificate (the chain's first)."""
    try:
        certs = x509.load_pem_x509_certificates(pem.encode("ascii", "replace"))
    except ValueError:
        return "—"
    if not certs:
        return "—"
    leaf = certs[0]
    return f"{leaf.subject.rfc4514_string()}（序列号 / serial {leaf.serial_number:x}）"


@dataclass
class _Ctx:
    st: Styles
    fonts: FontSet
    body: dict[str, Any]
    closing: dict[str, Any] | None


def _header_block(ctx: _Ctx, doc: wire.SignedRecord, qr: str) -> Flowable:
    st, b = ctx.st, ctx.body
    project = b.get("project") or {}
    section = b.get("section") or {}
    window = b.get("window") or None
    bidders = b.get("bidders") or []

    def person(key: str) -> str:
        who = b.get(key) or {}
        return _text(who.get("name"))

    if b.get("outcome") == "failed":
        outcome = "流标（不开标） / failed tender"
        if b.get("outcome_reason"):
            outcome += f"：{b['outcome_reason']}"
    elif b.get("outcome") == "open":
        outcome = f"开标：投标人 {len(bidders)} 家，有效投标 {_text(b.get('valid_bids'))} 家"
    else:
        outcome = _text(b.get("outcome"))
    if window:
        win = (
            f"{cst(window.get('opened_at'))} 至 {cst(window.get('closes_at'))}；"
            f"实际结束 {cst(window.get('closed_at'))}"
        )
        for ext in window.get("extensions") or []:
            win += f"\n延长 {_text(ext.get('minutes'))} 分钟（{cst(ext.get('at'))}）：{_text(ext.get('reason'))}"
    else:
        win = "—（未开启解密 / no decryption window）"

    L, V = st.label, st.cell
    rows: list[list[Any]] = [
        [
            st.p("项目名称", L),
            st.p(_text(project.get("name")), V),
            st.p("项目编号", L),
            st.p(_text(project.get("code")), V),
        ],
        [
            st.p("标段（包）名称", L),
            st.p(_text(section.get("name")), V),
            st.p("标段（包）编号", L),
            st.p(_text(section.get("code")), V),
        ],
        [
            st.p("行业", L),
            st.p(_text(project.get("sector")), V),
            st.p("交易平台", L),
            st.p(
                f"{_text((b.get('platform') or {}).get('name'))}（{_text((b.get('platform') or {}).get('id'))}）",
                V,
            ),
        ],
        [
            st.p("投标截止时间", L),
            st.p(f"{cst(section.get('deadline'))}  {ZONE_NOTE}", V),
            st.p("开标时间", L),
            st.p(f"{cst(section.get('opening_time'))}  {ZONE_NOTE}", V),
        ],
        [
            st.p("开标地点", L),
            st.p(_text(b.get("place")), V),
            st.p("开标开始", L),
            st.p(cst(b.get("started_at")), V),
        ],
        [
            st.p("主持人", L),
            st.p(person("host"), V),
            st.p("记录人", L),
            st.p(person("recorder"), V),
        ],
        [
            st.p("监督人", L),
            st.p(person("supervisor"), V),
            st.p("招标文件版本", L),
            st.p(_text(section.get("tender_version")), V),
        ],
        [st.p("解密时限", L), st.p(win, V), st.p("开标结果", L), st.p(outcome, V)],
    ]
    spans: list[tuple[Any, ...]] = []
    if b.get("decision_reason"):
        rows.append([st.p("解密失败处理理由", L), st.p(str(b["decision_reason"]), V), "", ""])
        spans.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
    rows.append(
        [
            st.p("记录摘要 SHA-256", L),
            st.p(doc.record_sha256, st.mono),
            st.p("记录版本", L),
            st.p(f"第 {_text(b.get('revision'))} 版（{cst(b.get('issued_at'))} 生成）", V),
        ]
    )
    qr_w = 34 * mm
    table_w = WIDTH - qr_w - 4 * mm
    label_w = 74.0
    value_w = (table_w - 2 * label_w) / 2
    header = Table(
        rows,
        colWidths=[label_w, value_w, label_w, value_w],
        style=grid_style(
            st.fonts.main,
            header_rows=0,
            extra=[
                ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
                ("BACKGROUND", (2, 0), (2, -1), LABEL_BG),
                *spans,
            ],
        ),
    )
    qr_cell = [
        qr_flowable(qr, 30 * mm),
        st.p("扫码核验 / scan to verify", st.cell_center),
    ]
    outer = Table(
        [[header, qr_cell]],
        colWidths=[table_w + 4 * mm, qr_w],
        style=frame_style(st.fonts.main),
    )
    return outer


def _confirmations(ctx: _Ctx, doc: wire.SignedRecord) -> dict[int, tuple[str, str | None]]:
    """Bidder number → (status key, time): from the closing when the record is closed, else
    from the bidders' signatures so far."""
    out: dict[int, tuple[str, str | None]] = {}
    if ctx.closing is not None:
        for c in ctx.closing.get("confirmations") or []:
            if isinstance(c, dict) and isinstance(c.get("number"), int):
                out[c["number"]] = (str(c.get("status")), c.get("at"))
        return out
    by_code: dict[str, int] = {}
    for bidder in ctx.body.get("bidders") or []:
        if bidder.get("org_code") and isinstance(bidder.get("number"), int):
            by_code[str(bidder["org_code"])] = bidder["number"]
    for sig in doc.signatures:
        if sig.role != "bidder" or sig.org_code not in by_code:
            continue
        status = "confirmed" if sig.decision == "confirm" else "declined"
        out[by_code[sig.org_code]] = (status, sig.signed_at)
    return out


def _bidders_table(ctx: _Ctx, doc: wire.SignedRecord) -> list[Flowable]:
    st, b = ctx.st, ctx.body
    fields = [f for f in ((b.get("form") or {}).get("fields") or []) if isinstance(f, dict)]
    fixed = [
        ("序号", 20.0),
        ("投标人名称\n统一社会信用代码", 130.0),
        ("递交时间\n投标文件 SHA-256 / 大小", 102.0),
        ("签到时间", 48.0),
        ("解密状态\n开始—结束时间 / 原因", 90.0),
    ]
    confirm_w = 50.0
    rest = WIDTH - sum(w for _, w in fixed) - confirm_w
    weights = [WEIGHTS.get(str(f.get("type")), 1.3) for f in fields]
    combined = not fields or rest * min(weights) / sum(weights) < MIN_FIELD
    if combined:
        field_cols = [("开标一览表（唱标内容）", rest)]
    else:
        field_cols = [
            (_text(f.get("label"), str(f.get("key"))), rest * w / sum(weights))
            for f, w in zip(fields, weights, strict=True)
        ]
    cols = [*fixed, *field_cols, ("确认情况\n确认时间", confirm_w)]
    head = [st.c(label, st.head) for label, _ in cols]
    rows: list[list[Any]] = [head]
    confirmations = _confirmations(ctx, doc)
    spans: list[tuple[Any, ...]] = []
    n_fixed = len(fixed)
    for bidder in b.get("bidders") or []:
        sub = bidder.get("submission") or {}
        dec = bidder.get("decryption") or {}
        digest = str(sub.get("file_sha256") or "")
        size = sub.get("file_size")
        size_text = f"{size:,} 字节" if isinstance(size, int) else ""
        status = str(dec.get("status"))
        status_text = f"{DECRYPTION.get(status, status)} / {DECRYPTION_EN.get(status, status)}"
        dec_parts: list[Any] = [status_text]
        if dec.get("started_at") or dec.get("ended_at"):
            dec_parts.append(
                (f"{cst(dec.get('started_at'))} —\n{cst(dec.get('ended_at'))}", st.small)
            )
        if dec.get("attempts"):
            dec_parts.append((f"尝试 {dec['attempts']} 次", st.small))
        if dec.get("fault"):
            dec_parts.append((FAULT.get(str(dec["fault"]), str(dec["fault"])), st.small))
        if dec.get("cause"):
            dec_parts.append((f"原因：{dec['cause']}", st.small))
        if dec.get("reason"):
            dec_parts.append((f"主持人理由：{dec['reason']}", st.small))
        conf_key, conf_at = confirmations.get(bidder.get("number"), ("pending", None))
        row: list[Any] = [
            st.c(_text(bidder.get("number")), st.cell_center),
            st.cl(
                [_text(bidder.get("name")), (_text(bidder.get("org_code")), st.mono_small)], st.cell
            ),
            st.cl(
                [
                    cst(sub.get("received_at")),
                    (digest[:32], st.mono_small),
                    (digest[32:], st.mono_small),
                    (size_text, st.small),
                ],
                st.cell,
            ),
            st.c(cst(bidder.get("signed_in_at"), missing="未签到"), st.cell_center),
            st.cl(dec_parts, st.cell),
        ]
        summary = bidder.get("summary")
        texts = bidder.get("summary_text") or {}
        if not isinstance(summary, dict):
            row.append(st.c(f"—（{DECRYPTION.get(status, status)}，无唱标内容）", st.cell_center))
            row.extend("" for _ in field_cols[1:])
            if len(field_cols) > 1:
                r = len(rows)
                spans.append(("SPAN", (n_fixed, r), (n_fixed + len(field_cols) - 1, r)))
        elif combined:
            parts: list[Any] = []
            for f in fields:
                key = str(f.get("key"))
                parts.append(f"{_text(f.get('label'), key)}：{_field_text(f, summary, texts)}")
            row.append(st.cl(parts, st.cell))
        else:
            for f in fields:
                row.append(_field_cell(ctx, f, summary, texts))
        row.append(
            st.cl(
                [CONFIRMATION.get(conf_key, conf_key), (cst(conf_at, missing=""), st.small)],
                st.cell_center,
            )
        )
        rows.append(row)
    if len(rows) == 1:
        rows.append([st.c("（无投标人 / no bidders）", st.cell_center)] + [""] * (len(cols) - 1))
        spans.append(("SPAN", (0, 1), (-1, 1)))
    table = LongTable(
        rows,
        colWidths=[w for _, w in cols],
        repeatRows=1,
        style=grid_style(st.fonts.main, extra=[("VALIGN", (0, 1), (-1, -1), "TOP"), *spans]),
    )
    return [
        Paragraph(
            ctx.fonts.markup("一、投标人开标情况", font=st.h2.fontName)
            + f'<font size="8" color="#555555">　（表中时间均为{ZONE_NOTE}）</font>',
            st.h2,
        ),
        table,
    ]


def _field_text(f: Mapping[str, Any], summary: Mapping[str, Any], texts: Mapping[str, Any]) -> str:
    key = str(f.get("key"))
    if key not in summary:
        return "—"
    if f.get("type") == "money":
        figures, capitals = money_lines(summary[key], f.get("unit"), texts.get(key))
        return figures + (f"（{capitals}）" if capitals else "")
    shown = texts.get(key)
    if shown:
        return str(shown)
    unit = f.get("unit")
    return f"{summary[key]} {unit}" if unit else _text(summary[key])


def _field_cell(
    ctx: _Ctx, f: Mapping[str, Any], summary: Mapping[str, Any], texts: Mapping[str, Any]
) -> Cell:
    st = ctx.st
    key = str(f.get("key"))
    if f.get("type") == "money" and key in summary:
        figures, capitals = money_lines(summary[key], f.get("unit"), texts.get(key))
        return st.cl([figures, (capitals or "", st.small)], st.cell)
    return st.c(_field_text(f, summary, texts), st.cell)


def _objections(ctx: _Ctx) -> list[Flowable]:
    st = ctx.st
    items = [o for o in (ctx.body.get("objections") or []) if isinstance(o, dict)]
    title = st.p("二、异议及答复", st.h2)
    if not items:
        return [title, st.p("开标过程中无异议。/ No objections were raised.", st.body)]
    cols = [
        ("序号", 24.0),
        ("提出人", 120.0),
        ("提出时间", 62.0),
        ("异议内容", 0.0),
        ("答复", 0.0),
        ("答复人\n答复时间", 80.0),
    ]
    free = (WIDTH - sum(w for _, w in cols)) / 2
    widths = [w or free for _, w in cols]
    rows: list[list[Any]] = [[st.c(label, st.head) for label, _ in cols]]
    for o in items:
        rows.append(
            [
                st.c(_text(o.get("id")), st.cell_center),
                st.cl(
                    [_text(o.get("raised_by")), (_text(o.get("org_code"), ""), st.mono_small)],
                    st.cell,
                ),
                st.c(cst(o.get("raised_at")), st.cell_center),
                st.c(_text(o.get("text")), st.cell),
                st.c(_text(o.get("answer"), "（未答复 / not answered）"), st.cell),
                st.cl(
                    [
                        _text(o.get("answered_by")),
                        (cst(o.get("answered_at"), missing=""), st.small),
                    ],
                    st.cell,
                ),
            ]
        )
    table = LongTable(
        rows,
        colWidths=widths,
        repeatRows=1,
        style=grid_style(st.fonts.main, extra=[("VALIGN", (0, 1), (-1, -1), "TOP")]),
    )
    return [title, table]


def _signatures(
    ctx: _Ctx, doc: wire.SignedRecord, statuses: Mapping[int, bool] | None
) -> list[Flowable]:
    st = ctx.st
    title = st.p("三、签字确认", st.h2)
    note = st.p(
        "各方以数字证书对本记录摘要签名；“核验状态”由核验程序填写，本表仅如实列出记录所载内容。"
        " / Each party signs the record's digest with its certificate; the status column is the"
        " verifier's answer.",
        st.note,
    )
    if not doc.signatures:
        return [title, note, st.p("尚无签名 / no signatures yet", st.body)]
    cols = [
        ("序号", 24.0),
        ("签署人", 120.0),
        ("角色", 40.0),
        ("证书主题 / 序列号 / 签名 SHA-256", 0.0),
        ("签署时间", 62.0),
        ("签署意见", 120.0),
        ("核验状态", 58.0),
    ]
    free = WIDTH - sum(w for _, w in cols)
    widths = [w or free for _, w in cols]
    rows: list[list[Any]] = [[st.c(label, st.head) for label, _ in cols]]
    for i, sig in enumerate(doc.signatures, start=1):
        decision = "确认 / confirm" if sig.decision == "confirm" else "拒绝 / decline"
        if sig.reason:
            decision += f"：{sig.reason}"
        verdict = None if statuses is None else statuses.get(i)
        status = {True: "有效\nvalid", False: "无效\ninvalid", None: "未验证\nunverified"}[verdict]
        rows.append(
            [
                st.c(str(i), st.cell_center),
                st.cl([sig.name, (sig.org_code or "", st.mono_small)], st.cell),
                st.c(ROLE.get(sig.role, sig.role), st.cell_center),
                st.cl(
                    [
                        (sig.subject, st.small),
                        (f"序列号 {sig.serial}", st.mono_small),
                        (f"签名 {_der_sha256(sig.signature)}", st.mono_small),
                    ],
                    st.cell,
                ),
                st.c(cst(sig.signed_at), st.cell_center),
                st.c(decision, st.cell),
                st.c(status, st.cell_center),
            ]
        )
    extra: list[tuple[Any, ...]] = [("VALIGN", (0, 1), (-1, -1), "TOP")]
    for r in range(1, len(rows)):
        verdict = None if statuses is None else statuses.get(r)
        if verdict is False:
            extra.append(("TEXTCOLOR", (6, r), (6, r), "#c00000"))
    table = LongTable(
        rows, colWidths=widths, repeatRows=1, style=grid_style(st.fonts.main, extra=extra)
    )
    return [title, note, Spacer(1, 2), table]


def _steps(ctx: _Ctx) -> list[Flowable]:
    st = ctx.st
    steps = [t for t in (ctx.body.get("transitions") or []) if isinstance(t, dict)]
    if not steps:
        return []
    rows: list[list[Any]] = [[st.p(x, st.head) for x in ("环节", "时间", "操作人")]]
    for t in steps:
        phase = str(t.get("phase"))
        rows.append(
            [
                st.p(f"{PHASE.get(phase, phase)}（{phase}）"),
                st.p(cst(t.get("at")), st.cell_center),
                st.p(_text(t.get("by"))),
            ]
        )
    table = Table(
        rows,
        colWidths=[160.0, 90.0, 200.0],
        repeatRows=1,
        hAlign="LEFT",
        style=grid_style(st.fonts.main),
    )
    return [st.p("四、开标过程", st.h2), table]


def _closing_block(ctx: _Ctx, doc: wire.SignedRecord, qr: str) -> list[Flowable]:
    st, b = ctx.st, ctx.body
    closing_sha = hashlib.sha256(doc.closing.encode("utf-8")).hexdigest() if doc.closing else None
    if ctx.closing is not None:
        state = f"已闭合 / closed：{cst(ctx.closing.get('closed_at'))}（平台闭合签名）"
    elif doc.closed:
        state = "已闭合（闭合内容无法解析） / closed (unreadable closing)"
    else:
        state = "未闭合：确认期内，签名可能继续增加 / not closed: signatures may still be added"
    L, V = st.label, st.cell
    rows = [
        [
            st.p("有效投标数量", L),
            st.p(
                f"{_text(b.get('valid_bids'))} 家（投标人共 {len(b.get('bidders') or [])} 家）", V
            ),
        ],
        [st.p("记录摘要 SHA-256", L), st.p(doc.record_sha256, st.mono)],
        [st.p("记录状态", L), st.p(state, V)],
        [st.p("闭合内容 SHA-256", L), st.p(closing_sha or "—", st.mono)],
        [st.p("平台签名证书", L), st.p(_platform_signer(doc.platform_certificates), V)],
        [st.p("二维码内容", L), st.p(qr, st.mono_small)],
        [
            st.p("核验方法", L),
            st.p(
                "以 SealBid 离线核验：sealbid record verify 本记录的 JSON 或 PDF；或以 OpenSSL 核验平台对记录"
                "原文的 CMS 签名，并比对记录摘要（见 docs/opening.md）。 / Verify offline with"
                " `sealbid record verify`, or with OpenSSL against the record's JSON text.",
                V,
            ),
        ],
    ]
    table = Table(
        rows,
        colWidths=[80.0, WIDTH - 80.0 - 36 * mm],
        style=grid_style(
            st.fonts.main, header_rows=0, extra=[("BACKGROUND", (0, 0), (0, -1), LABEL_BG)]
        ),
    )
    outer = Table(
        [[table, [qr_flowable(qr, 32 * mm)]]],
        colWidths=[WIDTH - 36 * mm, 36 * mm],
        style=frame_style(st.fonts.main, ("ALIGN", (1, 0), (1, 0), "RIGHT")),
    )
    return [KeepTogether([st.p("五、记录摘要与核验", st.h2), outer])]


def _created(body: Mapping[str, Any], closing: Mapping[str, Any] | None) -> datetime:
    for value in ((closing or {}).get("closed_at"), body.get("issued_at")):
        when = parse_time(value)
        if when is not None:
            return when
    return datetime(2000, 1, 1, tzinfo=UTC)  # a record without times: reportlab's invariant date


def render_record(
    doc: wire.SignedRecord,
    *,
    verify_url: str | None = None,
    statuses: Mapping[int, bool] | None = None,
) -> bytes:
    """The opening record as PDF bytes (A4 landscape), deterministic for the same arguments.

    ``statuses``: 1-based signature position → valid, from the verifier; missing entries and
    ``None`` show 未验证 / unverified. ``verify_url`` goes into the QR code and the record.
    Raises :class:`~reports.fonts.NoCJKFontError` when no Chinese font is installed.
    """
    fonts = load_fonts()
    st = Styles.for_fonts(fonts)
    body = _body(doc)
    ctx = _Ctx(st, fonts, body, _closing(doc))
    qr = qr_payload(doc, verify_url=verify_url)
    project = body.get("project") or {}
    section = body.get("section") or {}

    story: list[Flowable] = [
        st.p("开标记录表", st.title),
        st.p(
            f"Bid Opening Record　·　{_text(project.get('name'), '')}　{_text(section.get('name'), '')}",
            st.subtitle,
        ),
        Spacer(1, 5),
        _header_block(ctx, doc, qr),
        Spacer(1, 4),
        *_bidders_table(ctx, doc),
        *_objections(ctx),
        *_signatures(ctx, doc, statuses),
        *_steps(ctx),
        *_closing_block(ctx, doc, qr),
    ]
    if verify_url:
        story.append(st.p(f"在线核验 / verify online: {verify_url}", st.note))

    footer_left = (
        f"开标记录表 · {_text(section.get('code'), '')} · 记录摘要 SHA-256 {doc.record_sha256}"
    )

    def footer(canvas: Any, page: int, total: int) -> None:
        draw_footer(
            canvas,
            fonts=fonts,
            page=page,
            total=total,
            pagesize=PAGE,
            left_text=footer_left,
            margin=MARGIN,
        )

    meta = PdfMeta(
        title=f"开标记录表 {_text(section.get('code'), '')} {_text(section.get('name'), '')}".strip(),
        created=_created(body, ctx.closing),
        seed=f"record:{doc.record_sha256}:{hashlib.sha256(doc.model_dump_json().encode()).hexdigest()}:{qr}:{sorted((statuses or {}).items())}",
        subject=f"SealBid opening record, SHA-256 {doc.record_sha256}",
        author=_text((body.get("platform") or {}).get("name"), "SealBid"),
        keywords=qr,
    )
    return build_pdf(
        story,
        meta=meta,
        pagesize=PAGE,
        footer=footer,
        fonts=fonts,
        margins=(MARGIN, MARGIN, 10 * mm, 15 * mm),
    )
