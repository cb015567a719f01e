"""The opening record (开标记录) offline: load and save record files, verify them check by check.

A :class:`~client.wire.SignedRecord` is the record's canonical JSON text signed by the platform,
every participant's signed statement, and once finished the platform's closing signature
(docs/opening.md, "The record"). Anyone can check one without the platform::

    doc = load_record(Path("开标记录.json"))
    report = verify_record(doc, anchors=store.pinned(platform_id))   # or a --platform-cert
    print(report.render())                                           # √/× per check
    if not report.ok: ...
    report.final                                                     # closed by the platform

Unlike receipts, a record is not one signature but many, so verification does not stop at the
first fault: it returns a :class:`RecordReport` with every check (the record's form and digest,
the platform's signature, each bidder's embedded receipt, each participant's signature, the
closing) and whether it is anchored. Without anchors (no pinned platform certificate, no
``--platform-cert``) the platform's signatures are checked against the chain the record carries:
intact, but *unanchored* (未锚定), as :mod:`client.receipts` labels such receipts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from crypto import canonical_json
from crypto._files import atomic_write
from crypto.cms import VerifiedSigner, validate_path, verify_detached
from crypto.errors import SignatureError
from sealbid.errors import SealBidError, UsageError

from . import wire
from .errors import RecordInvalidError
from .receipts import (
    TrustSource,
    VerifiedReceipt,
    _is_ca,
    _parse_receipt,
    _self_signed,
    load_certificates,
    receipt_signers,
)

__all__ = [
    "Check",
    "RecordPdf",
    "RecordReport",
    "fetch_record_pdf",
    "load_record",
    "record_digest_ok",
    "save_record",
    "verify_record",
]

CONFIRMATIONS = ("confirmed", "declined", "no_response")


# --- files -----------------------------------------------------------------------------------


def load_record(path: Path) -> wire.SignedRecord:
    """A saved record file (the JSON of :class:`wire.SignedRecord`, as downloaded)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(what=f"{path}: {exc.strerror}") from exc
    try:
        return wire.SignedRecord.model_validate_json(data)
    except ValidationError as exc:
        raise RecordInvalidError(
            str(exc)[:300], what=f"{path}: 不是开标记录文件 / not an opening record file"
        ) from exc


def save_record(path: Path, doc: wire.SignedRecord) -> Path:
    """Write ``doc`` to ``path`` atomically (the file appears whole or not at all)."""
    path = Path(path)
    body = doc.model_dump_json(indent=2).encode("utf-8") + b"\n"
    try:
        if path.parent != Path():
            path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, body)
    except OSError as exc:
        raise UsageError(what=f"{path}: {exc.strerror}") from exc
    return path


# --- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One check of a record and its outcome."""

    key: str
    """Stable id: ``format``, ``canonical``, ``digest``, ``platform``, ``receipt:N`` (bidder
    number N), ``signature:I`` (I-th signature, from 1), ``closing``, ``closing-signature``,
    ``own-receipt:SEQ``."""
    name_zh: str
    name_en: str
    ok: bool
    detail: str = ""
    """What was found, in both languages where it is prose (names and digests as they are)."""

    def name(self, language: str | None = None) -> str:
        if language is None:
            return f"{self.name_zh} / {self.name_en}"
        return self.name_zh if language.lower().startswith("zh") else self.name_en


