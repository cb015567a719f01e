"""Detached CMS SignedData (RFC 5652 §5), built and checked with asn1crypto + cryptography.

    der = build_detached(data, cert, chain, signing_time, sign_raw)   # sign_raw(tbs) -> signature
    signer_cert, signing_time = check_integrity(der, data)            # raises SignatureInvalidError

Why not pyHanko here: importing ``pyhanko.sign`` costs about 0.3 s per process (it pulls in
aiohttp for timestamping), a fixed cost on every ``sealbid`` command that the sealing benchmark
measured as the largest part of sealing a small bid. What is built here is the plain profile
OpenSSL signs and verifies (``openssl cms -sign -binary``); the interop tests check it with
OpenSSL. Certificate paths are still validated by pyhanko-certvalidator (crypto.cms).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from asn1crypto import algos as asn1_algos
from asn1crypto import cms as asn1_cms
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from .errors import SignatureInvalidError

__all__ = ["build_detached", "check_integrity", "signature_algorithm"]

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def signature_algorithm(cert: x509.Certificate) -> str:
    """The asn1crypto name of the SHA-256 signature algorithm for the certificate's key."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "sha256_rsa"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "sha256_ecdsa"
    raise SignatureInvalidError(f"unsupported signing key {type(key).__name__}")


def _signed_attrs(
    data: bytes, cert: x509.Certificate, signing_time: datetime
) -> asn1_cms.CMSAttributes:
    cert_hash = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()
    attrs = [
        asn1_cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        asn1_cms.CMSAttribute(
            {
                "type": "signing_time",
                "values": [asn1_cms.Time({"utc_time": signing_time.astimezone(UTC)})],
            }
        ),
        asn1_cms.CMSAttribute(
            {"type": "message_digest", "values": [hashlib.sha256(data).digest()]}
        ),
        # ESS signing-certificate-v2 (RFC 5035): binds the signer certificate into the signature.
        asn1_cms.CMSAttribute(
            {
                "type": "1.2.840.113549.1.9.16.2.47",  # id-aa-signingCertificateV2
                "values": [asn1_tsp.SigningCertificateV2({"certs": [{"cert_hash": cert_hash}]})],
            }
        ),
    ]
    # DER wants a SET OF in the order of its members' encodings.
    return asn1_cms.CMSAttributes(sorted(attrs, key=lambda a: a.dump()))


def build_detached(
    data: bytes,
    cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    signing_time: datetime,
    sign_raw: Callable[[bytes], bytes],
) -> bytes:
    """A DER ContentInfo(SignedData) over ``data``, content not included.

    ``sign_raw(tbs)`` signs SHA-256(tbs) with the certificate's key: PKCS#1 v1.5 for RSA, a DER
    ECDSA-Sig-Value for EC.
    """
    attrs = _signed_attrs(data, cert, signing_time)
    signature = sign_raw(attrs.dump())
    c = _asn1_cert(cert)
    signer_info = asn1_cms.SignerInfo(
        {
            "version": "v1",
            "sid": asn1_cms.SignerIdentifier(
                name="issuer_and_serial_number",
                value={"issuer": c.issuer, "serial_number": c.serial_number},
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": signature_algorithm(cert)},
            "signature": signature,
        }
    )
    certs = [c] + [_asn1_cert(x) for x in chain if x != cert]
    signed = asn1_cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "data"},
            "certificates": certs,
            "signer_infos": [signer_info],
        }
    )
    info = asn1_cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return bytes(info.dump())


def _verify_raw(
    cert: x509.Certificate,
    algorithm: asn1_algos.SignedDigestAlgorithm,
    digest: str,
    sig: bytes,
    tbs: bytes,
) -> None:
    key = cert.public_key()
    hash_alg = _HASHES[digest]()
    name = algorithm.signature_algo
    try:
        if name == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
            key.verify(sig, tbs, padding.PKCS1v15(), hash_alg)
        elif name == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(sig, tbs, ec.ECDSA(hash_alg))
        else:
            raise SignatureInvalidError(f"signature algorithm {name} does not fit the key")
    except InvalidSignature as exc:
        raise SignatureInvalidError("signature does not verify") from exc


def check_integrity(
    der: bytes, data: bytes
) -> tuple[asn1_x509.Certificate, list[asn1_x509.Certificate], datetime | None]:
    """Check that ``der`` is one signer's valid detached signature over ``data``.

    Returns the signer's certificate, the other certificates carried, and the signing time.
    Raises :class:`SignatureInvalidError` on any fault; trust is not judged here.
    """
    try:
        info = asn1_cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise SignatureInvalidError("not SignedData")
        sd = info["content"]
        if sd["encap_content_info"]["content"].native is not None:
            raise SignatureInvalidError("signature must be detached")
        signer_infos = list(sd["signer_infos"])
        certs = [c.chosen for c in sd["certificates"] if c.name == "certificate"]
        if len(signer_infos) != 1:
            raise SignatureInvalidError("expected exactly one signer")
        si = signer_infos[0]
        sid = si["sid"]
        if sid.name != "issuer_and_serial_number":
            raise SignatureInvalidError("signer must be named by issuer and serial")
        ias = sid.chosen
        signer = next(
            (
                c
                for c in certs
                if c.issuer == ias["issuer"] and c.serial_number == ias["serial_number"].native
            ),
            None,
        )
        if signer is None:
            raise SignatureInvalidError("signer certificate missing from the signature")
        digest_name = si["digest_algorithm"]["algorithm"].native
        if digest_name not in _HASHES:
            raise SignatureInvalidError(f"digest {digest_name} not allowed")
        attrs = si["signed_attrs"]
        # The bytes as received, taken before any value is read: asn1crypto may re-encode a
        # SET OF once its members are parsed, and the signature is over what the signer sent
        # (OpenSSL verifies those bytes too). RFC 5652 §5.4: with the SET tag, not [0].
        raw = attrs.dump()
        tbs = b"\x31" + raw[1:]
        if not len(attrs):
            raise SignatureInvalidError("signed attributes are required")
        values: dict[str, list[object]] = {}
        for attr in attrs:
            name = attr["type"].native
            if name in values:
                raise SignatureInvalidError(f"attribute {name} repeated")
            values[name] = list(attr["values"].native)
        if values.get("content_type") != ["data"]:
            raise SignatureInvalidError("content type must be data")
        if values.get("message_digest") != [hashlib.new(digest_name, data).digest()]:
            raise SignatureInvalidError("message digest does not match the content")
        crypto_cert = x509.load_der_x509_certificate(signer.dump())
        cert_hash = hashlib.sha256(signer.dump()).digest()
        for ess in values.get("signing_certificate_v2", []):
            ids = ess.get("certs") if isinstance(ess, dict) else None
            if not ids or ids[0].get("cert_hash") != cert_hash:
                raise SignatureInvalidError("signing-certificate-v2 names another certificate")
        _verify_raw(
            crypto_cert, si["signature_algorithm"], digest_name, si["signature"].native, tbs
        )
    except UnsupportedAlgorithm as exc:
        # SM2 (1.2.156.10197.1.301) comes with a later minor version of the format.
        raise SignatureInvalidError(f"unsupported signer key: {exc}") from exc
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as exc:
        raise SignatureInvalidError(f"malformed signature: {type(exc).__name__}") from exc
    signing_time = values.get("signing_time", [None])[0]
    others = [c for c in certs if c is not signer]
    return signer, others, signing_time if isinstance(signing_time, datetime) else None
