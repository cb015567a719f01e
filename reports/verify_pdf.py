"""Check the PAdES signatures of a SealBid PDF, offline, and read the files it embeds.

    report = verify_pdf(Path("开标记录.pdf").read_bytes(), trust=[sandbox_ca])
    print(report.render())                     # √/× per check, both languages
    if report.ok: ...                          # every check passed
    record_json = report.attachment("record.json")   # bytes, or None; .covered says signed

Like :class:`client.record.RecordReport`, verification does not stop at the first fault: each
signature gets its checks — integrity (the signed bytes and the CMS signature), coverage (the
signature covers the whole document: nothing but validation data and document timestamps may
follow it, and later signatures only if they pass too), the signer's chain to ``trust``, and
the RFC 3161 signature timestamp when there is one — and each embedded file is checked to be
inside a revision that a good signature covers. A PDF without signatures is never ``ok``.

Incremental updates after signing (added text, annotations, a page removed from the page
tree) are found by pyHanko's difference analysis and fail the coverage check; rewritten files
and swapped signature values fail integrity.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from client.record import Check, Checks

__all__ = ["Check", "EmbeddedFile", "PdfReport", "PdfSignature", "verify_pdf"]

# Depth and count limits for walking a hostile PDF's name tree.
_MAX_TREE_DEPTH = 16
_MAX_EMBEDDED = 256
_NULL_HANDLER = logging.NullHandler()


@dataclass(frozen=True)
class PdfSignature:
    """What one signature says and what its checks found."""

    index: int
    """1-based, in the order the signatures were added."""
    field_name: str
    signer: str
    """The signer certificate's subject (RFC 4514)."""
    signer_cert: x509.Certificate | None
    signing_time: datetime | None
    """The time the signer claims (``/M`` or the signing-time attribute): not proof."""
    timestamp: datetime | None
    """The RFC 3161 signature timestamp's time, when it is present and verifies."""
    reason: str | None
    location: str | None
    coverage: str
    """pyHanko's coverage level: ``ENTIRE_FILE``, ``ENTIRE_REVISION``, … or ``UNKNOWN``."""
    modification: str | None
    """Modifications after this signature: ``NONE``, ``LTA_UPDATES``, ``FORM_FILLING``,
    ``ANNOTATIONS``, ``OTHER``; None when not analysed."""
    intact: bool
    trusted: bool


@dataclass(frozen=True)
class EmbeddedFile:
    name: str
    data: bytes
    covered: bool
    """The same name with the same bytes is in a revision a good signature covers."""


@dataclass
class PdfReport(Checks):
    """Every check of one PDF (see the module docstring)."""

    signatures: list[PdfSignature] = field(default_factory=list)
    attachments: dict[str, EmbeddedFile] = field(default_factory=dict)

    @property
    def timestamped(self) -> bool:
        """The newest signature carries a timestamp that verifies (PAdES B-T)."""
        return bool(self.signatures) and self.signatures[-1].timestamp is not None

    def attachment(self, name: str) -> bytes | None:
        """An embedded file's bytes (whether a signature covers them: ``attachments[name]``)."""
        found = self.attachments.get(name)
        return found.data if found is not None else None

    def render(self, language: str | None = None) -> str:
        """Lines for a terminal: √/× per check and the verdict; ``language`` None: both."""

        def say(zh: str, en: str) -> str:
            if language is None:
                return f"{zh} / {en}"
            return zh if language.lower().startswith("zh") else en

        lines = []
        for s in self.signatures:
            when = s.timestamp or s.signing_time
            lines.append(
                f"{say('签名', 'signature')} {s.index} ({s.field_name}): {s.signer}"
                + (f", {when.isoformat()}" if when else "")
            )
        for c in self.checks:
            mark = "√" if c.ok else "×"  # both in GBK: a Chinese Windows console shows them
            lines.append(f"{mark} {c.name(language)}" + (f": {c.detail}" if c.detail else ""))
        lines.append(
            say("结论：PDF 签名有效", "verdict: the PDF signatures are valid")
            if self.ok
            else say("结论：PDF 签名无效", "verdict: the PDF signatures are NOT valid")
        )
        return "\n".join(lines)