@dataclass
class Checks:
    """A report's checks, in order, and what every report asks of them (the record's here,
    the PDF's in :mod:`reports.verify_pdf`)."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every check passed (and there was at least one)."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def check(self, key: str) -> Check:
        """The check with ``key`` (KeyError when there is none: for tests and scripts)."""
        for c in self.checks:
            if c.key == key:
                return c
        raise KeyError(key)

    def _add(self, key: str, zh: str, en: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(key, zh, en, ok, detail))
        return ok


@dataclass
class RecordReport(Checks):
    """Every check of one signed record (see the module docstring). A record that is not
    final may still be ``ok`` as far as it goes."""

    trust: TrustSource | None = None
    """Where the platform certificate's anchor came from (``embedded``: unanchored)."""
    final: bool = False
    """The platform closed the record (``closed`` with a closing that verifies)."""
    body: dict[str, Any] | None = None
    """The parsed record body, when it parses."""

    @property
    def complete(self) -> bool:
        """Everything a final answer needs: every check passed, the platform's signatures are
        anchored outside the record, and the platform has closed it."""
        return self.ok and self.anchored and self.final

    @property
    def anchored(self) -> bool:
        """The platform's signatures were checked against a certificate from outside the record
        (``--platform-cert`` or the one saved when the client talked to the platform)."""
        return self.trust in ("platform-cert", "platform-info", "stored")

    def render(self, language: str | None = None) -> str:
        """Lines for a terminal: a heading, √/× per check, the verdict. ``language`` None:
        both languages."""

        def say(zh: str, en: str) -> str:
            if language is None:
                return f"{zh} / {en}"
            return zh if language.lower().startswith("zh") else en

        lines = []
        b = self.body or {}
        project, section = b.get("project") or {}, b.get("section") or {}
        platform = b.get("platform") or {}
        if platform:
            lines.append(
                f"{say('平台', 'platform')}: {platform.get('name', '-')} ({platform.get('id', '-')})"
            )
        if section:
            lines.append(
                f"{say('开标记录', 'opening record')}: {project.get('name', '-')} — "
                f"{section.get('name', '-')} ({section.get('id', '-')})"
            )
            lines.append(
                f"  {say('版本', 'revision')} {b.get('revision', '-')}, "
                f"{say('结果', 'outcome')} {b.get('outcome', '-')}, "
                f"{say('有效投标', 'valid bids')} {b.get('valid_bids', '-')}"
            )
        for c in self.checks:
            mark = "√" if c.ok else "×"  # both in GBK: a Chinese Windows console shows them
            lines.append(f"{mark} {c.name(language)}" + (f": {c.detail}" if c.detail else ""))
        if self.trust == "embedded":
            lines.append(
                say(
                    "未锚定：平台签名仅凭记录自带的证书链验证，未与平台证书核对；请用 --platform-cert 指定平台公布的证书",
                    "UNANCHORED: the platform's signatures were checked only against the chain"
                    " the record carries; give --platform-cert with the platform's published"
                    " certificate for a full verification",
                )
            )
        if not self.final:
            lines.append(
                say(
                    "尚未结束：平台尚未对开标记录作最终签署（签名可能仍在收集中）",
                    "NOT FINAL: the platform has not closed the record yet (signatures may"
                    " still be coming)",
                )
            )
        if self.complete:
            lines.append(say("开标记录验证通过", "the opening record verifies"))
        elif self.ok:
            lines.append(
                say(
                    "已检查的各项均通过，但记录"
                    + ("未锚定" if not self.anchored else "")
                    + ("、" if not self.anchored and not self.final else "")
                    + ("尚未结束" if not self.final else "")
                    + "，不能作为最终结论",
                    "every check passed, but the record is "
                    + " and ".join(
                        w
                        for w, c in (
                            ("UNANCHORED", not self.anchored),
                            ("NOT FINAL", not self.final),
                        )
                        if c
                    )
                    + ": not a final answer",
                )
            )
        else:
            lines.append(
                say(
                    f"开标记录验证失败（{len(self.failed())} 项）",
                    f"the opening record does NOT verify ({len(self.failed())} failed)",
                )
            )
        return "\n".join(lines)


# --- helpers ---------------------------------------------------------------------------------


class _Fail(Exception):
    """A check failed; the text says why (both languages)."""


