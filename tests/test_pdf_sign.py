"""PAdES signing (reports.sign), PDF signature checks (reports.verify_pdf) and the platform's
RFC 3161 TSA (server.tsa), with real components: reportlab PDFs in Chinese, sandbox CA
identities, a SoftHSM2 token, the platform on loopback, and poppler's pdfsig and OpenSSL as
independent verifiers.

The attack corpus is generated here (not kept as files): each tampered PDF is made from a good
signed one, and none may ever be reported valid by verify_pdf.

pdfsig is given no trust store (that needs NSS's certutil, not installed in CI), so it reports
the sandbox CA as untrusted; we assert on its "Signature is Valid." line and leave trust to
verify_pdf, which checks the chain to the anchors it is given.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from crypto.ca import KeyType, Role, SandboxCA
from crypto.identity import FileIdentity, load_identity
from reports.sign import PdfSignError, sign_pdf
from reports.verify_pdf import verify_pdf
from server.platform import read_password_file

REPO = Path(__file__).resolve().parent.parent
WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
RECORD = '{"section":"HFJS-2025-0101-01","bidders":["合肥建工集团有限公司","喆堃䶮𠮷"]}'.encode()
WHEN = datetime(2025, 6, 1, 1, 30, tzinfo=UTC)


# --- fixtures ---------------------------------------------------------------------------------


def chinese_pdf(pages: int = 2, title: str = "开标记录表") -> bytes:
    """A small reportlab PDF in Chinese (WenQuanYi Zen Hei, subset), deterministic."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("TestWQY", WQY, subfontIndex=0))
    out = io.BytesIO()
    c = Canvas(out, invariant=1)
    for n in range(1, pages + 1):
        c.setFont("TestWQY", 16)
        c.drawString(72, 760, f"{title} 第 {n} 页 / 共 {pages} 页")
        c.setFont("TestWQY", 11)
        c.drawString(72, 730, "投标人：合肥建工集团有限公司　投标报价：壹佰贰拾叁万元整")
        c.drawString(72, 712, "罕见字：䶮 喆 堃")
        c.showPage()
    c.save()
    return out.getvalue()


@pytest.fixture(scope="module")
def ca() -> SandboxCA:
    return SandboxCA.create()


@pytest.fixture(scope="module")
def host(ca: SandboxCA) -> FileIdentity:
    return ca.issue(role=Role.HOST, name="张明（主持人）").identity()


@pytest.fixture(scope="module")
def signed(host: FileIdentity) -> bytes:
    return sign_pdf(
        chinese_pdf(),
        host,
        reason="开标记录签章",
        location="合肥",
        attachments={"record.json": RECORD},
        signing_time=WHEN,
    )


def pdfsig(tmp_path: Path, pdf: bytes) -> str:
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler-utils (pdfsig) is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    return done.stdout + done.stderr


def assert_never_valid(pdf: bytes, ca: SandboxCA) -> Any:
    report = verify_pdf(pdf, trust=[ca.cert])
    assert not report.ok, report.render()
    return report


# --- signing and verifying ------------------------------------------------------------------


def test_signed_pdf_verifies_with_verify_pdf(signed: bytes, ca: SandboxCA) -> None:
    report = verify_pdf(signed, trust=[ca.cert])
    assert report.ok, report.render()
    [sig] = report.signatures
    assert sig.signer == "CN=张明（主持人）,OU=host,C=CN"
    assert sig.coverage == "ENTIRE_FILE"
    assert sig.reason == "开标记录签章"
    assert sig.location == "合肥"
    assert sig.signing_time == WHEN
    assert sig.timestamp is None and not report.timestamped
    assert {c.key for c in report.checks} >= {"integrity:1", "coverage:1", "trust:1"}


def test_signing_is_deterministic_with_an_injected_time(signed: bytes, host: FileIdentity) -> None:
    again = sign_pdf(
        chinese_pdf(),
        host,
        reason="开标记录签章",
        location="合肥",
        attachments={"record.json": RECORD},
        signing_time=WHEN,
    )
    assert again == signed
    # Also a second later (pyHanko would stamp /ModDate with the wall clock).
    import time

    time.sleep(1.05)
    assert (
        sign_pdf(
            chinese_pdf(),
            host,
            reason="开标记录签章",
            location="合肥",
            attachments={"record.json": RECORD},
            signing_time=WHEN,
        )
        == signed
    )