def _both(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def _embedded_files(reader: Any) -> dict[str, bytes]:
    """The document's embedded files (/Root /Names /EmbeddedFiles), name → bytes."""
    from pyhanko.pdf_utils import generic

    out: dict[str, bytes] = {}
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]
    except (KeyError, TypeError):
        return out

    def walk(node: Any, depth: int) -> None:
        if depth > _MAX_TREE_DEPTH or len(out) >= _MAX_EMBEDDED:
            return
        node = node.get_object()
        if "/Kids" in node:
            for kid in node["/Kids"]:
                walk(kid, depth + 1)
        if "/Names" in node:
            names = node["/Names"]
            for i in range(0, len(names) - 1, 2):
                key, spec = names[i], names[i + 1].get_object()
                name = key if isinstance(key, str) else str(key)
                if isinstance(spec, generic.DictionaryObject):
                    name = str(spec.get("/UF", spec.get("/F", name)))
                    ef = spec.get("/EF")
                    stream = ef.get("/F") if ef is not None else None
                    if stream is not None:
                        if name in out:
                            # Two files of one name: which one a reader shows is anyone's
                            # guess. Neither counts.
                            duplicates.add(name)
                        out[name] = bytes(stream.get_object().data)

    duplicates: set[str] = set()
    walk(tree, 0)
    for name in duplicates:
        out.pop(name, None)
    return out


def _cert(asn1_cert: Any) -> x509.Certificate | None:
    try:
        return x509.load_der_x509_certificate(asn1_cert.dump())
    except ValueError:
        return None


