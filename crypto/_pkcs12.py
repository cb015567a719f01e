"""PKCS#12 (.p12/.pfx) files holding one or two key pairs (dual certificates).

cryptography reads and writes PKCS#12 with a single private key. Chinese CAs issue a signing and
an encryption certificate, each with its own key, so SealBid writes the second key as one more
shrouded key bag in the same file and recomputes the MAC (RFC 7292). OpenSSL 3 reads such files
(``openssl pkcs12 -info``); :func:`read` reads them and any single-key file OpenSSL writes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator
from dataclasses import dataclass

from asn1crypto import algos as asn1_algos
from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import pkcs12 as asn1_p12
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from sealbid.errors import UsageError

from .errors import IdentityError, WrongPasswordError

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_MAC_ITERATIONS = 2048
_KDF_ROUNDS = 200_000


@dataclass(frozen=True)
class Pkcs12Contents:
    """What a PKCS#12 file holds: its private keys and all its certificates."""

    keys: tuple[PrivateKey, ...]
    certificates: tuple[x509.Certificate, ...]


def _bmp_password(password: bytes) -> bytes:
    """RFC 7292 B.1: the password as a BMPString with a two-byte NUL terminator."""
    return password.decode("utf-8").encode("utf-16-be") + b"\x00\x00"