def test_pdfsig_reports_the_signature_valid(signed: bytes, tmp_path: Path) -> None:
    out = pdfsig(tmp_path, signed)
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Total document signed" in out, out
    assert "ETSI.CAdES.detached" in out, out
    assert "张明（主持人）" in out


def test_embedded_record_is_present_and_covered(signed: bytes, ca: SandboxCA) -> None:
    report = verify_pdf(signed, trust=[ca.cert])
    assert report.attachment("record.json") == RECORD
    assert report.attachments["record.json"].covered
    assert report.check("attachment:record.json").ok


def test_stamp_is_visible_on_the_last_page(signed: bytes, tmp_path: Path) -> None:
    """The stamp is drawn: the last page's bottom right differs from the unsigned page."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")

    def corner(pdf: bytes, name: str) -> bytes:
        src = tmp_path / f"{name}.pdf"
        src.write_bytes(pdf)
        args = ["pdftoppm", "-r", "40", "-f", "2", "-l", "2", "-gray", str(src)]
        subprocess.run([*args, str(tmp_path / name)], check=True)
        return next(tmp_path.glob(f"{name}*.pgm")).read_bytes()

    assert corner(signed, "signed") != corner(chinese_pdf(), "plain")


def test_untrusted_anchor_is_reported(signed: bytes) -> None:
    other = SandboxCA.create()
    report = verify_pdf(signed, trust=[other.cert])
    assert not report.ok
    assert report.check("integrity:1").ok
    assert not report.check("trust:1").ok


def test_ec_p256_identity_signs(ca: SandboxCA, tmp_path: Path) -> None:
    ident = ca.issue(role=Role.RECORDER, name="李娜（记录人）", key_type=KeyType.P256).identity()
    pdf = sign_pdf(chinese_pdf(1), ident, reason="记录人签字", location="合肥")
    report = verify_pdf(pdf, trust=[ca.cert])
    assert report.ok, report.render()
    assert "Signature is Valid." in pdfsig(tmp_path, pdf)


def test_second_signature_keeps_the_first_valid(signed: bytes, ca: SandboxCA) -> None:
    supervisor = ca.issue(role=Role.SUPERVISOR, name="王强（监督人）").identity()
    twice = sign_pdf(
        signed,
        supervisor,
        reason="监督人签字",
        location="合肥",
        field_name="SealBid-Supervisor",
        stamp_box=(36, 36, 276, 120),
    )
    report = verify_pdf(twice, trust=[ca.cert])
    assert report.ok, report.render()
    assert [s.field_name for s in report.signatures] == ["SealBid-Signature", "SealBid-Supervisor"]
    assert report.signatures[0].modification == "FORM_FILLING"


def test_not_a_pdf_is_refused(host: FileIdentity) -> None:
    with pytest.raises(PdfSignError):
        sign_pdf(b"not a pdf", host, reason="x", location="y")


def test_importing_the_modules_does_not_import_pyhanko() -> None:
    code = (
        "import sys, reports.sign, reports.verify_pdf, server.tsa\n"
        "bad = sorted(m for m in sys.modules if m.startswith('pyhanko.'))\n"
        "assert not [m for m in bad if not m.startswith('pyhanko_certvalidator')], bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# --- the attack corpus: never valid -------------------------------------------------------------


def _incremental(pdf: bytes) -> Any:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)


def _write(writer: Any) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def shadow_text(pdf: bytes) -> bytes:
    """An incremental update drawing new text (a white box and a new price) on page 1."""
    from pyhanko.pdf_utils import generic

    w = _incremental(pdf)
    font = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        }
    )
    resources = generic.DictionaryObject(
        {
            generic.NameObject("/Font"): generic.DictionaryObject(
                {generic.NameObject("/FShadow"): w.add_object(font)}
            )
        }
    )
    stream = generic.StreamObject(
        stream_data=b"1 g 60 700 480 40 re f 0 g BT /FShadow 14 Tf 72 712 Td (PRICE 1.00) Tj ET"
    )
    w.add_stream_to_page(0, w.add_object(stream), resources=resources)
    return _write(w)


def add_annotation(pdf: bytes) -> bytes:
    """An incremental update adding a FreeText annotation over the bidder table."""
    from pyhanko.pdf_utils import generic

    w = _incremental(pdf)
    page_ref, _ = w.find_page_for_modification(0)
    page = page_ref.get_object()
    annot = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (60, 700, 540, 740)]
            ),
            generic.NameObject("/Contents"): generic.TextStringObject("报价：壹元"),
            generic.NameObject("/DA"): generic.TextStringObject("/Helv 14 Tf 0 g"),
        }
    )
    annots = page.get("/Annots", generic.ArrayObject())
    annots.append(w.add_object(annot))
    page[generic.NameObject("/Annots")] = annots
    w.update_container(page)
    return _write(w)


def drop_page_incremental(pdf: bytes) -> bytes:
    """An incremental update removing page 1 from the page tree."""
    from pyhanko.pdf_utils import generic

    w = _incremental(pdf)
    pages_ref = w.root.raw_get("/Pages")
    pages = pages_ref.get_object()
    kids = pages["/Kids"]
    pages[generic.NameObject("/Kids")] = generic.ArrayObject(list(kids)[1:])
    pages[generic.NameObject("/Count")] = generic.NumberObject(len(kids) - 1)
    w.update_container(pages)
    return _write(w)


def drop_page_rewrite(pdf: bytes) -> bytes:
    """The whole file rewritten (not incrementally) with page 1 removed; the signature
    dictionary and its bytes are carried over as they were."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    w = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf), strict=False))
    pages = w.root["/Pages"]
    kids = pages["/Kids"]
    pages[generic.NameObject("/Kids")] = generic.ArrayObject(list(kids)[1:])
    pages[generic.NameObject("/Count")] = generic.NumberObject(len(kids) - 1)
    return _write(w)


