"""Identities: a signing key + certificate and an encryption key + certificate.

One abstraction for both key sources, so the sealed-bid code never knows where a key lives::

    identity = load_identity("bidder.p12", password=b"...")      # PKCS#12 file
    identity = TokenIdentity.open(module=lib, token_label="投标密钥", pin_callback=ask)  # token
    cms_der = identity.sign_detached(data, signing_time=now)
    file_key = identity.rsa_decrypt(encrypted_key, RsaPadding.OAEP_SHA256)

A single key and certificate for both roles works too. Private keys of a token never leave it:
the token implementation performs :meth:`Identity.rsa_decrypt` and :meth:`Identity.ecdh` inside.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from . import _pkcs12
from .errors import IdentityError, WrongKeyError

__all__ = ["FileIdentity", "Identity", "RsaPadding", "load_identity"]

_T = TypeVar("_T")


class RsaPadding(enum.Enum):
    """RSA key-transport paddings, best first. PKCS#1 v1.5 only where a token cannot do OAEP."""

    OAEP_SHA256 = "oaep-sha256"
    OAEP_SHA1 = "oaep-sha1"
    PKCS1V15 = "pkcs1v15"

    def cryptography_padding(self) -> padding.AsymmetricPadding:
        if self is RsaPadding.OAEP_SHA256:
            return padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)
        if self is RsaPadding.OAEP_SHA1:
            return padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)  # noqa: S303
        return padding.PKCS1v15()


