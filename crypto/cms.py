"""CMS (RFC 5652) structures of the sealed-bid format, readable by ``openssl cms``.

Key transport: the file key is the content of an EnvelopedData with one RecipientInfo per
recipient, so ``openssl cms -decrypt -inform DER -in recipients.der -inkey key.pem`` prints it:

* RSA recipients: KeyTransRecipientInfo, RSAES-OAEP (SHA-256, or SHA-1 for tokens that only
  do that) or PKCS#1 v1.5 where a token cannot do OAEP;
* EC recipients: KeyAgreeRecipientInfo, ephemeral-static ECDH with the X9.63 KDF over SHA-256
  and AES-256 key wrap (RFC 5753, ``dhSinglePass-stdDH-sha256kdf-scheme``).

The EnvelopedData content is encrypted with AES-256-CBC under a one-time content key; its
integrity comes from the key commitment the bidder signs (see docs/envelope.md).

Signatures: detached SignedData (crypto._signed_data), made with the identity's signing key
(soft key or PKCS#11) and verified here; certificate paths by pyhanko-certvalidator.

    der = build_recipients(file_key, [Recipient(cert)])
    file_key = unwrap_file_key(der, identity)
    signer = verify_detached(signature_der, data, trust=[ca_cert], at=created)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from asn1crypto import algos as asn1_algos
from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from cryptography.hazmat.primitives.padding import PKCS7

from ._signed_data import check_integrity
from .errors import (
    CertificateExpiredError,
    CertificateNotYetValidError,
    CertificateUntrustedError,
    CertificateUsageError,
    CryptoError,
    FormatError,
    NoMatchingRecipientError,
    TokenError,
    WrongKeyError,
)
from .identity import Identity, RsaPadding, can_sign, check_key_type, run_coroutine

__all__ = [
    "ECDH_SHA256_KDF_OID",
    "Recipient",
    "RecipientSummary",
    "VerifiedSigner",
    "build_recipients",
    "describe_recipients",
    "unwrap_file_key",
    "validate_path",
    "verify_detached",
]

ECDH_SHA256_KDF_OID = "1.3.132.1.11.1"  # dhSinglePass-stdDH-sha256kdf-scheme (RFC 5753)
_AES256_WRAP_OID = "2.16.840.1.101.3.4.1.45"


class _EccCmsSharedInfo(asn1_core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    """RFC 5753 ECC-CMS-SharedInfo, the X9.63 KDF's shared info."""

    _fields = [  # noqa: RUF012 - asn1crypto's declarative spec
        ("key_info", asn1_algos.AlgorithmIdentifier),
        ("entity_u_info", asn1_core.OctetString, {"explicit": 0, "optional": True}),
        ("supp_pub_info", asn1_core.OctetString, {"explicit": 2}),
    ]


@dataclass(frozen=True)
class Recipient:
    """One certificate to encrypt the file key to, with the RSA padding to use."""

    cert: x509.Certificate
    rsa_padding: RsaPadding = RsaPadding.OAEP_SHA256


@dataclass(frozen=True)
class RecipientSummary:
    """What ``inspect`` shows of a recipient."""

    issuer: str
    serial: int
    algorithm: str


