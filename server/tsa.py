"""The platform's RFC 3161 timestamp authority: ``POST /api/v1/tsa``.

    tsa = load_tsa(config)                    # None: no TSA here (the route answers 404)
    reply_der = tsa.respond(query_der)        # a DER TimeStampResp, granted or rejected
    add_routes(router, platform)              # what server.app does

The reply is a plain RFC 3161 TimeStampResp (RFC 5816 ESS signing-certificate-v2, SHA-256),
so OpenSSL checks it: ``openssl ts -verify -in r.tsr -queryfile q.tsq -CAfile ca.pem
-untrusted tsa.pem``. A malformed or unacceptable query gets a *rejection* TimeStampResp
(status rejection, a failInfo), as RFC 3161 §2.4.2 asks, not an HTTP error.

The TSA identity lives in ``DATA/tsa.p12`` + ``DATA/tsa.password`` (and ``DATA/tsa.pem``, its
certificate, for verifiers). An operator places them there; a sandbox platform issues one from
its sandbox CA (``DATA/sandbox/ca``) on first use, with extendedKeyUsage timeStamping
(critical), as RFC 3161 §2.3 requires. Time comes from ``config.clock``: the platform's clock,
the one that decides deadlines.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from asn1crypto import algos as asn1_algos
from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from crypto import _pkcs12
from crypto._files import atomic_write
from crypto._signed_data import signature_algorithm
from crypto.ca import CA_CERT_NAME, KeyType, generate_key
from crypto.errors import CryptoError
from crypto.identity import FileIdentity, Identity

from .config import Config
from .errors import ApiError
from .platform import Platform, read_password_file

__all__ = [
    "SANDBOX_TSA_POLICY",
    "TSA_PATH",
    "TimestampAuthority",
    "TsaContentType",
    "TsaNotConfigured",
    "add_routes",
    "issue_sandbox_tsa",
    "load_tsa",
]

log = logging.getLogger("sealbid.server")

TSA_PATH = "/tsa"
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_QUERY = 16 << 10
"""A TimeStampReq is a few hundred bytes; anything past this is not one."""

SANDBOX_TSA_POLICY = "1.3.6.1.4.1.55555.1.3161.1"
"""The policy OID our tokens carry. An arc for the SealBid sandbox: it promises nothing beyond
"the platform's clock, ±1 s"; a real deployment configures its TSA provider's policy."""

TSA_P12, TSA_PASSWORD, TSA_PEM = "tsa.p12", "tsa.password", "tsa.pem"
_ACCEPTED_DIGESTS = {"sha256": 32, "sha384": 48, "sha512": 64}


class TsaNotConfigured(ApiError):
    status = 404
    code = "tsa.not_configured"
    zh = "本平台未配置时间戳服务（RFC 3161）。"
    en = "This platform has no timestamp authority (RFC 3161) configured."


class TsaContentType(ApiError):
    status = 415
    code = "tsa.content_type"
    zh = "时间戳请求的类型须为 application/timestamp-query。"
    en = "A timestamp request must be sent as application/timestamp-query."


class _Rejected(Exception):  # internal control flow: never leaves this module
    def __init__(self, fail_info: str, text: str) -> None:
        super().__init__(text)
        self.fail_info = fail_info
        self.text = text