def _both(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def _err(exc: SealBidError) -> str:
    return _both(exc.diagnostics("zh_CN"), exc.diagnostics("en_US"))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Fail(_both(f"重复的键 {key!r}", f"duplicate key {key!r}"))
        out[key] = value
    return out


def _canonical(text: str, what: str) -> dict[str, Any]:
    """``text`` parsed, refusing anything but its exact canonical JSON object."""
    data = text.encode("utf-8")
    try:
        obj = json.loads(data, object_pairs_hook=_no_duplicates)
    except ValueError as exc:
        raise _Fail(_both(f"{what}不是 JSON", f"{what}: not JSON")) from exc
    if not isinstance(obj, dict):
        raise _Fail(_both(f"{what}不是 JSON 对象", f"{what}: not a JSON object"))
    if canonical_json(obj) != data:
        raise _Fail(_both(f"{what}不是规范 JSON", f"{what}: not canonical JSON"))
    return obj


def _time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise _Fail(_both(f"{what} 缺失", f"{what} missing"))
    try:
        t = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _Fail(_both(f"{what} 时间格式无效", f"{what}: not a time")) from exc
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _signed_time(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise _Fail(_both(f"签名时间 {value!r} 格式无效", f"signed time {value!r}")) from exc


def _b64(text: str | None, what: str) -> bytes:
    if not text:
        raise _Fail(_both(f"{what}缺失", f"{what} missing"))
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _Fail(_both(f"{what}不是 base64", f"{what}: not base64")) from exc


def _fingerprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


def _org_code(cert: x509.Certificate) -> str | None:
    attrs = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
    return str(attrs[0].value) if attrs else None


def _certs(pem: str, what: str) -> list[x509.Certificate]:
    try:
        return load_certificates(pem)
    except UsageError as exc:
        raise _Fail(_both(f"{what}无法解析", f"{what}: not certificates")) from exc


@dataclass(frozen=True)
class _Trust:
    roots: list[x509.Certificate]
    pins: list[x509.Certificate] | None
    source: TrustSource
    problem: str | None = None


def _trust(
    carried: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate] | None,
    pinned: Sequence[x509.Certificate] | None,
) -> _Trust:
    """Where the platform's signatures are anchored, and the certificates the signer must be
    one of (as :mod:`client.receipts` decides for receipts)."""
    if anchors:
        leaves = [c for c in anchors if not _is_ca(c)]
        if leaves:
            return _Trust(list(anchors), leaves, "platform-cert")
        if pinned:
            return _Trust(list(anchors), receipt_signers(pinned), "platform-cert")
        return _Trust(
            list(anchors),
            [],
            "platform-cert",
            _both(
                "无法锁定签名证书：--platform-cert 只含 CA，且本地没有保存平台的签名证书；请给出平台公布的签名证书",
                "the signer could not be pinned: the platform certificate given holds only CA"
                " certificates and none is saved locally; give the platform's published"
                " signing certificate",
            ),
        )
    if pinned:
        roots = [c for c in pinned if _self_signed(c)]
        return _Trust(roots or list(pinned[:1]), receipt_signers(pinned), "stored")
    roots = [c for c in carried if _self_signed(c)]
    problem = None
    if not roots:
        problem = _both(
            "记录中没有平台根证书，请用 --platform-cert 指定",
            "no platform root in the record; give --platform-cert",
        )
    return _Trust(roots, receipt_signers(carried) if carried else [], "embedded", problem)


def _platform_signed(trust: _Trust, signature: bytes, data: bytes, at: datetime) -> VerifiedSigner:
    """The platform's detached signature over ``data``, anchored and pinned."""
    if trust.problem:
        raise _Fail(trust.problem)
    try:
        signer = verify_detached(signature, data, trust=None, at=at)
        signer = validate_path(signer, trust=trust.roots, at=at)
    except SignatureError as exc:
        raise _Fail(_err(exc)) from exc
    except (ValueError, TypeError) as exc:
        raise _Fail(_both("签名无法解析", f"the signature does not parse ({exc})")) from exc
    if trust.pins is not None and _fingerprint(signer.cert) not in {
        _fingerprint(c) for c in trust.pins
    }:
        raise _Fail(
            _both(
                f"签名者 {signer.cert.subject.rfc4514_string()} 不是平台的签名证书",
                f"signed by {signer.cert.subject.rfc4514_string()}, not by the platform's"
                " signing certificate",
            )
        )
    return signer


def _rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    rows = body.get("bidders")
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _confirmations(value: Any, rows: list[dict[str, Any]]) -> dict[str, str]:
    """``closing.confirmations`` as ``{org_code: status}``, whichever of the obvious shapes
    the platform chose: a mapping (by org code or bidder number) or a list of objects."""
    by_number = {str(r.get("number")): str(r.get("org_code")) for r in rows}
    out: dict[str, str] = {}

    def status_of(v: Any) -> str:
        if isinstance(v, dict):
            v = v.get("status", v.get("confirmation"))
        return str(v)

    if isinstance(value, dict):
        for k, v in value.items():
            out[by_number.get(str(k), str(k))] = status_of(v)
    elif isinstance(value, list):
        for item in value:
            if not isinstance(item, dict):
                raise _Fail(_both("确认状态格式无效", "confirmations: bad entry"))
            org = item.get("org_code")
            if org is None and "number" in item:
                org = by_number.get(str(item["number"]))
            out[str(org)] = status_of(item)
    else:
        raise _Fail(_both("确认状态缺失", "confirmations missing"))
    return out


def signature_digest(sig: wire.RecordSignature) -> str:
    """SHA-256 (hex) of a signature's DER (its base64 ``signature`` decoded): what the
    closing's ``signatures`` list names, in the order of ``SignedRecord.signatures``."""
    try:
        der = base64.b64decode(sig.signature, validate=True)
    except (binascii.Error, ValueError):
        return "-"
    return hashlib.sha256(der).hexdigest()


# --- verification ----------------------------------------------------------------------------


def verify_record(
    doc: wire.SignedRecord,
    *,
    anchors: Sequence[x509.Certificate] | None,
    pinned: Sequence[x509.Certificate] | None = None,
    receipts: Sequence[VerifiedReceipt] = (),
    at: datetime | None = None,
) -> RecordReport:
    """Check a signed record; never raises for what is in it (see :class:`RecordReport`).

    ``anchors``: the platform certificate(s) to anchor at (``--platform-cert``: its leaf is
    then the signer every platform signature must come from). ``pinned``: the platform chain
    saved when the client talked to the platform (:meth:`ReceiptStore.pinned`): the anchor when
    ``anchors`` is None, and the pin when ``anchors`` holds only CAs. Neither: unanchored.
    ``receipts``: the user's own receipts; the record's row for that bidder must name the file
    of the latest one for the section. ``at``: judge every certificate at this moment instead
    of the time each signature claims (the record's ``issued_at``, a receipt's
    ``received_at``, a statement's ``time``, the closing's ``closed_at``).
    """
    report = RecordReport()
    # 1. the container and the body's form
    try:
        if doc.format != wire.SIGNED_RECORD_FORMAT or doc.version != "1.0":
            raise _Fail(f"{doc.format} {doc.version}")
        body = _canonical(doc.record, "记录正文 / record")
        report.body = body
        if body.get("format") != wire.RECORD_FORMAT or body.get("version") != "1.0":
            raise _Fail(f"{body.get('format')} {body.get('version')}")
        report._add("format", "格式与版本", "format and version", True, f"{doc.format} 1.0")
    except _Fail as exc:
        report._add("format", "格式与版本", "format and version", False, str(exc))
        return report
    report._add("canonical", "记录正文为规范 JSON", "record text is canonical JSON", True)
    # 2. the digest
    digest = hashlib.sha256(doc.record.encode("utf-8")).hexdigest()
    report._add(
        "digest",
        "记录摘要",
        "record digest",
        digest == doc.record_sha256,
        digest if digest == doc.record_sha256 else f"{digest} ≠ {doc.record_sha256}",
    )
    platform = body.get("platform") or {}
    section = body.get("section") or {}
    platform_id, section_id = platform.get("id"), section.get("id")
    rows = _rows(body)

    # 3. the platform's signature over the record text
    try:
        carried = _certs(doc.platform_certificates, "平台证书 / platform certificates")
    except _Fail:
        carried = []
    trust = _trust(carried, anchors, pinned)
    report.trust = trust.source
    try:
        issued = _time(body.get("issued_at"), "issued_at")
        signer = _platform_signed(
            trust, _b64(doc.platform_signature, "平台签名 / platform signature"),
            doc.record.encode("utf-8"), at or issued,
        )  # fmt: skip
        report._add(
            "platform",
            "平台签名",
            "platform signature",
            True,
            signer.cert.subject.rfc4514_string(),
        )
    except _Fail as exc:
        report._add("platform", "平台签名", "platform signature", False, str(exc))

    # 4. every bidder's embedded receipt
    for row in rows:
        _check_receipt(report, trust, row, platform_id, section_id, at)

    # 5. every participant's signature
    try:
        trusted_ca = _certs(str(body.get("trusted_ca_pem") or ""), "trusted_ca_pem")
    except _Fail:
        trusted_ca = []
    for i, sig in enumerate(doc.signatures, 1):
        _check_signature(report, i, sig, doc, body, rows, trusted_ca, at)
    _check_signers(report, doc, rows)

    # 6. the closing
    if doc.closed or doc.closing is not None:
        _check_closing(report, trust, doc, rows, at)

    # 7. the user's own receipts
    _check_own_receipts(report, receipts, rows, platform_id, section_id)
    return report


def _check_receipt(
    report: RecordReport,
    trust: _Trust,
    row: dict[str, Any],
    platform_id: Any,
    section_id: Any,
    at: datetime | None,
) -> None:
    number = row.get("number")
    zh, en = f"投标人 {number} 的提交回执", f"bidder {number}'s submission receipt"
    try:
        sub = row.get("submission")
        if not isinstance(sub, dict):
            raise _Fail(_both("缺少提交信息", "no submission"))
        text = sub.get("receipt")
        if not isinstance(text, str):
            raise _Fail(_both("缺少回执", "no receipt"))
        try:
            receipt = _parse_receipt(text)
        except SealBidError as exc:
            raise _Fail(_err(exc)) from exc
        when = _signed_time(receipt.received_at)
        signature = _b64(sub.get("receipt_signature"), "回执签名 / receipt signature")
        _platform_signed(trust, signature, text.encode("utf-8"), at or when)
        wrong = []
        if receipt.kind != "submit":
            wrong.append("kind")
        if receipt.platform_id != platform_id:
            wrong.append("platform_id")
        if receipt.section_id != section_id:
            wrong.append("section_id")
        if receipt.bidder.org_code != row.get("org_code"):
            wrong.append("org_code")
        if receipt.file_sha256 != sub.get("file_sha256"):
            wrong.append("file_sha256")
        if receipt.file_size != sub.get("file_size"):
            wrong.append("file_size")
        if "received_at" in sub and _time(sub.get("received_at"), "received_at") != when:
            wrong.append("received_at")
        if wrong:
            raise _Fail(
                _both(
                    f"回执与记录不符：{', '.join(wrong)}",
                    f"the receipt differs from the record: {', '.join(wrong)}",
                )
            )
        report._add(f"receipt:{number}", zh, en, True, f"{receipt.file_sha256}")
    except _Fail as exc:
        report._add(f"receipt:{number}", zh, en, False, str(exc))


_ROLE_ZH = {"bidder": "投标人", "host": "主持人", "recorder": "记录人", "supervisor": "监督人"}


def _check_signature(
    report: RecordReport,
    i: int,
    sig: wire.RecordSignature,
    doc: wire.SignedRecord,
    body: dict[str, Any],
    rows: list[dict[str, Any]],
    trusted_ca: list[x509.Certificate],
    at: datetime | None,
) -> None:
    zh = f"签名 {i}：{_ROLE_ZH.get(sig.role, sig.role)} {sig.name}（{sig.decision}）"
    en = f"signature {i}: {sig.role} {sig.name} ({sig.decision})"
    try:
        platform = body.get("platform") or {}
        section = body.get("section") or {}
        expected = wire.record_statement(
            platform_id=str(platform.get("id")),
            section_id=str(section.get("id")),
            record_sha256=doc.record_sha256,
            role=sig.role,
            signer=sig.org_code if sig.role == "bidder" and sig.org_code else sig.subject,
            decision=sig.decision,
            reason=sig.reason,
            time=sig.signed_at,
        )
        stated = _canonical(sig.statement, "签认声明 / statement")
        if sig.statement.encode("utf-8") != expected:
            want = json.loads(expected)
            wrong = sorted(k for k in set(want) | set(stated) if want.get(k) != stated.get(k))
            raise _Fail(
                _both(
                    f"签认声明与本记录不符：{', '.join(wrong)}",
                    f"the statement does not name this record and signature: {', '.join(wrong)}",
                )
            )
        if sig.decision == "decline" and not (sig.reason or "").strip():
            raise _Fail(_both("拒绝签认未说明理由", "declined without a reason"))
        when = _signed_time(sig.signed_at)
        signature = _b64(sig.signature, "签名 / signature")
        try:
            signer = verify_detached(signature, sig.statement.encode("utf-8"), trust=None, at=when)
            if not trusted_ca:
                raise _Fail(_both("记录中没有受信任的 CA", "no trusted CA in the record"))
            signer = validate_path(signer, trust=trusted_ca, at=at or when)
        except SignatureError as exc:
            raise _Fail(_err(exc)) from exc
        except (ValueError, TypeError) as exc:
            raise _Fail(_both("签名无法解析", f"the signature does not parse ({exc})")) from exc
        cert = signer.cert
        subject = cert.subject.rfc4514_string()
        try:
            claimed = load_certificates(sig.certificate)[0]
        except (UsageError, IndexError) as exc:
            raise _Fail(_both("签名证书无法解析", "the certificate does not parse")) from exc
        if _fingerprint(claimed) != _fingerprint(cert):
            raise _Fail(
                _both("签名证书与所列证书不同", "signed with another certificate than listed")
            )
        if sig.subject != subject or int(sig.serial, 16) != cert.serial_number:
            raise _Fail(
                _both("签名者信息与证书不符", "subject or serial differ from the certificate")
            )
        if sig.role == "bidder":
            org = _org_code(cert)
            if org != sig.org_code:
                raise _Fail(
                    _both(
                        f"证书的统一社会信用代码 {org} 与签名所称 {sig.org_code} 不符",
                        f"the certificate's organisation code {org} is not {sig.org_code}",
                    )
                )
            fp = _fingerprint(cert).hex()
            row = next(
                (
                    r
                    for r in rows
                    if (org is not None and r.get("org_code") == org)
                    or (org is None and r.get("cert_sha256") == fp)
                ),
                None,
            )
            if row is None:
                raise _Fail(
                    _both(
                        f"签名者 {org or subject} 不是本次开标的投标人",
                        f"the signer {org or subject} is not a bidder of this opening",
                    )
                )
            if sig.name != row.get("name"):
                raise _Fail(
                    _both(
                        f"签名所列名称「{sig.name}」与记录中的投标人名称「{row.get('name')}」不符",
                        f"the signature's name {sig.name!r} is not the record's {row.get('name')!r}",
                    )
                )
        else:
            named = body.get(sig.role)
            named_subject = named.get("subject") if isinstance(named, dict) else None
            if named_subject != subject:
                raise _Fail(
                    _both(
                        f"签名者不是记录中的{_ROLE_ZH.get(sig.role, sig.role)}（{named_subject}）",
                        f"the signer is not the record's {sig.role} ({named_subject})",
                    )
                )
            named_name = named.get("name") if isinstance(named, dict) else None
            if sig.name != named_name:
                raise _Fail(
                    _both(
                        f"签名所列名称「{sig.name}」与记录中的{_ROLE_ZH.get(sig.role, sig.role)}"
                        f"「{named_name}」不符",
                        f"the signature's name {sig.name!r} is not the record's {sig.role}"
                        f" {named_name!r}",
                    )
                )
        report._add(
            f"signature:{i}", zh, en, True, f"{subject}, serial {sig.serial}, {sig.signed_at}"
        )
    except _Fail as exc:
        report._add(f"signature:{i}", zh, en, False, str(exc))
    except ValueError as exc:  # int(serial, 16)
        report._add(f"signature:{i}", zh, en, False, _both("序列号无效", f"bad serial ({exc})"))


def _signer_key(sig: wire.RecordSignature) -> str:
    return f"bidder:{sig.org_code}" if sig.role == "bidder" else f"{sig.role}:{sig.subject}"


def _check_signers(
    report: RecordReport, doc: wire.SignedRecord, rows: list[dict[str, Any]]
) -> None:
    """Each participant signs once; a closed record carries the host's, the recorder's and
    the supervisor's signatures (the platform closes a record only with those)."""
    zh, en = "签署人", "signers"
    keys = [_signer_key(s) for s in doc.signatures]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        report._add("signers", zh, en, False, _both(f"重复签署：{twice}", f"signed twice: {twice}"))
        return
    if doc.closed:
        staff = {s.role for s in doc.signatures if s.role != "bidder"}
        missing = [r for r in ("host", "recorder", "supervisor") if r not in staff]
        if missing:
            report._add(
                "signers",
                zh,
                en,
                False,
                _both(f"缺少签署：{missing}", f"missing signatures: {missing}"),
            )
            return
    report._add("signers", zh, en, True, f"{len(keys)}")


def _check_closing(
    report: RecordReport,
    trust: _Trust,
    doc: wire.SignedRecord,
    rows: list[dict[str, Any]],
    at: datetime | None,
) -> None:
    zh, en = "结束签署的内容", "closing contents"
    closed_at: datetime | None = None
    try:
        if not doc.closed or doc.closing is None:
            raise _Fail(_both("结束标志与结束内容不一致", "closed flag and closing disagree"))
        closing = _canonical(doc.closing, "结束签署 / closing")
        closed_at = _time(closing.get("closed_at"), "closed_at")
        if closing.get("record_sha256") != doc.record_sha256:
            raise _Fail(
                _both("结束签署针对另一记录摘要", "the closing names another record digest")
            )
        listed = closing.get("signatures")
        want = [signature_digest(s) for s in doc.signatures]
        if listed != want:
            raise _Fail(
                _both(
                    "结束签署所列签名与记录中的签名不一致",
                    "the closing's signature list differs from the record's signatures",
                )
            )
        confirmations = _confirmations(closing.get("confirmations"), rows)
        last: dict[str, str] = {}
        for s in doc.signatures:
            if s.role == "bidder" and s.org_code is not None:
                last[s.org_code] = "confirmed" if s.decision == "confirm" else "declined"
        wrong = []
        for row in rows:
            org = str(row.get("org_code"))
            if confirmations.get(org) != last.get(org, "no_response"):
                wrong.append(f"{row.get('number')}:{confirmations.get(org)}")
        if set(confirmations) - {str(r.get("org_code")) for r in rows}:
            wrong.append("?")
        if wrong:
            raise _Fail(
                _both(
                    f"确认状态与签名不符：{', '.join(wrong)}",
                    f"confirmations disagree with the signatures: {', '.join(wrong)}",
                )
            )
        report._add("closing", zh, en, True, f"{len(want)} signatures")
    except _Fail as exc:
        report._add("closing", zh, en, False, str(exc))
    zh, en = "平台结束签署", "platform closing signature"
    try:
        if doc.closing is None:
            raise _Fail(_both("缺少结束签署", "no closing"))
        when = at or closed_at
        if when is None:
            try:
                when = _time(json.loads(doc.closing).get("closed_at"), "closed_at")
            except (ValueError, AttributeError) as exc:
                raise _Fail(_both("结束时间缺失", "closed_at missing")) from exc
        signature = _b64(doc.closing_signature, "结束签名 / closing signature")
        _platform_signed(trust, signature, doc.closing.encode("utf-8"), when)
        ok = report._add("closing-signature", zh, en, True)
        report.final = ok and report.check("closing").ok
    except _Fail as exc:
        report._add("closing-signature", zh, en, False, str(exc))


def _check_own_receipts(
    report: RecordReport,
    receipts: Sequence[VerifiedReceipt],
    rows: list[dict[str, Any]],
    platform_id: Any,
    section_id: Any,
) -> None:
    mine = [
        r
        for r in receipts
        if r.receipt.platform_id == platform_id and r.receipt.section_id == section_id
    ]
    if not mine:
        return
    latest = max(mine, key=lambda r: r.receipt.sequence)
    rec = latest.receipt
    zh = f"与本人回执一致（序号 {rec.sequence}）"
    en = f"matches my own receipt (sequence {rec.sequence})"
    row = next((r for r in rows if r.get("org_code") == rec.bidder.org_code), None)
    if rec.kind == "withdraw":
        ok = row is None
        detail = "" if ok else _both("本人已撤回，记录中却有本人投标", "withdrawn, yet listed")
    elif row is None:
        ok, detail = False, _both("记录中没有本人的投标", "my bid is not in the record")
    else:
        sub = row.get("submission") or {}
        ok = isinstance(sub, dict) and sub.get("file_sha256") == rec.file_sha256
        detail = (
            str(rec.file_sha256)
            if ok
            else _both(
                f"记录中的文件摘要与本人回执不符（{sub.get('file_sha256') if isinstance(sub, dict) else '-'}）",
                f"the record's file digest is not my receipt's ({rec.file_sha256})",
            )
        )
    report._add(f"own-receipt:{rec.sequence}", zh, en, ok, detail)


_INTEGRITY = ("format", "canonical", "digest", "platform")


def record_digest_ok(
    doc: wire.SignedRecord,
    *,
    anchors: Sequence[x509.Certificate] | None,
    pinned: Sequence[x509.Certificate] | None = None,
) -> RecordReport:
    """The record's own integrity (form, canonical text, digest, the platform's signature,
    anchored): what must hold before anyone signs it. Raises :class:`RecordInvalidError`
    naming the first check that failed."""
    report = verify_record(doc, anchors=anchors, pinned=pinned)
    for c in report.checks:
        if c.key in _INTEGRITY and not c.ok:
            raise RecordInvalidError(c.detail, what=f"{c.name_zh} / {c.name_en}: {c.detail}"[:500])
    if not any(c.key == "platform" for c in report.checks):
        raise RecordInvalidError(what="平台签名 / platform signature")
    return report


@dataclass
class RecordPdf:
    """The closed record as the PDF the platform signed, and what checking it found."""

    pdf: bytes
    report: Any  # reports.verify_pdf.PdfReport
    section_id: str | None
    ok: bool


def fetch_record_pdf(
    client: Any,
    section_id: str,
    *,
    wait: float = 120.0,
    stop: Any = None,
) -> RecordPdf:
    """``GET /openings/{s}/record.pdf``: the signed record PDF (made in the background after
    the finish: waits for it up to ``wait`` seconds, ``stop()`` ends the wait), checked by its
    PAdES signature against the platform's published certificate (at the platform's time) and
    by the record embedded in it being this section's. ``ok`` is False when either check fails: the caller keeps nothing
    then (the CLI prints ``report.render()``, the app says why)."""
    import time

    from reports.verify_pdf import verify_pdf

    from .errors import NotFoundError
    from .platform import _q

    until = time.monotonic() + wait
    while True:
        try:
            response = client._request("GET", f"/openings/{_q(section_id)}/record.pdf")
            break
        except NotFoundError as exc:
            if exc.server_code != "opening.pdf_pending" or time.monotonic() > until:
                raise
            if stop is not None and stop():
                from sealbid.errors import CancelledError

                raise CancelledError("stopped waiting for the record PDF") from exc
            time.sleep(0.5)
    chain = load_certificates(client.platform_info().certificate_pem)
    pdf = response.content
    # Certificates are judged at the platform's time, the opening's one clock: a PC whose
    # clock runs minutes behind would otherwise call a certificate the platform issued just
    # now "not yet valid".
    report = verify_pdf(pdf, trust=chain, at=client.server_time())
    embedded = report.attachment("record.json")
    section = None
    if embedded is not None:
        try:
            body = json.loads(wire.SignedRecord.model_validate_json(embedded).record)
            section = (body.get("section") or {}).get("id")
        except (ValidationError, ValueError):
            section = None
    return RecordPdf(
        pdf=pdf, report=report, section_id=section, ok=report.ok and section == section_id
    )