def _contents_span(pdf: bytes) -> tuple[int, int]:
    """Where the signature's hex /Contents sits (between the two byte ranges)."""
    start = pdf.rindex(b"/ByteRange")
    nums = pdf[pdf.index(b"[", start) + 1 : pdf.index(b"]", start)].split()
    a, b, c, _d = (int(x) for x in nums)
    return a + b, c


def swap_signature(pdf: bytes, other: bytes) -> bytes:
    """/Contents of ``other`` (another signing, another document) put into ``pdf``."""
    s1, e1 = _contents_span(pdf)
    s2, e2 = _contents_span(other)
    hex_other = other[s2 + 1 : e2 - 1].rstrip(b"0")
    width = e1 - s1 - 2
    assert len(hex_other) <= width
    return pdf[: s1 + 1] + hex_other.ljust(width, b"0") + pdf[e1 - 1 :]


def flip_inside_signed_range(pdf: bytes, where: str) -> bytes:
    data = bytearray(pdf)
    if where == "signing-time":  # the /M date in the signature dictionary: D:…SSZ)
        i = pdf.index(b"Z)", pdf.rindex(b"/M (D")) - 1
        data[i] = ord("0") if data[i] != ord("0") else ord("1")
    elif where == "content":
        i = pdf.index(b"stream\n") + 40  # inside the first page's content stream
        data[i] ^= 0x01
    else:  # the last byte the signature covers, after /Contents
        _s, e = _contents_span(pdf)
        i = e + 2
        data[i] ^= 0x20
    return bytes(data)