class _Rejection(asn1_core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    # asn1crypto's TimeStampResp makes timeStampToken mandatory; RFC 3161 §2.4.2 says a
    # rejection carries none.
    _fields: ClassVar[list[tuple[str, Any]]] = [("status", asn1_tsp.PKIStatusInfo)]


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class TimestampAuthority:
    """Answers RFC 3161 queries, signing with ``identity`` (SHA-256, RSA or EC P-256)."""

    def __init__(
        self,
        *,
        identity: Identity,
        clock: Callable[[], datetime],
        policy: str = SANDBOX_TSA_POLICY,
        serial: Callable[[], int] | None = None,
    ) -> None:
        self.identity = identity
        self.clock = clock
        self.policy = policy
        # 63 random bits: unique enough per TSA (RFC 3161 asks only for uniqueness).
        self._serial = serial or (lambda: secrets.randbits(63) | 1)
        self.certificate = identity.signing_cert

    def respond(self, query: bytes) -> bytes:
        """A DER TimeStampResp for the DER TimeStampReq ``query``: granted, or rejected with
        the reason (badDataFormat, badAlg, badRequest, unacceptedPolicy, …)."""
        try:
            req = self._parse(query)
            token = self._token(req)
        except _Rejected as exc:
            log.info("TSA rejected a query: %s", exc.text)
            return self._rejection(exc.fail_info, exc.text)
        status = asn1_tsp.PKIStatusInfo({"status": "granted"})
        return bytes(asn1_tsp.TimeStampResp({"status": status, "time_stamp_token": token}).dump())

    @staticmethod
    def _rejection(fail_info: str, text: str) -> bytes:
        status = asn1_tsp.PKIStatusInfo(
            {"status": "rejection", "status_string": [text], "fail_info": {fail_info}}
        )
        return bytes(_Rejection({"status": status}).dump())

    def _parse(self, query: bytes) -> asn1_tsp.TimeStampReq:
        try:
            req = asn1_tsp.TimeStampReq.load(query, strict=True)
            req.native  # noqa: B018 - asn1crypto parses lazily: fail here, not later
        except (ValueError, TypeError) as exc:
            raise _Rejected("bad_data_format", "not a DER TimeStampReq") from exc
        if req["version"].native not in (1, "v1"):
            raise _Rejected("bad_request", "TimeStampReq version must be 1")
        imprint = req["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        if algorithm not in _ACCEPTED_DIGESTS:
            raise _Rejected("bad_alg", f"hash algorithm {algorithm} not accepted (SHA-2 only)")
        if len(imprint["hashed_message"].native) != _ACCEPTED_DIGESTS[algorithm]:
            raise _Rejected("bad_data_format", "hashed message has the wrong length")
        policy = req["req_policy"].native
        if policy is not None and policy != self.policy:
            raise _Rejected("unaccepted_policy", f"policy {policy} not offered")
        if req["extensions"].native:
            raise _Rejected("unaccepted_extension", "no request extensions are supported")
        return req

    def _token(self, req: asn1_tsp.TimeStampReq) -> asn1_cms.ContentInfo:
        now = self.clock().astimezone(UTC).replace(microsecond=0)
        cert = _asn1(self.certificate)
        info: dict[str, Any] = {
            "version": "v1",
            "policy": self.policy,
            "message_imprint": req["message_imprint"],
            "serial_number": self._serial(),
            "gen_time": asn1_core.GeneralizedTime(now),
            "accuracy": {"seconds": 1},
            "ordering": False,
            "tsa": asn1_x509.GeneralName(name="directory_name", value=cert.subject),
        }
        if req["nonce"].native is not None:
            info["nonce"] = req["nonce"]
        tst_der = asn1_tsp.TSTInfo(info).dump()
        cert_der = self.certificate.public_bytes(serialization.Encoding.DER)
        attrs = asn1_cms.CMSAttributes(
            sorted(
                [
                    asn1_cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                    asn1_cms.CMSAttribute(
                        {"type": "signing_time", "values": [asn1_cms.Time({"utc_time": now})]}
                    ),
                    asn1_cms.CMSAttribute(
                        {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]}
                    ),
                    asn1_cms.CMSAttribute(
                        {
                            "type": "signing_certificate_v2",
                            "values": [
                                asn1_tsp.SigningCertificateV2(
                                    {
                                        "certs": [
                                            {
                                                "cert_hash": hashlib.sha256(cert_der).digest(),
                                                "issuer_serial": {
                                                    "issuer": [
                                                        asn1_x509.GeneralName(
                                                            name="directory_name",
                                                            value=cert.issuer,
                                                        )
                                                    ],
                                                    "serial_number": cert.serial_number,
                                                },
                                            }
                                        ]
                                    }
                                )
                            ],
                        }
                    ),
                ],
                key=lambda a: a.dump(),  # DER: a SET OF sorted by encoding
            )
        )
        try:
            signature = self.identity.sign_raw(attrs.dump())
        except CryptoError as exc:
            log.error("TSA signing failed: %s", exc)
            raise _Rejected("system_failure", "the TSA could not sign") from exc
        signer = asn1_cms.SignerInfo(
            {
                "version": "v1",
                "sid": asn1_cms.SignerIdentifier(
                    name="issuer_and_serial_number",
                    value={"issuer": cert.issuer, "serial_number": cert.serial_number},
                ),
                "digest_algorithm": {"algorithm": "sha256"},
                "signed_attrs": attrs,
                "signature_algorithm": {"algorithm": signature_algorithm(self.certificate)},
                "signature": signature,
            }
        )
        certs = []
        if req["cert_req"].native:
            certs = [cert] + [_asn1(c) for c in self.identity.chain if c != self.certificate]
        signed: dict[str, Any] = {
            "version": "v3",
            "digest_algorithms": [asn1_algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {
                "content_type": "tst_info",
                "content": asn1_core.ParsableOctetString(tst_der),
            },
            "signer_infos": [signer],
        }
        if certs:
            signed["certificates"] = certs
        return asn1_cms.ContentInfo(
            {"content_type": "signed_data", "content": asn1_cms.SignedData(signed)}
        )


# --- the TSA identity ---------------------------------------------------------------------------


def _tsa_certificate(
    ca_cert: x509.Certificate,
    ca_key: Any,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    now: datetime,
    days: int,
) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SealBid Sandbox"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "tsa"),
            x509.NameAttribute(NameOID.COMMON_NAME, "SealBid 沙箱时间戳服务 (SANDBOX TSA)"),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(min(now + timedelta(days=days), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        # RFC 3161 §2.3: exactly one EKU, id-kp-timeStamping, and critical.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )


def issue_sandbox_tsa(
    data_dir: Path, ca_dir: Path, *, now: datetime, key_type: KeyType = KeyType.RSA2048
) -> None:
    """Issue a TSA identity from the sandbox CA in ``ca_dir`` and store it in ``data_dir``
    (tsa.password first, then tsa.p12, then tsa.pem; each written atomically, and a half-done
    set is issued again)."""
    from crypto.ca import CA_KEY_NAME

    ca_cert = x509.load_pem_x509_certificate((ca_dir / CA_CERT_NAME).read_bytes())
    ca_key = serialization.load_pem_private_key((ca_dir / CA_KEY_NAME).read_bytes(), None)
    if not isinstance(ca_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CryptoError("unsupported sandbox CA key type")
    key = generate_key(key_type)
    cert = _tsa_certificate(ca_cert, ca_key, key.public_key(), now, 730)
    password = secrets.token_urlsafe(12)
    atomic_write(data_dir / TSA_PASSWORD, (password + "\n").encode(), private=True)
    p12 = _pkcs12.write(
        name="SealBid sandbox TSA",
        signing_key=key,
        signing_cert=cert,
        encryption_key=None,
        encryption_cert=None,
        ca_certs=[ca_cert],
        password=password.encode(),
    )
    atomic_write(data_dir / TSA_P12, p12, private=True)
    atomic_write(data_dir / TSA_PEM, cert.public_bytes(serialization.Encoding.PEM))


def _load_identity(p12: Path, password_file: Path) -> FileIdentity:
    # Not crypto.load_identity: that one wants an encryption-capable certificate as well, and a
    # TSA certificate may only sign (RFC 3161 §2.3).
    contents = _pkcs12.read(p12.read_bytes(), read_password_file(password_file))
    keys = contents.keys
    if len(keys) != 1:
        raise CryptoError(f"{p12}: expected one private key, found {len(keys)}")
    key = keys[0]
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    own = [
        c
        for c in contents.certificates
        if c.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == spki
    ]
    if not own:
        raise CryptoError(f"{p12}: no certificate for the key")
    cert = own[0]
    chain = tuple(c for c in contents.certificates if c is not cert)
    return FileIdentity(
        signing_key=key, signing_cert=cert, encryption_key=key, encryption_cert=cert, chain=chain
    )


_lock = threading.Lock()


def load_tsa(config: Config) -> TimestampAuthority | None:
    """The platform's TSA: from ``DATA/tsa.p12``; on a sandbox platform issued on first use
    from the sandbox CA; otherwise ``None``."""
    data = config.data_dir
    p12, password = data / TSA_P12, data / TSA_PASSWORD
    with _lock:
        if not (p12.exists() and password.exists()):
            ca_dir = data / "sandbox" / "ca"
            if not (config.sandbox and (ca_dir / CA_CERT_NAME).exists()):
                return None
            issue_sandbox_tsa(data, ca_dir, now=config.now())
            log.info("issued the sandbox TSA identity in %s", p12)
        identity = _load_identity(p12, password)
    return TimestampAuthority(identity=identity, clock=config.now)


# --- HTTP -----------------------------------------------------------------------------------------


def add_routes(router: APIRouter, platform: Platform) -> None:
    """``POST /tsa`` on ``router`` (a FastAPI ``APIRouter`` under /api/v1). No login: RFC 3161
    clients (pyHanko, OpenSSL, Adobe) do not authenticate, and a token reveals nothing but a
    time and the digest the client sent."""
    state: dict[str, TimestampAuthority | None] = {}

    def authority() -> TimestampAuthority:
        # Issued or loaded on first use, then kept: PKCS#12 decryption is slow.
        if "tsa" not in state:
            state["tsa"] = load_tsa(platform.config)
        tsa = state["tsa"]
        if tsa is None:
            raise TsaNotConfigured()
        return tsa

    @router.post(
        TSA_PATH,
        tags=["platform"],
        response_class=Response,
        responses={
            200: {"content": {REPLY_TYPE: {}}, "description": "a DER TimeStampResp"},
            415: {"description": "not application/timestamp-query"},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {QUERY_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        },
        summary="RFC 3161 timestamp authority",
    )
    async def timestamp(request: Request) -> Response:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != QUERY_TYPE:
            raise TsaContentType()
        tsa = await run_in_threadpool(authority)
        body = await request.body()
        if len(body) > MAX_QUERY:
            reply = tsa._rejection("bad_data_format", "query too large")
        else:
            reply = await run_in_threadpool(tsa.respond, body)
        return Response(reply, media_type=REPLY_TYPE)


def local_timestamper(authority: TimestampAuthority) -> Any:
    """A pyHanko ``TimeStamper`` that asks ``authority`` in process (the platform stamping its
    own record PDF needs no HTTP round trip to itself). Imports pyHanko: call only to sign."""
    from pyhanko.sign.timestamps.api import TimeStamper

    class _Local(TimeStamper):
        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]

        async def async_request_tsa_response(self, req: asn1_tsp.TimeStampReq) -> Any:
            return asn1_tsp.TimeStampResp.load(authority.respond(req.dump()))

    return _Local()