def _der(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _issuer_and_serial(cert: x509.Certificate) -> asn1_cms.IssuerAndSerialNumber:
    c = _der(cert)
    return asn1_cms.IssuerAndSerialNumber({"issuer": c.issuer, "serial_number": c.serial_number})


def _oaep_params(hash_name: str) -> asn1_algos.RSAESOAEPParams:
    return asn1_algos.RSAESOAEPParams(
        {
            "hash_algorithm": {"algorithm": hash_name},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": hash_name}},
        }
    )


def _x963_kek(shared: bytes, ukm: bytes | None) -> bytes:
    shared_info = _EccCmsSharedInfo(
        {
            "key_info": {"algorithm": _AES256_WRAP_OID},
            "entity_u_info": ukm,
            "supp_pub_info": (256).to_bytes(4, "big"),
        }
    ).dump()
    return X963KDF(algorithm=hashes.SHA256(), length=32, sharedinfo=shared_info).derive(shared)


def _key_trans(cek: bytes, r: Recipient, key: rsa.RSAPublicKey) -> asn1_cms.RecipientInfo:
    if r.rsa_padding is RsaPadding.PKCS1V15:
        alg: dict[str, object] = {"algorithm": "rsaes_pkcs1v15"}
    else:
        hash_name = "sha256" if r.rsa_padding is RsaPadding.OAEP_SHA256 else "sha1"
        alg = {"algorithm": "rsaes_oaep", "parameters": _oaep_params(hash_name)}
    encrypted = key.encrypt(cek, r.rsa_padding.cryptography_padding())
    return asn1_cms.RecipientInfo(
        name="ktri",
        value=asn1_cms.KeyTransRecipientInfo(
            {
                "version": "v0",
                "rid": asn1_cms.RecipientIdentifier(
                    name="issuer_and_serial_number", value=_issuer_and_serial(r.cert)
                ),
                "key_encryption_algorithm": alg,
                "encrypted_key": encrypted,
            }
        ),
    )


def _key_agree(cek: bytes, r: Recipient, key: ec.EllipticCurvePublicKey) -> asn1_cms.RecipientInfo:
    eph = ec.generate_private_key(key.curve)
    kek = _x963_kek(eph.exchange(ec.ECDH(), key), None)
    point = eph.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    originator = asn1_keys.PublicKeyInfo(
        {"algorithm": {"algorithm": "ec"}, "public_key": asn1_keys.ECPointBitString(point)}
    )
    kea = asn1_cms.KeyEncryptionAlgorithm(
        {
            "algorithm": ECDH_SHA256_KDF_OID,
            "parameters": asn1_algos.AlgorithmIdentifier({"algorithm": _AES256_WRAP_OID}),
        }
    )
    return asn1_cms.RecipientInfo(
        name="kari",
        value=asn1_cms.KeyAgreeRecipientInfo(
            {
                "version": "v3",
                "originator": asn1_cms.OriginatorIdentifierOrKey(
                    name="originator_key", value=originator
                ),
                "key_encryption_algorithm": kea,
                "recipient_encrypted_keys": [
                    {
                        "rid": asn1_cms.KeyAgreementRecipientIdentifier(
                            name="issuer_and_serial_number", value=_issuer_and_serial(r.cert)
                        ),
                        "encrypted_key": aes_key_wrap(kek, cek),
                    }
                ],
            }
        ),
    )


def build_recipients(file_key: bytes, recipients: Sequence[Recipient]) -> bytes:
    """DER ContentInfo(EnvelopedData) whose content is ``file_key``, for every recipient."""
    if not recipients:
        raise FormatError(what="no recipients / 没有收件人")
    cek = os.urandom(32)
    iv = os.urandom(16)
    padder = PKCS7(128).padder()
    padded = padder.update(file_key) + padder.finalize()
    enc = Cipher(algorithms.AES(cek), modes.CBC(iv)).encryptor()
    ciphertext = enc.update(padded) + enc.finalize()
    infos = []
    for r in recipients:
        check_key_type(r.cert)
        key = r.cert.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            infos.append(_key_trans(cek, r, key))
        elif isinstance(key, ec.EllipticCurvePublicKey):
            infos.append(_key_agree(cek, r, key))
        else:
            raise FormatError(what=f"unsupported recipient key {type(key).__name__}")
    # CMS requires version 2 when any RecipientInfo is not v0 KeyTrans (RFC 5652 6.1).
    version = "v0" if all(i.name == "ktri" for i in infos) else "v2"
    env = asn1_cms.EnvelopedData(
        {
            "version": version,
            "recipient_infos": infos,
            "encrypted_content_info": {
                "content_type": "data",
                "content_encryption_algorithm": {
                    "algorithm": "aes256_cbc",
                    "parameters": asn1_core.OctetString(iv),
                },
                "encrypted_content": ciphertext,
            },
        }
    )
    return bytes(asn1_cms.ContentInfo({"content_type": "enveloped_data", "content": env}).dump())


# What asn1crypto raises on malformed or unexpected structures, beyond ValueError.
_ASN1_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)


def _load_enveloped(der: bytes) -> asn1_cms.EnvelopedData:
    try:
        info = asn1_cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "enveloped_data":
            raise FormatError(what="recipients block is not CMS EnvelopedData")
        env = info["content"]
        env.native  # noqa: B018 - forces a full parse so malformed DER fails here
        return env
    except _ASN1_ERRORS as exc:
        raise FormatError(what="recipients block is not valid DER / 收件人块无法解析") from exc


def _matches(rid_value: asn1_cms.IssuerAndSerialNumber, cert: x509.Certificate) -> bool:
    ias = _issuer_and_serial(cert)
    return bool(
        rid_value["issuer"] == ias["issuer"]
        and rid_value["serial_number"].native == ias["serial_number"].native
    )


def _padding_of(alg: asn1_cms.KeyEncryptionAlgorithm) -> RsaPadding:
    name = alg["algorithm"].native
    if name == "rsaes_pkcs1v15":
        return RsaPadding.PKCS1V15
    if name == "rsaes_oaep":
        params = alg["parameters"]
        h = params["hash_algorithm"]["algorithm"].native
        mgf_h = params["mask_gen_algorithm"]["parameters"]["algorithm"].native
        label = params["p_source_algorithm"]["parameters"].native
        if h == mgf_h == "sha256" and not label:
            return RsaPadding.OAEP_SHA256
        if h == mgf_h == "sha1" and not label:
            return RsaPadding.OAEP_SHA1
    raise FormatError(what=f"unsupported key transport {name}")


