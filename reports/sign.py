"""PAdES signatures on SealBid's PDFs: sign a record or receipt PDF with any :class:`Identity`.

    from reports.sign import sign_pdf
    signed = sign_pdf(
        pdf, identity, reason="开标记录签章", location="合肥",
        attachments={"record.json": record_bytes},          # embedded, covered by the signature
        timestamp_url="https://platform.example/api/v1/tsa",  # PAdES B-T; None: B-B
    )

The signature is PAdES (ETSI.CAdES.detached, SHA-256), made through ``identity.sign_raw`` so a
PKCS#11 token (:class:`crypto.token.TokenIdentity`) signs exactly like a PKCS#12 file; the key
never leaves the token. A visible stamp (Chinese text, WenQuanYi Zen Hei subset) goes on the last
page in ``stamp_box`` (default: bottom right). The attachments are embedded in the same
incremental update as the signature field, before the byte range is hashed, so the signature
covers them. :func:`reports.verify_pdf.verify_pdf` checks all of it.

pyHanko is imported only when a PDF is actually signed (it costs ~0.3 s per process), so
importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from crypto.identity import Identity
from sealbid.errors import SealBidError

__all__ = ["DEFAULT_FIELD", "PdfSignError", "StampBox", "sign_pdf"]

DEFAULT_FIELD = "SealBid-Signature"

StampBox = tuple[float, float, float, float]
"""(x1, y1, x2, y2) in PDF points on the last page, origin bottom left."""


class PdfSignError(SealBidError):
    """The PDF could not be signed: unreadable input, the key refused, the TSA failed."""

    code = "pdf.sign"
    zh = "无法签署 PDF：{what}"
    en = "Cannot sign the PDF: {what}"


def sign_pdf(
    pdf: bytes,
    identity: Identity,
    *,
    reason: str,
    location: str,
    field_name: str = DEFAULT_FIELD,
    stamp_text: str | None = None,
    stamp_box: StampBox | None = None,
    attachments: Mapping[str, bytes] | None = None,
    timestamp_url: str | None = None,
    timestamper: Any = None,
    signing_time: datetime | None = None,
) -> bytes:
    """``pdf`` with one more PAdES signature by ``identity`` (an incremental update).

    ``stamp_text``: the visible stamp's lines (``\\n``-separated); ``None`` gives signer, time,
    reason and location. ``attachments``: file name → bytes, embedded before signing.
    ``timestamp_url``: an RFC 3161 TSA (HTTP POST application/timestamp-query) for a signature
    timestamp, making it PAdES B-T; ``timestamper``: a pyHanko ``TimeStamper`` instead (tests).
    ``signing_time``: the claimed signing time (``/M`` and the stamp); default now.

    Raises :class:`PdfSignError`; a token's own refusal (PIN, removed key) passes through as
    its :class:`crypto.errors.TokenError`.
    """
    from . import _pades

    return _pades.sign(
        pdf,
        identity,
        reason=reason,
        location=location,
        field_name=field_name,
        stamp_text=stamp_text,
        stamp_box=stamp_box,
        attachments=dict(attachments or {}),
        timestamp_url=timestamp_url,
        timestamper=timestamper,
        signing_time=signing_time,
    )