def pkcs12_kdf(password: bytes, salt: bytes, ident: int, iterations: int, length: int) -> bytes:
    """The PKCS#12 key derivation (RFC 7292 Appendix B.2) with SHA-256, used for the MAC key."""
    u, v = 32, 64
    d = bytes([ident]) * v

    def stretch(data: bytes) -> bytes:
        if not data:
            return b""
        count = -(-len(data) // v) * v
        return (data * (count // len(data) + 1))[:count]

    i_block = bytearray(stretch(salt) + stretch(_bmp_password(password)))
    out = b""
    while len(out) < length:
        a = hashlib.sha256(d + bytes(i_block)).digest()
        for _ in range(iterations - 1):
            a = hashlib.sha256(a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        for j in range(0, len(i_block), v):
            block = (int.from_bytes(i_block[j : j + v], "big") + b + 1) % (1 << (v * 8))
            i_block[j : j + v] = block.to_bytes(v, "big")
    return out[:length]


def read(data: bytes, password: bytes) -> Pkcs12Contents:
    """Every private key and certificate in a PKCS#12 file.

    Raises :class:`WrongPasswordError` on a wrong password or a damaged MAC and
    :class:`IdentityError` on a file that is not PKCS#12.
    """
    try:
        # An empty password means "no password" to cryptography, as to OpenSSL.
        loaded = pkcs12.load_pkcs12(data, password or None)
    except ValueError as exc:
        raise WrongPasswordError(str(exc)) from exc
    certs: list[x509.Certificate] = []
    if loaded.cert is not None:
        certs.append(loaded.cert.certificate)
    certs.extend(c.certificate for c in loaded.additional_certs)
    keys: list[PrivateKey] = []
    if isinstance(loaded.key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        keys.append(loaded.key)
    elif loaded.key is not None:
        raise IdentityError(what=f"unsupported key type {type(loaded.key).__name__}")

    # cryptography hands back one key; dual-certificate files carry a second shrouded key bag,
    # which the MAC check above has already authenticated. Decrypting a bag costs a PBKDF2 run,
    # so look for more keys only when an end-entity certificate is still without its key.
    def is_end_entity(cert: x509.Certificate) -> bool:
        try:
            return not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            return True

    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    have = {k.public_key().public_bytes(serialization.Encoding.DER, spki) for k in keys}
    unpaired = [
        c
        for c in certs
        if is_end_entity(c)
        and c.public_key().public_bytes(serialization.Encoding.DER, spki) not in have
    ]
    if not unpaired:
        return Pkcs12Contents(keys=tuple(keys), certificates=tuple(certs))
    try:
        for key in _extra_keys(data, password):
            spki_of_key = key.public_key().public_bytes(serialization.Encoding.DER, spki)
            if spki_of_key in have:
                continue
            have.add(spki_of_key)
            keys.append(key)
            unpaired = [
                c
                for c in unpaired
                if c.public_key().public_bytes(serialization.Encoding.DER, spki) not in have
            ]
            if not unpaired:
                break
    except (ValueError, TypeError) as exc:
        raise IdentityError(what=f"PKCS#12 key bag: {exc}") from exc
    return Pkcs12Contents(keys=tuple(keys), certificates=tuple(certs))


def _same_public(a: PrivateKey, b: PrivateKey) -> bool:
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return a.public_key().public_bytes(enc, fmt) == b.public_key().public_bytes(enc, fmt)


def _extra_keys(data: bytes, password: bytes) -> Iterator[PrivateKey]:
    """The file's shrouded keys, last bag first: cryptography has already decrypted the first
    one, so for a dual-certificate file the key still missing usually comes out first and the
    caller stops there (each bag costs a PBKDF2 run)."""
    pfx = asn1_p12.Pfx.load(data)
    bags = []
    for info in pfx.authenticated_safe:
        if info["content_type"].native != "data":
            continue  # encrypted safes hold certificates in every writer we know of
        contents = asn1_p12.SafeContents.load(info["content"].native)
        bags += [b for b in contents if b["bag_id"].native == "pkcs8_shrouded_key_bag"]
    for bag in reversed(bags):
        key = serialization.load_der_private_key(bag["bag_value"].untag().dump(), password or None)
        if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            yield key


def write(
    *,
    name: str,
    signing_key: PrivateKey,
    signing_cert: x509.Certificate,
    encryption_key: PrivateKey | None,
    encryption_cert: x509.Certificate | None,
    ca_certs: list[x509.Certificate],
    password: bytes,
) -> bytes:
    """A PKCS#12 file with the signing pair and, if given, a separate encryption pair.

    Keys and certificates are encrypted with PBES2 (PBKDF2-SHA256, AES-256-CBC) and the file is
    MAC'd with HMAC-SHA256, as OpenSSL 3 does by default. Each key carries the localKeyId of
    its certificate, so importers that pair keys and certificates that way (Windows, Java,
    OpenSSL) see two complete pairs.
    """
    if not password:
        raise UsageError(what="证书密码不能为空 / the password must not be empty")
    algorithm = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password)
    )
    base = pkcs12.serialize_key_and_certificates(
        name.encode("utf-8"), signing_key, signing_cert, ca_certs, algorithm
    )
    if (
        encryption_key is None
        or encryption_cert is None
        or _same_public(encryption_key, signing_key)
    ):
        return base
    # cryptography writes one key per file: write the encryption pair as a second file with the
    # same password and algorithms, then merge the two authenticated safes under a new MAC.
    second = pkcs12.serialize_key_and_certificates(
        f"{name} (encryption)".encode(), encryption_key, encryption_cert, None, algorithm
    )
    return _merge(base, second, password)


def _merge(first: bytes, second: bytes, password: bytes) -> bytes:
    infos = list(asn1_p12.Pfx.load(first).authenticated_safe)
    infos += list(asn1_p12.Pfx.load(second).authenticated_safe)
    auth_safe = asn1_p12.AuthenticatedSafe(infos).dump()
    salt = os.urandom(16)
    mac_key = pkcs12_kdf(password, salt, 3, _MAC_ITERATIONS, 32)
    mac = hmac.new(mac_key, auth_safe, hashlib.sha256).digest()
    new_pfx = asn1_p12.Pfx(
        {
            "version": "v3",
            "auth_safe": asn1_cms.ContentInfo(
                {"content_type": "data", "content": asn1_core.OctetString(auth_safe)}
            ),
            "mac_data": asn1_p12.MacData(
                {
                    "mac": asn1_algos.DigestInfo(
                        {"digest_algorithm": {"algorithm": "sha256"}, "digest": mac}
                    ),
                    "mac_salt": salt,
                    "iterations": _MAC_ITERATIONS,
                }
            ),
        }
    )
    return bytes(new_pfx.dump())