def run_coroutine(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run an async API (pyhanko-certvalidator's) from sync code, also when a loop is already
    running. asyncio is imported here: it costs start-up time on every command otherwise."""
    import asyncio
    import concurrent.futures

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _key_usage(cert: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def can_sign(cert: x509.Certificate) -> bool:
    ku = _key_usage(cert)
    return ku is None or ku.digital_signature or ku.content_commitment


def can_encrypt(cert: x509.Certificate) -> bool:
    ku = _key_usage(cert)
    if ku is None:
        return True
    if isinstance(cert.public_key(), ec.EllipticCurvePublicKey):
        return ku.key_agreement
    return ku.key_encipherment


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def check_key_type(cert: x509.Certificate) -> None:
    """Refuse keys format v1 does not take: RSA 2048-4096 bits and EC P-256 only (SM2 later)."""
    key = cert.public_key()
    subject = cert.subject.rfc4514_string()
    if isinstance(key, rsa.RSAPublicKey):
        if 2048 <= key.key_size <= 4096:
            return
        what = f"RSA-{key.key_size}"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name == "secp256r1":
            return
        what = f"EC {key.curve.name}"
    else:
        what = type(key).__name__
    raise IdentityError(
        what=f"{subject}: 不支持的密钥类型 {what}（支持 RSA 2048–4096、EC P-256）"
        f" / unsupported key type {what} (RSA 2048-4096 and EC P-256 are supported)"
    )


def public_der(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class Identity(ABC):
    """A bidder's (or host's) keys: sign with one, unwrap file keys with the other."""

    signing_cert: x509.Certificate
    encryption_cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @abstractmethod
    def sign_raw(self, message: bytes) -> bytes:
        """Sign SHA-256(``message``) with the signing key: RSA PKCS#1 v1.5, or ECDSA as a DER
        ECDSA-Sig-Value."""

    def sign_detached(self, data: bytes, *, signing_time: datetime) -> bytes:
        """A detached CMS SignedData (DER ContentInfo) over ``data`` with the signing key."""
        from ._signed_data import build_detached

        return build_detached(data, self.signing_cert, self.chain, signing_time, self.sign_raw)

    @abstractmethod
    def rsa_decrypt(self, ciphertext: bytes, scheme: RsaPadding) -> bytes:
        """Decrypt an RSA key-transport block with the encryption key.

        Raises :class:`WrongKeyError` when the key does not decrypt it.
        """

    @abstractmethod
    def ecdh(self, peer: ec.EllipticCurvePublicKey) -> bytes:
        """The raw ECDH shared secret of the encryption key with ``peer``."""

    def rsa_schemes(self) -> tuple[RsaPadding, ...]:
        """Paddings this key source can unwrap, best first (own recipient uses the first)."""
        return (RsaPadding.OAEP_SHA256, RsaPadding.OAEP_SHA1, RsaPadding.PKCS1V15)

    def close(self) -> None:  # noqa: B027 - file identities hold nothing to release
        """Release the key source (log out of a token). Idempotent."""

    def __enter__(self) -> Identity:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FileIdentity(Identity):
    """An identity from a PKCS#12 file (or from key objects, for tests and the sandbox CA)."""

    def __init__(
        self,
        *,
        signing_key: _pkcs12.PrivateKey,
        signing_cert: x509.Certificate,
        encryption_key: _pkcs12.PrivateKey,
        encryption_cert: x509.Certificate,
        chain: tuple[x509.Certificate, ...] = (),
    ) -> None:
        self._signing_key = signing_key
        self._encryption_key = encryption_key
        self.signing_cert = signing_cert
        self.encryption_cert = encryption_cert
        self.chain = chain

    def sign_raw(self, message: bytes) -> bytes:
        key = self._signing_key
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        return key.sign(message, ec.ECDSA(hashes.SHA256()))

    def rsa_decrypt(self, ciphertext: bytes, scheme: RsaPadding) -> bytes:
        if not isinstance(self._encryption_key, rsa.RSAPrivateKey):
            raise WrongKeyError("encryption key is not RSA")
        try:
            return self._encryption_key.decrypt(ciphertext, scheme.cryptography_padding())
        except ValueError as exc:
            raise WrongKeyError("RSA unwrap failed") from exc

    def ecdh(self, peer: ec.EllipticCurvePublicKey) -> bytes:
        if not isinstance(self._encryption_key, ec.EllipticCurvePrivateKey):
            raise WrongKeyError("encryption key is not EC")
        if peer.curve.name != self._encryption_key.curve.name:
            raise WrongKeyError("originator key on another curve")
        return self._encryption_key.exchange(ec.ECDH(), peer)


def identity_from_parts(
    keys: tuple[_pkcs12.PrivateKey, ...], certs: tuple[x509.Certificate, ...]
) -> FileIdentity:
    """Pair keys with their certificates and decide which pair signs and which encrypts."""
    pairs: list[tuple[_pkcs12.PrivateKey, x509.Certificate]] = []
    for key in keys:
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        match = [c for c in certs if public_der(c) == spki]
        if not match:
            raise IdentityError(what="a private key has no certificate / 私钥没有对应的证书")
        pairs.append((key, match[0]))
    if not pairs:
        raise IdentityError(what="no private key in the file / 文件中没有私钥")
    signing = [p for p in pairs if can_sign(p[1])]
    encrypting = [p for p in pairs if can_encrypt(p[1])]
    if not signing:
        raise IdentityError(what="no certificate allows signing / 没有可用于签名的证书")
    if not encrypting:
        raise IdentityError(what="no certificate allows encryption / 没有可用于加密的证书")
    # With dual certificates prefer distinct pairs; a single pair serves both roles.
    sign_pair = signing[0]
    enc_pair = next((p for p in encrypting if p is not sign_pair), encrypting[0])
    check_key_type(sign_pair[1])
    check_key_type(enc_pair[1])
    used = {id(sign_pair[1]), id(enc_pair[1])}
    chain = tuple(c for c in certs if id(c) not in used and is_ca(c))
    return FileIdentity(
        signing_key=sign_pair[0],
        signing_cert=sign_pair[1],
        encryption_key=enc_pair[0],
        encryption_cert=enc_pair[1],
        chain=chain,
    )


def load_identity(path: Path | str, *, password: bytes) -> FileIdentity:
    """Load a PKCS#12 identity (.p12/.pfx). Raises :class:`WrongPasswordError` or
    :class:`IdentityError` with a clear message."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise IdentityError(what=f"{p}: {exc.strerror}") from exc
    contents = _pkcs12.read(data, password)
    return identity_from_parts(contents.keys, contents.certificates)
