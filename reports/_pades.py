"""pyHanko glue for :mod:`reports.sign`: imported only when a PDF is signed (pyHanko is slow to
import). Nothing here is public API.

Pieces: :class:`IdentitySigner` (pyHanko's ``Signer`` over our ``Identity.sign_raw``, so a
token signs in the token), :class:`HttpTimeStamper` (RFC 3161 over httpx, the client the rest
of SealBid uses), the stamp (drawn by reportlab with a CJK TrueType font and imported as a form
XObject: pyHanko's own CJK text needs fontTools and uharfbuzz, two native dependencies more
for the same glyphs reportlab already embeds), and :func:`sign`.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar

import httpx
from asn1crypto import algos as asn1_algos
from asn1crypto import core as asn1_core
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import content, embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from crypto.errors import CryptoError
from crypto.identity import Identity, run_coroutine

from .sign import PdfSignError, StampBox

_CST = timezone(timedelta(hours=8), "CST")

# Stamp geometry, PDF points: 240 x 84 at 36 pt from the last page's bottom right corner.
STAMP_WIDTH, STAMP_HEIGHT, STAMP_MARGIN = 240, 84, 36

TSA_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
TSA_MAX_REPLY = 1 << 20


def _common_name(cert: x509.Certificate) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        attrs = cert.subject.get_attributes_for_oid(oid)
        if attrs:
            value = attrs[0].value
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return cert.subject.rfc4514_string()


def default_stamp_text(cert: x509.Certificate, when: datetime, reason: str, location: str) -> str:
    shown = when.astimezone(_CST).strftime("%Y-%m-%d %H:%M:%S CST")
    lines = [
        "电子签章 / Digital signature",
        f"签署人 Signer: {_common_name(cert)}",
        f"时间 Time: {shown}",
        f"事由 Reason: {reason}",
    ]
    if location:
        lines.append(f"地点 Location: {location}")
    return "\n".join(lines)


def stamp_pdf(text: str, width: float, height: float) -> bytes:
    """A one-page PDF of exactly ``width`` x ``height`` points: a red frame and ``text``, each
    line shrunk to fit. Deterministic (reportlab invariant mode)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
    from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

    from .fonts import _missing_sink, load_fonts

    fonts = load_fonts()  # the records' fonts: fallbacks, the bundled and Windows folders
    font = fonts.main
    sink = _missing_sink()

    def runs(line: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for name, chars in fonts.runs(line):
            if name is None:  # no font has it: shown as □U+…, and reported, never dropped
                if sink is not None:
                    sink.update(chars)
                out.append((font, "".join(f"□U+{ord(ch):04X}" for ch in chars)))
            else:
                out.append((name, chars))
        return out

    def width_of(parts: list[tuple[str, str]], size: float) -> float:
        return float(sum(stringWidth(chars, name, size) for name, chars in parts))

    out = io.BytesIO()
    c = Canvas(out, pagesize=(width, height), invariant=1, pageCompression=1)
    red = (0.78, 0.06, 0.06)
    c.setStrokeColorRGB(*red)
    c.setLineWidth(1.5)
    c.roundRect(1.5, 1.5, width - 3, height - 3, 4, stroke=1, fill=0)
    lines = [ln for ln in text.splitlines() if ln.strip()] or [" "]
    pad = 6.0
    leading = (height - 2 * pad) / len(lines)
    size = min(10.0, leading / 1.25)
    c.setFillColorRGB(*red)
    y = height - pad - size
    for i, line in enumerate(lines):
        parts = runs(line)
        line_size = size
        fits = width - 2 * pad
        w = width_of(parts, line_size)
        if w > fits:
            line_size = max(4.0, line_size * fits / w)
        x = pad
        for name, chars in parts:
            c.setFont(name, line_size + (1 if i == 0 else 0))
            c.drawString(x, y, chars)
            x += stringWidth(chars, name, line_size + (1 if i == 0 else 0))
        y -= leading
    c.showPage()
    c.save()
    return out.getvalue()


class BytesPdfPage(content.PdfContent):
    """pyHanko's ``ImportedPdfPage``, from bytes instead of a file name."""

    def __init__(self, data: bytes, page_ix: int = 0) -> None:
        self.data = data
        self.page_ix = page_ix
        super().__init__()

    def render(self) -> bytes:
        from pyhanko.pdf_utils.layout import BoxConstraints
        from pyhanko.pdf_utils.reader import PdfFileReader

        writer = self._ensure_writer
        reader = PdfFileReader(io.BytesIO(self.data))
        xobj = writer.import_page_as_xobject(reader, page_ix=self.page_ix)
        name = "/SealBidStamp"
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class IdentitySigner(signers.Signer):
    """pyHanko's ``Signer`` whose raw signature comes from ``Identity.sign_raw``.

    ``sign_raw`` signs SHA-256(message): RSA PKCS#1 v1.5 or DER ECDSA, the same on a token and
    for a PKCS#12 file. So the mechanism is fixed to sha256_rsa / sha256_ecdsa and any other
    digest is refused, not silently mislabelled.
    """

    def __init__(self, identity: Identity) -> None:
        self._identity = identity
        key = identity.signing_cert.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            mechanism = "sha256_rsa"
            self._size = key.key_size // 8
        elif isinstance(key, ec.EllipticCurvePublicKey):
            mechanism = "sha256_ecdsa"
            # DER ECDSA-Sig-Value: two INTEGERs of up to n+1 bytes in a SEQUENCE.
            n = (key.curve.key_size + 7) // 8
            self._size = 2 * (n + 3) + 3
        else:
            raise PdfSignError(what=f"unsupported key {type(key).__name__}")
        chain = [_asn1(c) for c in identity.chain]
        super().__init__(
            signing_cert=_asn1(identity.signing_cert),
            cert_registry=SimpleCertificateStore.from_certs(chain),
            signature_mechanism=asn1_algos.SignedDigestAlgorithm({"algorithm": mechanism}),
            embed_roots=True,
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if digest_algorithm.lower() != "sha256":
            raise SigningError(f"this identity signs SHA-256 only, not {digest_algorithm}")
        if dry_run:
            return bytes(self._size)
        # Called directly, not in a thread: a token identity serialises its session itself and
        # nothing else runs on this event loop.
        return self._identity.sign_raw(data)


class HttpTimeStamper(TimeStamper):
    """RFC 3161 over HTTP POST with httpx (application/timestamp-query → -reply)."""

    def __init__(self, url: str, *, timeout: httpx.Timeout = TSA_TIMEOUT) -> None:
        super().__init__(include_nonce=True)  # type: ignore[no-untyped-call]
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(
        self, req: asn1_tsp.TimeStampReq
    ) -> asn1_tsp.TimeStampResp:
        headers = {
            "Content-Type": "application/timestamp-query",
            "Accept": "application/timestamp-reply",
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                reply = await client.post(self.url, content=req.dump(), headers=headers)
        except httpx.HTTPError as exc:
            raise TimestampRequestError(f"{self.url}: {type(exc).__name__}: {exc}") from exc
        kind = reply.headers.get("content-type", "").split(";")[0].strip()
        if reply.status_code != 200 or kind != "application/timestamp-reply":
            raise TimestampRequestError(
                f"{self.url}: HTTP {reply.status_code} {kind or 'no content type'}: "
                + reply.text[:200]
            )
        if len(reply.content) > TSA_MAX_REPLY:
            raise TimestampRequestError(f"{self.url}: reply too large")
        try:
            resp = asn1_tsp.TimeStampResp.load(reply.content)
            resp.native  # noqa: B018 - parse it all now: asn1crypto is lazy
        except ValueError:
            raise TimestampRequestError(f"{self.url}: {_refusal(reply.content)}") from None
        return resp


class _StatusOnly(asn1_core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    # A rejection carries no token, which asn1crypto's TimeStampResp cannot parse.
    _fields: ClassVar[list[tuple[str, Any]]] = [("status", asn1_tsp.PKIStatusInfo)]


def _refusal(der: bytes) -> str:
    try:
        status = _StatusOnly.load(der)["status"].native
    except ValueError:
        return "not a TimeStampResp"
    text = "; ".join(status.get("status_string") or ())
    fail = ", ".join(sorted(status.get("fail_info") or ()))
    return f"TSA refused: {status.get('status')} {fail} {text}".strip()


class _TimedPdfSigner(signers.PdfSigner):
    """``PdfSigner`` with an injected signing time (``/M``, the stamp): deterministic tests."""

    def __init__(self, *args: Any, signing_time: datetime | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        if self._signing_time is not None:
            session.system_time = self._signing_time
        return session


def _media_box(writer: IncrementalPdfFileWriter, page_ix: int) -> tuple[float, ...]:
    page_ref, _resources = writer.find_page_for_modification(page_ix)  # type: ignore[no-untyped-call]
    node = page_ref.get_object()
    for _ in range(64):  # /MediaBox is inheritable; a page tree is never this deep
        if "/MediaBox" in node:
            return tuple(float(v) for v in node["/MediaBox"])
        if "/Parent" not in node:
            break
        node = node["/Parent"]
    return (0.0, 0.0, 595.0, 842.0)


def _default_box(writer: IncrementalPdfFileWriter) -> StampBox:
    x1, y1, x2, y2 = _media_box(writer, -1)[:4]
    right = max(x1, x2) - STAMP_MARGIN
    bottom = min(y1, y2) + STAMP_MARGIN
    return (right - STAMP_WIDTH, bottom, right, bottom + STAMP_HEIGHT)


def _embed(
    writer: IncrementalPdfFileWriter, attachments: Mapping[str, bytes], when: datetime
) -> None:
    for name, data in sorted(attachments.items()):
        mime = "application/json" if name.lower().endswith(".json") else None
        params = embed.EmbeddedFileParams(
            embed_size=True, embed_checksum=True, creation_date=when, modification_date=when
        )
        ef = embed.EmbeddedFileObject.from_file_data(
            writer, data=data, params=params, mime_type=mime
        )
        spec = embed.FileSpec(
            file_spec_string=name,
            file_name=name,
            embedded_data=ef,
            description=name,
            af_relationship=generic.NameObject("/Data"),
        )
        embed.embed_file(writer, spec)


def sign(
    pdf: bytes,
    identity: Identity,
    *,
    reason: str,
    location: str,
    field_name: str,
    stamp_text: str | None,
    stamp_box: StampBox | None,
    attachments: Mapping[str, bytes],
    timestamp_url: str | None,
    timestamper: Any,
    signing_time: datetime | None,
) -> bytes:
    when = (signing_time or datetime.now(UTC)).astimezone(UTC)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        box = stamp_box or _default_box(writer)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise PdfSignError(
            f"{type(exc).__name__}: {exc}", what="不是可读的 PDF / not a readable PDF"
        ) from exc
    # The second /ID half changes with every revision; pyHanko draws it at random. Derived
    # from the input instead, the same PDF, identity and time give the same bytes (RSA; ECDSA
    # and a TSA's token are randomised by nature).
    seed = hashlib.sha256(pdf + when.isoformat().encode() + field_name.encode()).digest()
    writer._document_id = generic.ArrayObject(
        [writer._document_id[0], generic.ByteStringObject(seed[:16])]
    )
    # pyHanko stamps the info dictionary's /ModDate with the wall clock (and the local time
    # zone) as it writes, overriding any value given: pin it to the signing time, or two
    # signings a second apart, or on two machines, differ.
    from pyhanko.pdf_utils.metadata.model import DocumentMetadata

    class _Pinned(DocumentMetadata):
        def __setattr__(self, name: str, value: Any) -> None:
            if name == "last_modified" and value == "now":
                value = when
            object.__setattr__(self, name, value)

    writer._meta = _Pinned(last_modified=when)
    x1, y1, x2, y2 = box
    if x2 <= x1 or y2 <= y1:
        raise PdfSignError(what=f"签章位置无效 / empty stamp box {box}")
    text = stamp_text or default_stamp_text(identity.signing_cert, when, reason, location)
    stamp = stamp_pdf(text, x2 - x1, y2 - y1)
    _embed(writer, attachments, when)

    if timestamper is None and timestamp_url is not None:
        timestamper = HttpTimeStamper(timestamp_url)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        name=_common_name(identity.signing_cert),
    )
    pdf_signer = _TimedPdfSigner(
        meta,
        IdentitySigner(identity),
        timestamper=timestamper,
        stamp_style=StaticStampStyle(background=BytesPdfPage(stamp), border_width=0),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=-1,
            box=(round(x1), round(y1), round(x2), round(y2)),
        ),
        signing_time=when,
    )
    out = io.BytesIO()
    try:
        run_coroutine(pdf_signer.async_sign_pdf(writer, output=out))
    except CryptoError:
        raise  # a token's refusal (PIN, removed key) says more than any wrapping would
    except TimestampRequestError as exc:
        raise PdfSignError(
            str(exc), what="时间戳服务失败 / the timestamp authority failed"
        ) from exc
    except (SigningError, PdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise PdfSignError(f"{type(exc).__name__}: {exc}", what=str(exc)[:200]) from exc
    return out.getvalue()