def verify_pdf(
    pdf: bytes,
    *,
    trust: Sequence[x509.Certificate],
    require_timestamp: bool = False,
    at: datetime | None = None,
) -> PdfReport:
    """Check every signature of ``pdf`` against the anchors ``trust`` (and read the embedded
    files). ``require_timestamp``: a signature without a valid RFC 3161 timestamp fails.
    ``at``: judge certificates at this moment instead of now (tests with a moved clock)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from crypto.identity import run_coroutine

    # pyHanko logs every failed path build with a traceback; the report says it once, in words.
    # (A NullHandler stops Python's last-resort stderr output; an app's own logging still sees
    # the records through propagation.)
    logging.getLogger("pyhanko").addHandler(_NULL_HANDLER)
    report = PdfReport()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = list(reader.embedded_regular_signatures)
        attachments = _embedded_files(reader)
    except Exception as exc:  # hostile input: anything unreadable is a failed check
        report._add("pdf", "PDF 可读", "readable PDF", False, f"{type(exc).__name__}: {exc}")
        return report
    report._add("pdf", "PDF 可读", "readable PDF", True)
    if not report._add(
        "signatures",
        "含签名",
        "has signatures",
        bool(signatures),
        "" if signatures else _both("没有签名", "no signature"),
    ):
        for name, data in attachments.items():
            report.attachments[name] = EmbeddedFile(name, data, False)
        return report

    roots = [asn1_x509.Certificate.load(t.public_bytes(serialization.Encoding.DER)) for t in trust]

    def context(moment: datetime | None = None) -> Any:
        return ValidationContext(
            trust_roots=roots,
            moment=moment or at,
            allow_fetching=False,
            revocation_mode="soft-fail",
        )

    good = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES}
    sound: list[bool] = []  # per signature: intact, valid and trusted
    levels: list[Any] = []
    covered_revisions: list[bytes] = []
    for i, sig in enumerate(signatures, 1):
        status: Any = None
        error = ""
        try:
            status = run_coroutine(async_validate_pdf_signature(sig, context(), context()))
            ts = status.timestamp_validity
            if not status.trusted and ts is not None and ts.valid and ts.trusted:
                # Long-term: judge the signer's chain at the time the TSA vouches for.
                status = run_coroutine(
                    async_validate_pdf_signature(sig, context(ts.timestamp), context())
                )
        except Exception as exc:  # any failure to validate is a failed check
            error = f"{type(exc).__name__}: {exc}"[:300]
        cert = _cert(sig.signer_cert) if status is None else _cert(status.signing_cert)
        subject = cert.subject.rfc4514_string() if cert is not None else "?"
        name = str(sig.field_name)
        intact = status is not None and bool(status.intact and status.valid)
        trusted = status is not None and bool(status.trusted)
        ts = status.timestamp_validity if status is not None else None
        ts_ok = ts is not None and bool(ts.intact and ts.valid and ts.trusted)
        level = status.modification_level if status is not None else None
        coverage = status.coverage if status is not None else None
        report.signatures.append(
            PdfSignature(
                index=i,
                field_name=name,
                signer=subject,
                signer_cert=cert,
                signing_time=status.signer_reported_dt if status is not None else None,
                timestamp=ts.timestamp if ts_ok and ts is not None else None,
                reason=_text(sig.sig_object.get("/Reason")),
                location=_text(sig.sig_object.get("/Location")),
                coverage=coverage.name if coverage is not None else "UNKNOWN",
                modification=level.name if level is not None else None,
                intact=intact,
                trusted=trusted,
            )
        )
        report._add(
            f"integrity:{i}",
            f"签名 {i} 完整",
            f"signature {i} intact",
            intact,
            error
            or (
                subject
                if intact
                else _both(
                    "签名值或签名范围内的内容被改动",
                    "the signature value or the signed bytes were changed",
                )
            ),
        )
        sound.append(intact and trusted)
        levels.append(level)
        covers = status is not None and (
            coverage == SignatureCoverageLevel.ENTIRE_FILE
            or (coverage == SignatureCoverageLevel.ENTIRE_REVISION and level in good)
        )
        # A signature followed by later signatures only (FORM_FILLING) is judged after the loop.
        report._add(
            f"coverage:{i}",
            f"签名 {i} 覆盖整个文档",
            f"signature {i} covers the whole document",
            covers,
            _coverage_detail(coverage, level),
        )
        if status is not None:
            if trusted:
                report._add(
                    f"trust:{i}",
                    f"签名 {i} 证书可信",
                    f"signature {i} certificate trusted",
                    True,
                    subject,
                )
            else:
                report._add(
                    f"trust:{i}",
                    f"签名 {i} 证书可信",
                    f"signature {i} certificate trusted",
                    False,
                    _both("证书链无法验证到信任锚", "no valid chain to a trust anchor")
                    + (
                        f" ({status.trust_problem_indic.name})"
                        if status.trust_problem_indic
                        else ""
                    ),
                )
        if ts is not None:
            report._add(
                f"timestamp:{i}",
                f"签名 {i} 时间戳有效",
                f"signature {i} timestamp valid",
                ts_ok,
                ts.timestamp.isoformat()
                if ts_ok
                else _both("时间戳无效或不可信", "timestamp invalid or untrusted"),
            )
        elif require_timestamp:
            report._add(
                f"timestamp:{i}",
                f"签名 {i} 时间戳有效",
                f"signature {i} timestamp valid",
                False,
                _both("没有时间戳", "no timestamp"),
            )
        if intact:
            # The bytes of an intact signature's revision are signed, whatever came after (a
            # later change is the coverage check's business, not the attachment's).
            covered_revisions.append(_signed_revision(pdf, sig))

    _later_signatures_only(report, sound, levels, ModificationLevel.FORM_FILLING)

    revisions: list[dict[str, bytes]] = []
    for data in covered_revisions:
        try:
            revisions.append(_embedded_files(PdfFileReader(io.BytesIO(data), strict=False)))
        except Exception:  # noqa: S112 - an unreadable revision covers nothing
            continue
    for name, data in sorted(attachments.items()):
        covered = any(rev.get(name) == data for rev in revisions)
        report.attachments[name] = EmbeddedFile(name, data, covered)
        report._add(
            f"attachment:{name}",
            f"附件 {name} 在签名范围内",
            f"attachment {name} covered by a signature",
            covered,
        )
    return report


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _signed_revision(pdf: bytes, sig: Any) -> bytes:
    # The signed revision is the file up to the end of the byte range (Contents excluded).
    _, _, start2, len2 = (int(v) for v in sig.byte_range)
    return pdf[: start2 + len2]


def _coverage_detail(coverage: Any, level: Any) -> str:
    if coverage is None:
        return _both("无法判断签名范围", "coverage could not be determined")
    if coverage.name == "ENTIRE_FILE":
        return _both("签名覆盖整个文件", "the signature covers the entire file")
    if level is None:
        return _both("签名后有无法分析的改动", "changes after signing that could not be analysed")
    return {
        "NONE": _both("签名后无改动", "no change after signing"),
        "LTA_UPDATES": _both("签名后仅添加了验证数据", "only validation data added after signing"),
        "FORM_FILLING": _both("签名后添加了其他签名", "later signatures added after signing"),
        "ANNOTATIONS": _both(
            "签名后添加了批注（可能遮盖内容）",
            "annotations added after signing (may cover content)",
        ),
        "OTHER": _both(
            "签名后文档被修改（增量更新）",
            "the document was changed after signing (incremental update)",
        ),
    }.get(level.name, str(level.name))


def _later_signatures_only(
    report: PdfReport, sound: list[bool], levels: list[Any], form_filling: Any
) -> None:
    """A signature followed by FORM_FILLING changes is fine when those changes are later
    signatures that are sound themselves and the newest signature covers the rest."""
    last_ok = bool(sound) and sound[-1] and report.check(f"coverage:{len(sound)}").ok
    for i, level in enumerate(levels, 1):
        if level != form_filling or i == len(levels):
            continue
        if last_ok and all(sound[i:]):
            key = f"coverage:{i}"
            report.checks = [
                Check(c.key, c.name_zh, c.name_en, True, c.detail) if c.key == key else c
                for c in report.checks
            ]


def revision_layout(pdf: bytes) -> tuple[int, list[int]]:
    """How many revisions ``pdf`` has, and for each signature (in order) the revision it
    signs (0 = the file as first written). Cheap: no signature is validated."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return reader.xrefs.total_revisions, [
        s.signed_revision for s in reader.embedded_regular_signatures
    ]