def _unwrap_cek(env: asn1_cms.EnvelopedData, identity: Identity) -> bytes:
    """Try every RecipientInfo that names the identity's certificate (a writer may list the same
    certificate with two paddings); the first that opens wins."""
    cert = identity.encryption_cert
    failure: CryptoError = NoMatchingRecipientError()
    for info in env["recipient_infos"]:
        ri = info.chosen
        if info.name == "ktri":
            entries = [(ri["rid"], ri["encrypted_key"].native)]
        elif info.name == "kari":
            entries = [
                (rek["rid"], rek["encrypted_key"].native) for rek in ri["recipient_encrypted_keys"]
            ]
        else:
            continue
        for rid, encrypted_key in entries:
            if rid.name != "issuer_and_serial_number" or not _matches(rid.chosen, cert):
                continue
            try:
                if info.name == "ktri":
                    padding = _padding_of(ri["key_encryption_algorithm"])
                    return identity.rsa_decrypt(encrypted_key, padding)
                return _kari_unwrap(ri, encrypted_key, identity)
            except (WrongKeyError, TokenError, FormatError) as exc:
                failure = exc
    raise failure


def _kari_unwrap(ri: asn1_cms.KeyAgreeRecipientInfo, wrapped: bytes, identity: Identity) -> bytes:
    alg = ri["key_encryption_algorithm"]
    if alg["algorithm"].dotted != ECDH_SHA256_KDF_OID:
        raise FormatError(what=f"unsupported key agreement {alg['algorithm'].dotted}")
    wrap = asn1_algos.AlgorithmIdentifier.load(alg["parameters"].dump())
    if wrap["algorithm"].dotted != _AES256_WRAP_OID:
        raise FormatError(what="unsupported key wrap")
    originator = ri["originator"]
    if originator.name != "originator_key":
        raise FormatError(what="originator must be a public key")
    own = identity.encryption_cert.public_key()
    if not isinstance(own, ec.EllipticCurvePublicKey):
        raise WrongKeyError("recipient entry is EC, key is not")
    point = originator.chosen["public_key"].native
    try:
        peer = ec.EllipticCurvePublicKey.from_encoded_point(own.curve, point)
    except ValueError as exc:
        raise FormatError(what="bad originator key") from exc
    ukm = ri["ukm"].native if ri["ukm"].native is not None else None
    kek = _x963_kek(identity.ecdh(peer), ukm)
    try:
        return aes_key_unwrap(kek, wrapped)
    except InvalidUnwrap as exc:
        raise WrongKeyError("AES key unwrap failed") from exc


def unwrap_file_key(der: bytes, identity: Identity) -> bytes:
    """The file key, unwrapped with the identity's encryption key.

    Raises :class:`NoMatchingRecipientError` when no RecipientInfo names the identity's
    encryption certificate and :class:`WrongKeyError` when the key does not open its entry.
    """
    env = _load_enveloped(der)
    try:
        cek = _unwrap_cek(env, identity)
        eci = env["encrypted_content_info"]
        algorithm = eci["content_encryption_algorithm"]["algorithm"].native
        iv = eci["content_encryption_algorithm"]["parameters"].native
        ciphertext = eci["encrypted_content"].native
    except _ASN1_ERRORS as exc:
        raise FormatError(what="recipients block has an unexpected structure") from exc
    if algorithm != "aes256_cbc" or len(cek) != 32:
        raise WrongKeyError("content encryption key has the wrong form")
    if not isinstance(iv, bytes) or len(iv) != 16 or not isinstance(ciphertext, bytes):
        raise FormatError(what="recipients block: bad IV or content")
    if len(ciphertext) != 48:  # 32-byte file key + one full block of PKCS#7 padding
        raise FormatError(what="recipients block: the content is not a 32-byte key")
    dec = Cipher(algorithms.AES(cek), modes.CBC(iv)).decryptor()
    # The padding is deliberately not checked: CBC has no integrity, and a padding error that
    # differs from a commitment error would be a padding oracle on the file key. The caller's
    # key-commitment check is the integrity check for what comes out here.
    return (dec.update(ciphertext) + dec.finalize())[:32]


def describe_recipients(der: bytes) -> list[RecipientSummary]:
    try:
        return _describe(_load_enveloped(der))
    except _ASN1_ERRORS as exc:
        raise FormatError(what="recipients block has an unexpected structure") from exc


