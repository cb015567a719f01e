"""Opening record → PDF: time (median of 5) and size, against a plain-Latin reportlab table peer.

    .venv/bin/python -m bench.report_pdf                       # a synthesised 500-bidder record
    .venv/bin/python -m bench.report_pdf --record /tmp/ob500e/record.json --json

The peer is reportlab alone laying out a table of the same rows and columns with the same amount
of text per cell, in Helvetica (no CJK fonts, no subsetting, no per-character font choice): what
the layout engine costs without anything SealBid adds. Targets from issue 5 (a 500-bidder record:
< 2 s and < 2 MB) are printed beside the figures, never asserted (bench/README.md).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import statistics
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from client import wire
from client.record import load_record
from reports import render_record
from sealbid import money
from sealbid.uscc import with_check_character

TARGET_S = 2.0
TARGET_BYTES = 2 * 1024 * 1024
FIELDS = [
    {
        "key": "price",
        "label": "投标报价",
        "type": "money",
        "unit": "元",
        "required": True,
        "choices": [],
    },
    {
        "key": "duration",
        "label": "工期",
        "type": "integer",
        "unit": "日历天",
        "required": True,
        "choices": [],
    },
    {
        "key": "quality",
        "label": "质量标准",
        "type": "choice",
        "unit": None,
        "required": True,
        "choices": ["合格", "优良"],
    },
    {
        "key": "manager",
        "label": "项目负责人",
        "type": "text",
        "unit": None,
        "required": True,
        "choices": [],
    },
    {
        "key": "bond",
        "label": "投标保证金",
        "type": "money",
        "unit": "元",
        "required": True,
        "choices": [],
    },
]


def _t(minute: int, second: int = 0) -> str:
    return f"2026-11-26T02:{minute:02d}:{second:02d}Z"


def synthesise(n: int) -> wire.SignedRecord:
    """A record of ``n`` bidders shaped like the platform's (it does not verify: layout only)."""
    bidders = []
    for i in range(1, n + 1):
        org = with_check_character(f"91340100MA{i:07d}")
        price = Decimal(30000000 + i * 12345) + Decimal("0.62")
        bidders.append(
            {
                "number": i,
                "name": f"基准测试第{i:04d}建设工程有限公司",
                "org_code": org,
                "cert_sha256": hashlib.sha256(f"c{i}".encode()).hexdigest(),
                "submission": {
                    "received_at": _t(29, i % 60),
                    "file_sha256": hashlib.sha256(f"f{i}".encode()).hexdigest(),
                    "file_size": 16000 + i,
                    "receipt": "{}",
                    "receipt_signature": "",
                },
                "signed_in_at": _t(31, i % 60),
                "decryption": {
                    "status": "opened",
                    "started_at": _t(32),
                    "ended_at": _t(32, 1),
                    "attempts": 1,
                    "fault": None,
                    "cause": None,
                    "reason": None,
                },
                "summary": {
                    "price": str(price),
                    "duration": 300 + i % 90,
                    "quality": "合格",
                    "manager": "张伟",
                    "bond": "800000.00",
                },
                "summary_text": {
                    "price": money.display(price, "元"),
                    "duration": f"{300 + i % 90} 日历天",
                    "quality": "合格",
                    "manager": "张伟",
                    "bond": money.display("800000.00", "元"),
                },
            }
        )
    body = {
        "format": "sealbid-opening-record",
        "version": "1.0",
        "revision": 1,
        "platform": {"id": "sealbid-sandbox", "name": "SealBid 参考交易平台（沙箱）"},
        "project": {
            "id": "BENCH",
            "code": "BENCH",
            "name": f"开标基准测试项目（{n} 家投标人）",
            "sector": "工程建设",
        },
        "section": {
            "id": "BENCH-01",
            "code": "BENCH-01",
            "name": "施工标段",
            "deadline": _t(31),
            "opening_time": _t(31),
            "tender_version": None,
        },
        "place": "不见面开标大厅（网上开标） / online remote-opening hall",
        "host": {"name": "张明（主持人）", "subject": "CN=张明（主持人）,OU=host,C=CN"},
        "recorder": {"name": "李娜（记录人）", "subject": "CN=李娜（记录人）,OU=recorder,C=CN"},
        "supervisor": {"name": "王强（监督人）", "subject": "CN=王强（监督人）,OU=supervisor,C=CN"},
        "trusted_ca_pem": "",
        "outcome": "open",
        "outcome_reason": None,
        "started_at": _t(31),
        "window": {
            "opened_at": _t(31, 43),
            "closes_at": "2026-11-26T03:01:43Z",
            "closed_at": _t(32, 8),
            "extensions": [],
        },
        "form": {"fields": FIELDS},
        "bidders": bidders,
        "valid_bids": n,
        "objections": [],
        "decision_reason": None,
        "transitions": [{"phase": "signin", "at": _t(31), "by": "host:张明（主持人）"}],
        "issued_at": _t(32, 9),
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()
    sig = base64.b64encode(b"\x30" * 1800).decode()
    staff = [
        ("host", "张明（主持人）", None),
        ("recorder", "李娜（记录人）", None),
        ("supervisor", "王强（监督人）", None),
    ]
    people = staff + [("bidder", b["name"], b["org_code"]) for b in bidders]
    signatures = [
        wire.RecordSignature(
            role=role,
            name=name,
            org_code=org,
            subject=f"CN={name},OU={role},C=CN",
            serial=hashlib.sha256(name.encode()).hexdigest()[:40],
            certificate="",
            decision="confirm",
            reason=None,
            signed_at=_t(32, 9),
            statement="{}",
            signature=sig,
        )
        for role, name, org in people
    ]
    return wire.SignedRecord(
        record=text,
        record_sha256=digest,
        platform_signature="",
        platform_certificates="",
        signatures=tuple(signatures),
    )


def peer(doc: wire.SignedRecord) -> bytes:
    """The same table shape in plain reportlab: Helvetica strings, no CJK, no per-char fonts."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import LongTable, SimpleDocTemplate

    body = json.loads(doc.record)
    rows = [["x" * 8] * 11]
    for _ in body["bidders"]:
        rows.append(
            [
                "1",
                "x" * 30,
                "x" * 70,
                "x" * 19,
                "x" * 40,
                "x" * 50,
                "x" * 8,
                "x" * 4,
                "x" * 4,
                "x" * 40,
                "x" * 20,
            ]
        )
    sigs = [
        ["1", "x" * 30, "x" * 6, "x" * 150, "x" * 19, "x" * 10, "x" * 10] for _ in doc.signatures
    ]
    widths = [20, 130, 102, 48, 90, 104, 48, 35, 41, 104, 50]
    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=landscape(A4), invariant=1)
    style = [("FONTSIZE", (0, 0), (-1, -1), 6), ("GRID", (0, 0), (-1, -1), 0.4, "black")]
    wrapped = [[_wrap(c, w) for c, w in zip(r, widths, strict=True)] for r in rows]
    sig_widths = [24, 120, 40, 300, 62, 112, 60]
    wrapped_sigs = [[_wrap(c, w) for c, w in zip(r, sig_widths, strict=True)] for r in sigs]
    pdf.build(
        [
            LongTable(wrapped, colWidths=widths, repeatRows=1, style=style),
            LongTable(wrapped_sigs, colWidths=sig_widths, style=style),
        ]
    )
    return out.getvalue()


def _wrap(text: str, width: float) -> str:
    per = max(int(width / 3.4), 1)  # Helvetica 6 pt: about 3.4 pt per character
    return "\n".join(text[i : i + per] for i in range(0, len(text), per))


def _median(fn: Any, repeat: int) -> tuple[float, list[float], bytes]:
    times, out = [], b""
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--record", type=Path, help="a record JSON (default: synthesise one)")
    ap.add_argument("--bidders", type=int, default=500, help="bidders of the synthesised record")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, help="write the PDF here")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    doc = load_record(args.record) if args.record else synthesise(args.bidders)
    n = len(json.loads(doc.record).get("bidders") or [])
    render_record(doc)  # warm-up: font files parsed and registered once per process
    med, times, pdf = _median(lambda: render_record(doc), args.repeat)
    peer_med, _, peer_pdf = _median(lambda: peer(doc), args.repeat)
    if args.out:
        args.out.write_bytes(pdf)
    pages = pdf.count(b"/Type /Page\n")
    result = {
        "bidders": n,
        "signatures": len(doc.signatures),
        "pages": pages,
        "render_s_median": round(med, 3),
        "render_s": [round(t, 3) for t in times],
        "pdf_bytes": len(pdf),
        "peer_s_median": round(peer_med, 3),
        "peer_bytes": len(peer_pdf),
        "ratio_time_vs_peer": round(med / peer_med, 2),
        "targets": {
            "render_s": TARGET_S,
            "pdf_bytes": TARGET_BYTES,
            "met": med < TARGET_S and len(pdf) < TARGET_BYTES,
            "stated_at_bidders": 500,
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"record → PDF: {n} bidders, {len(doc.signatures)} signatures, {pages} pages")
        print(
            f"  sealbid   median {med:.3f} s  ({', '.join(f'{t:.3f}' for t in times)})  {len(pdf):,} bytes"
        )
        print(
            f"  peer      median {peer_med:.3f} s  {len(peer_pdf):,} bytes (plain Helvetica table, same shape)"
        )
        print(f"  ratio     {med / peer_med:.2f}× the peer's time")
        print(
            f"  targets   < {TARGET_S} s and < {TARGET_BYTES:,} bytes at 500 bidders:"
            f" {'met' if result['targets']['met'] else 'NOT met'}"
        )  # type: ignore[index]
    return 0


if __name__ == "__main__":
    sys.exit(main())