def pages_unchanged(pdf: bytes, base: int, revision: int) -> bool:
    """Whether every page's content and resources in ``revision`` are those of ``base``, and
    the only annotations added are signature widgets: an update that draws over the page
    (new content streams, changed resources, a free-text or stamp annotation) is refused."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    old = reader.get_historical_resolver(base)
    new = reader.get_historical_resolver(revision)
    old_pages = _pages(old)
    new_pages = _pages(new)
    if len(old_pages) != len(new_pages):
        return False
    for a, b in zip(old_pages, new_pages, strict=True):
        for key in ("/Contents", "/Resources", "/MediaBox"):
            if _raw(a.get(key)) != _raw(b.get(key)):
                return False
        before = {_raw(x) for x in (a.get("/Annots") or [])}
        for annot in b.get("/Annots") or []:
            if _raw(annot) in before:
                continue
            obj = annot.get_object()
            if obj.get("/Subtype") != "/Widget" or obj.get("/FT") not in (None, "/Sig"):
                return False
    return True


def _pages(resolver: Any) -> list[Any]:
    out: list[Any] = []

    def walk(node: Any, depth: int) -> None:
        if depth > _MAX_TREE_DEPTH or len(out) > 100_000:
            return
        node = node.get_object()
        if node.get("/Type") == "/Pages":
            for kid in node.get("/Kids") or []:
                walk(kid, depth + 1)
        else:
            out.append(node)

    walk(resolver.root["/Pages"], 0)
    return out


def _raw(value: Any) -> str:
    """A reference as its object id, any other value as its repr (for comparing revisions)."""
    from pyhanko.pdf_utils import generic

    if isinstance(value, generic.IndirectObject):
        return f"ref {value.idnum} {value.generation}"
    return repr(value)


def embedded_files(pdf: bytes) -> dict[str, bytes]:
    """The PDF's embedded files by name, without validating anything (a name used twice is
    left out)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return _embedded_files(PdfFileReader(io.BytesIO(pdf), strict=False))
    except Exception:  # hostile input: nothing readable, nothing embedded
        return {}