def add_attachment_after_signing(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils import embed

    w = _incremental(pdf)
    ef = embed.EmbeddedFileObject.from_file_data(w, data=b'{"forged":true}')
    embed.embed_file(w, embed.FileSpec(file_spec_string="forged.json", embedded_data=ef))
    return _write(w)


@pytest.mark.parametrize(
    ("attack", "failing"),
    [
        (shadow_text, "coverage:1"),
        (add_annotation, "coverage:1"),
        (drop_page_incremental, "coverage:1"),
        (add_attachment_after_signing, "coverage:1"),
    ],
    ids=lambda x: getattr(x, "__name__", x),
)
def test_incremental_update_after_signing_is_never_valid(
    signed: bytes, ca: SandboxCA, attack: Any, failing: str, tmp_path: Path
) -> None:
    tampered = attack(signed)
    report = assert_never_valid(tampered, ca)
    assert report.check("integrity:1").ok  # the signed revision itself is still intact…
    assert not report.check(failing).ok  # …but the document is no longer what was signed
    # pdfsig agrees that the signature no longer covers the whole document.
    assert "Total document signed" not in pdfsig(tmp_path, tampered)


def test_attachment_added_after_signing_is_not_covered(signed: bytes, ca: SandboxCA) -> None:
    report = assert_never_valid(add_attachment_after_signing(signed), ca)
    assert report.attachments["record.json"].covered
    assert not report.attachments["forged.json"].covered
    assert not report.check("attachment:forged.json").ok


def test_removed_page_rewrite_is_never_valid(signed: bytes, ca: SandboxCA) -> None:
    report = assert_never_valid(drop_page_rewrite(signed), ca)
    assert not report.check("integrity:1").ok


def test_swapped_signature_is_never_valid(
    signed: bytes, host: FileIdentity, ca: SandboxCA, tmp_path: Path
) -> None:
    other = sign_pdf(
        chinese_pdf(title="另一份文件"),
        host,
        reason="开标记录签章",
        location="合肥",
        signing_time=WHEN,
    )
    tampered = swap_signature(signed, other)
    report = assert_never_valid(tampered, ca)
    assert not report.check("integrity:1").ok
    assert "Signature is Valid." not in pdfsig(tmp_path, tampered)


@pytest.mark.parametrize("where", ["signing-time", "content", "tail"])
def test_changed_bytes_in_the_signed_range_are_never_valid(
    signed: bytes, ca: SandboxCA, where: str, tmp_path: Path
) -> None:
    tampered = flip_inside_signed_range(signed, where)
    assert tampered != signed
    report = assert_never_valid(tampered, ca)
    if report.signatures:
        assert not report.check("integrity:1").ok
    assert "Signature is Valid." not in pdfsig(tmp_path, tampered)


def test_unsigned_pdf_is_never_valid(ca: SandboxCA) -> None:
    report = assert_never_valid(chinese_pdf(), ca)
    assert not report.check("signatures").ok


def test_garbage_is_never_valid(ca: SandboxCA) -> None:
    report = assert_never_valid(b"%PDF-1.7\n garbage", ca)
    assert not report.check("pdf").ok or not report.check("signatures").ok


# --- the token ---------------------------------------------------------------------------------


def test_token_identity_signs_in_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ca: SandboxCA
) -> None:
    from softhsm import create_token

    from crypto.token import TokenIdentity, generate_on_token

    token = create_token(tmp_path, monkeypatch, label="主持人密钥", pin="246810")
    generate_on_token(
        module=token.module,
        token_label=token.label,
        pin=token.pin,
        ca=ca,
        role=Role.HOST,
        name="张明（主持人）",
        org_code=None,
        key_type=KeyType.RSA2048,
        dual=False,
    )
    with TokenIdentity.open(module=token.module, token_label=token.label, pin=token.pin) as ident:
        pdf = sign_pdf(
            chinese_pdf(1),
            ident,
            reason="开标记录签章",
            location="合肥",
            attachments={"record.json": RECORD},
        )
    report = verify_pdf(pdf, trust=[ca.cert])
    assert report.ok, report.render()
    assert report.attachment("record.json") == RECORD
    assert "Signature is Valid." in pdfsig(tmp_path, pdf)


# --- the platform's TSA and PAdES B-T ------------------------------------------------------------


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from platformserver import start_platform

    p = start_platform(tmp_path_factory.mktemp("tsa"))
    try:
        yield p
    finally:
        p.stop()


def _sandbox(platform: Any) -> tuple[FileIdentity, x509.Certificate]:
    p12, password = platform.identity("host")
    ca_cert = x509.load_pem_x509_certificate(Path(platform.sandbox["ca"]).read_bytes())
    return load_identity(p12, password=password), ca_cert