def _describe(env: asn1_cms.EnvelopedData) -> list[RecipientSummary]:
    out = []
    for info in env["recipient_infos"]:
        if info.name == "ktri":
            rid = info.chosen["rid"]
            alg = "rsaes-" + _padding_of(info.chosen["key_encryption_algorithm"]).value
            pairs = [rid.chosen] if rid.name == "issuer_and_serial_number" else []
        elif info.name == "kari":
            alg = "ecdh-x963-sha256+aes256-wrap"
            pairs = [
                rek["rid"].chosen
                for rek in info.chosen["recipient_encrypted_keys"]
                if rek["rid"].name == "issuer_and_serial_number"
            ]
        else:
            continue
        for ias in pairs:
            out.append(
                RecipientSummary(
                    issuer=ias["issuer"].human_friendly,
                    serial=int(ias["serial_number"].native),
                    algorithm=str(alg),
                )
            )
    return out


# --- signatures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedSigner:
    """The signer of a verified signature. ``trusted`` is False when no trust roots were given."""

    cert: x509.Certificate
    signing_time: datetime | None
    trusted: bool
    asn1_cert: asn1_x509.Certificate = field(repr=False, compare=False)
    carried: tuple[asn1_x509.Certificate, ...] = field(repr=False, compare=False, default=())


def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def verify_detached(
    signature_der: bytes,
    data: bytes,
    *,
    trust: Sequence[x509.Certificate] | None,
    at: datetime,
) -> VerifiedSigner:
    """Check a detached CMS signature over ``data``; with ``trust``, also its certificate path
    at the moment ``at``. Raises a :class:`SignatureError` subclass on any fault."""
    signer, others, signing_time = check_integrity(signature_der, data)
    verified = VerifiedSigner(
        x509.load_der_x509_certificate(signer.dump()),
        signing_time,
        trusted=False,
        asn1_cert=signer,
        carried=tuple(others),
    )
    if trust is None:
        return verified
    return validate_path(verified, trust=trust, at=at)


def validate_path(
    signer: VerifiedSigner, *, trust: Sequence[x509.Certificate], at: datetime
) -> VerifiedSigner:
    """Check the signer's certificate path to ``trust`` at the moment ``at`` and that its key
    may sign (digitalSignature or nonRepudiation, as crypto.identity.can_sign accepts)."""
    _validate_path(signer.asn1_cert, list(signer.carried), trust, at)
    if not can_sign(signer.cert):
        raise CertificateUsageError(
            subject=signer.cert.subject.rfc4514_string(), usage="签名/signing"
        )
    return replace(signer, trusted=True)


def validate_certificate(
    cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    *,
    trust: Sequence[x509.Certificate],
    at: datetime,
) -> None:
    """Check ``cert``'s path to ``trust`` at ``at`` (with ``chain`` as intermediates), without
    a signature: an environment check of one's own certificate. Raises the errors of
    :func:`validate_path`."""
    from cryptography.hazmat.primitives.serialization import Encoding

    def asn1(c: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(c.public_bytes(Encoding.DER))

    _validate_path(asn1(cert), [asn1(c) for c in chain], trust, at)


def _validate_path(
    cert: asn1_x509.Certificate,
    others: list[asn1_x509.Certificate],
    trust: Sequence[x509.Certificate],
    at: datetime,
) -> None:
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        InvalidCertificateError,
        NotYetValidError,
        PathBuildingError,
        PathValidationError,
    )

    subject = cert.subject.human_friendly
    if not trust:
        raise CertificateUntrustedError("no trust anchors given", subject=subject)
    ctx = ValidationContext(
        trust_roots=[_der(t) for t in trust],
        moment=at,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    validator = CertificateValidator(cert, intermediate_certs=others, validation_context=ctx)
    try:
        # Key usage is checked by the caller (either signing bit will do), not here.
        run_coroutine(validator.async_validate_usage(set()))
    except ExpiredError as exc:
        when = cert["tbs_certificate"]["validity"]["not_after"].native
        raise CertificateExpiredError(str(exc), subject=subject, when=when.isoformat()) from exc
    except NotYetValidError as exc:
        when = cert["tbs_certificate"]["validity"]["not_before"].native
        raise CertificateNotYetValidError(str(exc), subject=subject, when=when.isoformat()) from exc
    except PathBuildingError as exc:
        raise CertificateUntrustedError(str(exc), subject=subject) from exc
    except InvalidCertificateError as exc:
        raise CertificateUsageError(str(exc), subject=subject, usage="签名/signing") from exc
    except PathValidationError as exc:
        raise CertificateUntrustedError(str(exc), subject=subject) from exc
    except (OverflowError, ValueError) as exc:  # a validation time out of range
        raise CertificateUntrustedError(type(exc).__name__, subject=subject) from exc
