"""Printable PDFs of SealBid records (no Qt): the opening record, receipts, bid summaries.

    from reports import collect_missing, render_record
    with collect_missing() as missing:
        pdf = render_record(doc)                       # a client.wire.SignedRecord
    if missing:
        warn("无字形 / no glyph for: " + " ".join(f"U+{ord(c):04X}" for c in sorted(missing)))
    Path("开标记录表.pdf").write_bytes(pdf)

Chinese text is drawn with embedded, subset TrueType fonts (:mod:`reports.fonts`); a character
no font has is drawn as ``□U+XXXX`` and reported, never dropped. Every PDF is deterministic:
the same input gives the same bytes. PAdES signing of these PDFs lives in ``reports.sign``.
"""

from __future__ import annotations

from .fonts import NoCJKFontError, collect_missing, load_fonts, missing_characters
from .receipt_pdf import receipt_qr_payload, render_receipt
from .record_pdf import qr_payload, render_record
from .summary_pdf import render_summary

__all__ = [
    "NoCJKFontError",
    "collect_missing",
    "load_fonts",
    "missing_characters",
    "qr_payload",
    "receipt_qr_payload",
    "render_receipt",
    "render_record",
    "render_summary",
]