def test_pades_b_t_with_the_sandbox_tsa(platform: Any, tmp_path: Path) -> None:
    ident, ca_cert = _sandbox(platform)
    before = datetime.now(UTC) - timedelta(seconds=2)
    pdf = sign_pdf(
        chinese_pdf(),
        ident,
        reason="开标记录签章",
        location="合肥",
        attachments={"record.json": RECORD},
        timestamp_url=platform.api + "/tsa",
    )
    report = verify_pdf(pdf, trust=[ca_cert], require_timestamp=True)
    assert report.ok, report.render()
    assert report.timestamped
    stamp = report.signatures[0].timestamp
    assert stamp is not None and before <= stamp <= datetime.now(UTC) + timedelta(seconds=2)
    assert report.check("timestamp:1").ok
    out = pdfsig(tmp_path, pdf)
    assert "Signature Validation: Signature is Valid." in out, out


def test_b_b_fails_when_a_timestamp_is_required(signed: bytes, ca: SandboxCA) -> None:
    report = verify_pdf(signed, trust=[ca.cert], require_timestamp=True)
    assert not report.ok
    assert not report.check("timestamp:1").ok


def test_tsa_untrusted_timestamp_is_reported(platform: Any) -> None:
    """The signer is trusted but the TSA's CA is not an anchor: the timestamp check fails."""
    own = SandboxCA.create()
    signer = own.issue(role=Role.HOST, name="外部主持人").identity()
    pdf = sign_pdf(
        chinese_pdf(1), signer, reason="r", location="l", timestamp_url=platform.api + "/tsa"
    )
    report = verify_pdf(pdf, trust=[own.cert])
    assert report.check("trust:1").ok
    assert not report.check("timestamp:1").ok
    assert not report.ok


def openssl_ts(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", "ts", *args], capture_output=True, text=True, check=False)


def test_tsa_reply_passes_openssl_ts_verify(platform: Any, tmp_path: Path) -> None:
    data, query, reply_file = tmp_path / "data.bin", tmp_path / "q.tsq", tmp_path / "r.tsr"
    data.write_bytes(RECORD)
    made = openssl_ts("-query", "-data", str(data), "-sha256", "-cert", "-out", str(query))
    assert made.returncode == 0, made.stderr
    reply = httpx.post(
        platform.api + "/tsa",
        content=query.read_bytes(),
        headers={"Content-Type": "application/timestamp-query"},
    )
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/timestamp-reply"
    reply_file.write_bytes(reply.content)
    anchors = ("-CAfile", platform.sandbox["ca"], "-untrusted", str(platform.data_dir / "tsa.pem"))
    done = openssl_ts("-verify", "-in", str(reply_file), "-queryfile", str(query), *anchors)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
    # Against the data itself too; other data must not verify.
    ok = openssl_ts("-verify", "-in", str(reply_file), "-data", str(data), *anchors)
    assert "Verification: OK" in ok.stdout, ok.stderr
    (tmp_path / "other.bin").write_bytes(b"other")
    bad = openssl_ts(
        "-verify", "-in", str(reply_file), "-data", str(tmp_path / "other.bin"), *anchors
    )
    assert bad.returncode != 0 and "Verification: OK" not in bad.stdout


def test_tsa_certificate_is_for_timestamping_only(platform: Any) -> None:
    from server.tsa import TSA_P12, TSA_PASSWORD, _load_identity

    ident = _load_identity(platform.data_dir / TSA_P12, platform.data_dir / TSA_PASSWORD)
    eku = ident.signing_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical
    assert list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    pem = (platform.data_dir / "tsa.pem").read_bytes()
    assert x509.load_pem_x509_certificate(pem) == ident.signing_cert
    assert read_password_file(platform.data_dir / TSA_PASSWORD)
    assert (platform.data_dir / TSA_P12).stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("body", "fail"),
    [
        (b"junk", "the data submitted has the wrong format"),
        (b"", "the data submitted has the wrong format"),
    ],
)
def test_tsa_rejects_bad_queries_with_a_timestamp_reply(
    platform: Any, tmp_path: Path, body: bytes, fail: str
) -> None:
    reply = httpx.post(
        platform.api + "/tsa", content=body, headers={"Content-Type": "application/timestamp-query"}
    )
    assert reply.status_code == 200
    (tmp_path / "r.tsr").write_bytes(reply.content)
    text = openssl_ts("-reply", "-in", str(tmp_path / "r.tsr"), "-text").stdout
    assert "Status: Rejected." in text and fail in text


def test_tsa_rejects_sha1_and_foreign_policies() -> None:
    import hashlib

    from asn1crypto import tsp

    from server.tsa import TimestampAuthority, _Rejection

    ca = SandboxCA.create()
    tsa = TimestampAuthority(
        identity=ca.issue(role=Role.PLATFORM, name="tsa").identity(), clock=lambda: WHEN
    )

    def ask(algorithm: str, digest: bytes, **extra: Any) -> Any:
        req = tsp.TimeStampReq(
            {
                "version": 1,
                "message_imprint": {
                    "hash_algorithm": {"algorithm": algorithm},
                    "hashed_message": digest,
                },
                "cert_req": True,
                **extra,
            }
        )
        der = tsa.respond(req.dump())
        try:
            resp = tsp.TimeStampResp.load(der)
            resp.native  # noqa: B018 - parse now
        except ValueError:  # asn1crypto wants a token even in a rejection
            resp = _Rejection.load(der)
        return resp

    def status(resp: Any) -> tuple[str, set[str]]:
        return resp["status"]["status"].native, set(resp["status"]["fail_info"].native or ())

    assert status(ask("sha1", hashlib.sha1(b"x").digest())) == ("rejection", {"bad_alg"})  # noqa: S324
    assert status(ask("sha256", b"short")) == ("rejection", {"bad_data_format"})
    assert status(ask("sha256", bytes(32), req_policy="1.2.3.4")) == (
        "rejection",
        {"unaccepted_policy"},
    )
    granted = ask("sha256", bytes(32), nonce=12345)
    assert status(granted)[0] == "granted"
    info = granted["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 12345
    assert info["gen_time"].native == WHEN


def test_tsa_wrong_content_type_is_415(platform: Any) -> None:
    reply = httpx.post(platform.api + "/tsa", content=b"x", headers={"Content-Type": "text/plain"})
    assert reply.status_code == 415
    assert reply.json()["error"]["code"] == "tsa.content_type"


def test_platform_without_tsa_answers_404_in_both_languages(platform: Any, tmp_path: Path) -> None:
    from platformserver import start_platform

    data = tmp_path / "plain"
    data.mkdir()
    for name in ("platform.p12", "platform.password"):
        shutil.copy(platform.data_dir / name, data / name)
    p = start_platform(tmp_path, sandbox=False, data_dir=data)
    try:
        reply = httpx.post(
            p.api + "/tsa", content=b"x", headers={"Content-Type": "application/timestamp-query"}
        )
    finally:
        p.stop()
    assert reply.status_code == 404
    error = reply.json()["error"]
    assert error["code"] == "tsa.not_configured"
    assert "时间戳" in error["zh"] and "timestamp authority" in error["en"]
    assert not (data / "tsa.p12").exists()


def test_tsa_identity_is_kept_across_restarts(tmp_path: Path) -> None:
    from server.config import Config
    from server.tsa import load_tsa

    (tmp_path / "sandbox" / "ca").mkdir(parents=True)
    SandboxCA.init(tmp_path / "sandbox" / "ca")
    config = Config(data_dir=tmp_path, sandbox=True)
    first = load_tsa(config)
    second = load_tsa(config)
    assert first is not None and second is not None
    assert first.certificate == second.certificate
    assert (
        first.certificate.public_bytes(serialization.Encoding.PEM)
        == (tmp_path / "tsa.pem").read_bytes()
    )
    assert load_tsa(Config(data_dir=tmp_path / "none", sandbox=False)) is None


def test_a_failing_tsa_is_a_sign_error(platform: Any, host: FileIdentity) -> None:
    with pytest.raises(PdfSignError) as caught:
        sign_pdf(
            chinese_pdf(1), host, reason="r", location="l", timestamp_url=platform.api + "/time"
        )
    assert "时间戳" in caught.value.diagnostics("zh_CN")
