"""USB-token (PKCS#11) identities: sign and unwrap file keys with keys that never leave the token.

A :class:`TokenIdentity` is an :class:`~crypto.identity.Identity` whose private keys stay on a
PKCS#11 token (a USB key; SoftHSM2 in tests). Signing uses ``C_Sign`` (CMS built in crypto._signed_data);
RSA key transport uses ``C_Decrypt`` and EC key agreement ``CKM_ECDH1_DERIVE`` on the token::

    identity = TokenIdentity.open(
        module="/usr/lib/softhsm/libsofthsm2.so", token_label="投标密钥", pin_callback=ask_pin
    )
    with identity:
        cms_der = identity.sign_detached(data, signing_time=now)
        file_key = unwrap_file_key(recipients_der, identity)

    # or from an RFC 7512 URI, as the CLI takes it
    identity = open_token_identity(
        "pkcs11:token=投标密钥?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin.txt"
    )

    # sandbox: make keys on a token and have the sandbox CA certify them
    certs = generate_on_token(module=..., token_label="投标密钥", pin="123456", ca=ca,
                              role=Role.BIDDER, name="合肥建工集团有限公司", org_code=None,
                              key_type=KeyType.P256, dual=True)

The PIN is asked through ``pin_callback(prompt)``, which the UI implements; it may raise
:class:`sealbid.errors.CancelledError`. Every python-pkcs11 exception is translated here, once,
into :class:`~crypto.errors.TokenError` (wrong PIN: :class:`~crypto.errors.TokenPinError`; a
key that cannot open a block: :class:`~crypto.errors.WrongKeyError`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pkcs11
from asn1crypto import core as asn1_core
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pkcs11 import MGF, Attribute, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11e
from pkcs11.util.ec import (
    encode_ec_public_key,
    encode_ecdsa_signature,
    encode_named_curve_parameters,
)
from pkcs11.util.rsa import encode_rsa_public_key

from sealbid.errors import UsageError
from sealbid.uscc import validate as validate_uscc

from .ca import KeyType, Role, SandboxCA, Usage
from .errors import TokenError, TokenPinError, WrongKeyError
from .identity import Identity, RsaPadding, can_encrypt, can_sign, check_key_type, is_ca

__all__ = [
    "PinCallback",
    "Pkcs11Uri",
    "TokenCertificates",
    "TokenIdentity",
    "generate_on_token",
    "load_module",
    "open_token_identity",
    "parse_pkcs11_uri",
]

log = logging.getLogger(__name__)

PinCallback = Callable[[str], str]
"""Asks the user for a PIN: gets a bilingual prompt, returns the PIN or raises CancelledError."""

_P256_OID = "1.2.840.10045.3.1.7"
_PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as _Lib
_RSA_BITS = {KeyType.RSA2048: 2048, KeyType.RSA3072: 3072, KeyType.RSA4096: 4096}

# (mechanism, mechanism parameter) of C_Decrypt for each key-transport padding.
_RSA_MECHANISMS: dict[RsaPadding, tuple[Mechanism, tuple[Any, ...] | None]] = {
    RsaPadding.OAEP_SHA256: (Mechanism.RSA_PKCS_OAEP, (Mechanism.SHA256, MGF.SHA256, None)),
    RsaPadding.OAEP_SHA1: (Mechanism.RSA_PKCS_OAEP, (Mechanism.SHA_1, MGF.SHA1, None)),
    RsaPadding.PKCS1V15: (Mechanism.RSA_PKCS, None),
}

# What the token says when it cannot do a mechanism or parameter set at all. SoftHSM2 2.6.1
# answers CKR_ARGUMENTS_BAD to OAEP with SHA-256 (measured, see TokenIdentity.rsa_schemes);
# other tokens say CKR_MECHANISM_INVALID or CKR_MECHANISM_PARAM_INVALID.
_UNSUPPORTED = (
    p11e.MechanismInvalid,
    p11e.MechanismParamInvalid,
    p11e.ArgumentsBad,
    p11e.FunctionNotSupported,
    p11e.KeyTypeInconsistent,
)
# What the token says when the key works but the block does not open with it.
_BAD_DATA = (
    p11e.EncryptedDataInvalid,
    p11e.EncryptedDataLenRange,
    p11e.DataInvalid,
    p11e.DataLenRange,
    p11e.GeneralError,
    p11e.FunctionFailed,
)
_PIN_ERRORS = (
    p11e.PinIncorrect,
    p11e.PinInvalid,
    p11e.PinLenRange,
    p11e.PinLocked,
    p11e.PinExpired,
)
_GONE_ERRORS = (
    p11e.DeviceRemoved,
    p11e.DeviceError,
    p11e.TokenNotPresent,
    p11e.TokenNotRecognised,
    p11e.SessionClosed,
    p11e.SessionHandleInvalid,
)


def _token_error(exc: pkcs11.PKCS11Error, doing: str) -> TokenError:
    """The one translation of a python-pkcs11 error; ``doing`` is bilingual ("签名 / signing")."""
    detail = f"{doing}: {type(exc).__name__} {exc}".strip()
    if isinstance(exc, _PIN_ERRORS):
        return TokenPinError(detail)
    if isinstance(exc, _GONE_ERRORS):
        return TokenError(
            detail,
            what=f"{doing}时 USB Key 被拔出或无响应 / the token was removed or stopped responding",
        )
    if isinstance(exc, p11e.UserNotLoggedIn):
        return TokenError(
            detail, what=f"{doing}时 USB Key 未登录（可能已被注销）/ the token is not logged in"
        )
    return TokenError(detail, what=f"{doing}失败 / failed ({type(exc).__name__})")


@contextmanager
def _translated(doing: str) -> Iterator[None]:
    try:
        yield
    except pkcs11.PKCS11Error as exc:
        raise _token_error(exc, doing) from exc


# --- modules, tokens and logins -------------------------------------------------------------


def load_module(module: str | Path) -> _Lib:
    """The PKCS#11 library at ``module``; :class:`TokenError` when it does not load."""
    so = str(module)
    try:
        return pkcs11.lib(so)
    except (pkcs11.PKCS11Error, OSError) as exc:
        raise TokenError(
            f"{type(exc).__name__}: {exc}",
            what=f"无法加载 PKCS#11 模块 {so} / cannot load the PKCS#11 module {so}",
        ) from exc


def _find_token(lib: _Lib, label: str | None, serial: str | None) -> pkcs11.Token:
    with _translated("查找 USB Key / looking for the token"):
        tokens = []
        for slot in lib.get_slots(token_present=True):
            try:
                tokens.append(slot.get_token())
            except (p11e.TokenNotPresent, p11e.TokenNotRecognised):
                continue  # pulled out between the slot list and this call
    # SoftHSM2 always shows one free slot with an empty, uninitialised token: not a candidate.
    tokens = [t for t in tokens if t.flags & pkcs11.TokenFlag.TOKEN_INITIALIZED]
    present = "、".join(repr(t.label) for t in tokens) or "-"
    matches = [
        t
        for t in tokens
        if (label is None or t.label == label)
        and (serial is None or _serial_text(t.serial) == serial)
    ]
    if len(matches) == 1:
        return matches[0]
    if not tokens:
        raise TokenError(what="未检测到 USB Key，请插入后重试 / no token is plugged in")
    if not matches:
        wanted = f"“{label}”" if label is not None else f"serial {serial}"
        raise TokenError(
            what=f"未找到 USB Key {wanted}（已插入：{present}）/ no token {wanted} (present: {present})"
        )
    raise TokenError(
        what=f"插入了多个 USB Key（{present}），请指定一个 / several tokens (present: {present}); "
        "choose one by label"
    )


def _serial_text(serial: bytes | str) -> str:
    text = serial.decode("ascii", "replace") if isinstance(serial, bytes) else serial
    return text.strip()


def _pin_prompt(token: pkcs11.Token) -> str:
    prompt = f"请输入 USB Key“{token.label}”的 PIN 码 / Enter the PIN of the token '{token.label}'"
    if token.flags & pkcs11.TokenFlag.USER_PIN_FINAL_TRY:
        prompt += "\n注意：再输错一次将锁定 USB Key / Warning: one more wrong PIN locks the token"
    return prompt


class _Logins:
    """Logins shared by every identity of one token in this process.

    PKCS#11 login state belongs to the application, not to a session: a second ``C_Login``
    fails with CKR_USER_ALREADY_LOGGED_IN, and any ``C_Logout`` logs every session out. So one
    hidden "anchor" session per token holds the login, counted by the identities using it, and
    each identity works in its own unauthenticated session that shares the login.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._anchors: dict[tuple[str, int, str], tuple[pkcs11.Session | None, int]] = {}

    def acquire(
        self, key: tuple[str, int, str], token: pkcs11.Token, get_pin: Callable[[], Any]
    ) -> None:
        if self._take(key):
            return
        # Ask for the PIN outside the lock: the callback waits for a person.
        pin = get_pin()
        with self._lock:
            if key in self._anchors:
                anchor, count = self._anchors[key]
                self._anchors[key] = (anchor, count + 1)
                return
            try:
                # On a wrong PIN python-pkcs11 raises after C_OpenSession and the session handle
                # is lost until C_Finalize; it holds no login, and there is no API to avoid it.
                anchor = token.open(user_pin=pin)
            except p11e.UserAlreadyLoggedIn:
                # Logged in by code outside this registry: share it, leave its logout to it.
                anchor = None
            except pkcs11.PKCS11Error as exc:
                raise _token_error(exc, "登录 USB Key / logging in to the token") from exc
            self._anchors[key] = (anchor, 1)

    def _take(self, key: tuple[str, int, str]) -> bool:
        with self._lock:
            if key not in self._anchors:
                return False
            anchor, count = self._anchors[key]
            self._anchors[key] = (anchor, count + 1)
            return True

    def release(self, key: tuple[str, int, str]) -> None:
        with self._lock:
            if key not in self._anchors:
                return
            anchor, count = self._anchors.pop(key)
            if count > 1:
                self._anchors[key] = (anchor, count - 1)
                return
        if anchor is not None:
            try:
                anchor.close()  # C_Logout + C_CloseSession
            except pkcs11.PKCS11Error as exc:
                # The token may be gone already; there is nothing left to log out of.
                log.info("closing the login session failed: %s", type(exc).__name__)


_LOGINS = _Logins()


def _login_key(module: str, token: pkcs11.Token) -> tuple[str, int, str]:
    return (module, int(token.slot.slot_id), _serial_text(token.serial))


def _login(
    module: str, token: pkcs11.Token, pin: str | None, pin_callback: PinCallback | None
) -> tuple[str, int, str]:
    """Log in to ``token`` (or join this process's login) and return the key to release it."""
    flags = token.flags
    if flags & pkcs11.TokenFlag.USER_PIN_LOCKED:
        raise TokenPinError("user PIN is locked")

    def get_pin() -> Any:
        if pin is not None:
            return pin
        if flags & pkcs11.TokenFlag.PROTECTED_AUTHENTICATION_PATH:
            return pkcs11.PROTECTED_AUTH  # the PIN is entered on the token's own PIN pad
        if pin_callback is None:
            raise UsageError(
                what="USB Key 需要 PIN 码，但既未提供 PIN 也未提供输入 PIN 的方式 / "
                "the token needs a PIN but neither a PIN nor a PIN prompt was given"
            )
        return pin_callback(_pin_prompt(token))

    key = _login_key(module, token)
    _LOGINS.acquire(key, token, get_pin)
    return key


# --- reading the token ----------------------------------------------------------------------


def _usable_ca(cert: x509.Certificate) -> bool:
    try:
        cert.public_key()
    except UnsupportedAlgorithm:
        return False
    return is_ca(cert)


def _attr(obj: pkcs11.Object, attr: Attribute, default: Any) -> Any:
    try:
        return obj[attr]
    except (pkcs11.PKCS11Error, UnicodeDecodeError):
        # A token may lack an optional attribute or store a label that is not UTF-8.
        return default


@dataclass(frozen=True)
class _Pair:
    key_id: bytes
    key_label: str
    cert_label: str
    cert: x509.Certificate
    key: pkcs11.PrivateKey

    @property
    def label(self) -> str:
        return self.key_label or self.cert_label


def _read_objects(session: pkcs11.Session) -> tuple[list[_Pair], list[x509.Certificate]]:
    certs: list[tuple[bytes, str, x509.Certificate]] = []
    for obj in session.get_objects(
        {
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
        }
    ):
        try:
            cert = x509.load_der_x509_certificate(obj[Attribute.VALUE])
        except ValueError:
            log.warning("skipping a certificate object that is not valid DER")
            continue
        certs.append((bytes(_attr(obj, Attribute.ID, b"")), _attr(obj, Attribute.LABEL, ""), cert))
    keys: dict[bytes, list[tuple[str, pkcs11.PrivateKey]]] = {}
    for obj in session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}):
        kid = bytes(_attr(obj, Attribute.ID, b""))
        if kid:
            keys.setdefault(kid, []).append(
                (_attr(obj, Attribute.LABEL, ""), cast(pkcs11.PrivateKey, obj))
            )
    pairs: list[_Pair] = []
    for kid, label, cert in certs:
        try:
            public = cert.public_key()
        except UnsupportedAlgorithm:
            # An SM2 certificate beside RSA/P-256 ones (common on Chinese UKeys): format v1
            # cannot use it, but it must not make the token's other identities unusable.
            log.info("skipping a certificate whose key type is not supported")
            continue
        if not kid or not isinstance(public, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            continue
        for key_label, key in keys.get(kid, []):
            if isinstance(public, rsa.RSAPublicKey):
                # A cheap guard against a mislabelled CKA_ID: the RSA modulus is public.
                modulus = _attr(key, Attribute.MODULUS, None)
                if modulus is not None and int.from_bytes(modulus) != public.public_numbers().n:
                    continue
            pairs.append(_Pair(kid, key_label, label, cert, key))
            break
    paired = {id(p.cert) for p in pairs}
    chain = [c for _, _, c in certs if id(c) not in paired and _usable_ca(c)]
    return pairs, chain


def _choose(
    pairs: list[_Pair], key_label: str | None, key_id: bytes | None, now: datetime
) -> tuple[_Pair, _Pair]:
    if key_label is not None:
        pairs = [p for p in pairs if key_label in (p.key_label, p.cert_label)]
    if key_id is not None:
        pairs = [p for p in pairs if p.key_id == key_id]
    if not pairs:
        which = f"“{key_label}”" if key_label is not None else ""
        raise TokenError(
            what=f"USB Key 上没有与私钥配对的证书{which} / "
            f"the token holds no certificate{which} with a matching private key"
        )
    # Several identities on one token (e.g. a renewed certificate next to the old one): prefer
    # certificates valid now, then the newest.
    pairs.sort(
        key=lambda p: (
            p.cert.not_valid_before_utc <= now <= p.cert.not_valid_after_utc,
            p.cert.not_valid_before_utc,
        ),
        reverse=True,
    )
    signing = [p for p in pairs if can_sign(p.cert)]
    if not signing:
        raise TokenError(
            what="USB Key 上没有可用于签名的证书 / no certificate on the token allows signing"
        )
    sign = signing[0]
    encrypting = [p for p in pairs if can_encrypt(p.cert)]
    if not encrypting:
        raise TokenError(
            what="USB Key 上没有可用于加密的证书 / no certificate on the token allows encryption"
        )
    # Dual certificates: the encryption pair of the same identity (same label) first.
    enc = next(
        (p for p in encrypting if p is not sign and p.label == sign.label),
        next((p for p in encrypting if p is not sign), encrypting[0]),
    )
    return sign, enc


# --- the identity ---------------------------------------------------------------------------


class TokenIdentity(Identity):
    """An identity whose private keys live on a PKCS#11 token. Build it with :meth:`open`.

    One PKCS#11 session does one operation at a time, so the methods are serialised by a lock;
    an identity may be used from a worker thread.
    """

    def __init__(
        self,
        *,
        session: pkcs11.Session,
        login_key: tuple[str, int, str],
        token_label: str,
        sign_pair: _Pair,
        enc_pair: _Pair,
        chain: tuple[x509.Certificate, ...],
        mechanisms: frozenset[Mechanism],
    ) -> None:
        self._session = session
        self._login_key = login_key
        self._sign = sign_pair
        self._enc = enc_pair
        self._mechanisms = mechanisms
        self._lock = threading.Lock()
        self._closed = False
        self._schemes: tuple[RsaPadding, ...] | None = None
        self.token_label = token_label
        self.signing_cert = sign_pair.cert
        self.encryption_cert = enc_pair.cert
        self.chain = chain

    @classmethod
    def open(
        cls,
        *,
        module: str | Path,
        token_label: str | None = None,
        pin: str | None = None,
        pin_callback: PinCallback | None = None,
        key_label: str | None = None,
        key_id: bytes | None = None,
        token_serial: str | None = None,
        now: datetime | None = None,
    ) -> TokenIdentity:
        """Log in to a token and find its signing and encryption key pairs.

        ``token_label`` (or ``token_serial``) picks the token; without them there must be
        exactly one. The PIN is ``pin`` or what ``pin_callback`` returns; if another identity
        of this process is already logged in to the token, no PIN is asked. ``key_label`` and
        ``key_id`` narrow the key pairs considered (several identities on one token); among
        the rest, certificates valid at ``now`` and the newest win.

        Raises :class:`TokenPinError` for a wrong or locked PIN, :class:`TokenError` when the
        module, the token or usable key pairs are missing, :class:`UsageError` when a PIN is
        needed and there is no way to get one.
        """
        so = str(module)
        lib = load_module(so)
        token = _find_token(lib, token_label, token_serial)
        login_key = _login(so, token, pin, pin_callback)
        session = None
        try:
            with _translated("读取 USB Key / reading the token"):
                session = token.open()
                mechanisms = frozenset(token.slot.get_mechanisms())
                pairs, chain = _read_objects(session)
            sign_pair, enc_pair = _choose(pairs, key_label, key_id, now or datetime.now(UTC))
            check_key_type(sign_pair.cert)
            check_key_type(enc_pair.cert)
        except BaseException:
            if session is not None:
                _close_quietly(session)
            _LOGINS.release(login_key)
            raise
        return cls(
            session=session,
            login_key=login_key,
            token_label=token.label,
            sign_pair=sign_pair,
            enc_pair=enc_pair,
            chain=tuple(chain),
            mechanisms=mechanisms,
        )

    def __repr__(self) -> str:
        return f"<TokenIdentity token={self.token_label!r} closed={self._closed}>"

    def _check_open(self) -> None:
        if self._closed:
            raise TokenError(what="USB Key 会话已关闭 / the token session is closed")

    def sign_raw(self, message: bytes) -> bytes:
        is_ec = isinstance(self.signing_cert.public_key(), ec.EllipticCurvePublicKey)
        hashed = Mechanism.ECDSA_SHA256 if is_ec else Mechanism.SHA256_RSA_PKCS
        # python-pkcs11 mixes SignMixin into key objects at run time; the static type lacks it.
        key = cast(pkcs11.SignMixin, self._sign.key)
        with self._lock:
            self._check_open()
            with _translated("签名 / signing"):
                if hashed in self._mechanisms:
                    signature = key.sign(message, mechanism=hashed)
                elif is_ec:
                    # SoftHSM2 2.6 has CKM_ECDSA but no CKM_ECDSA_SHA256: hash here, sign raw.
                    digest = hashlib.sha256(message).digest()
                    signature = key.sign(digest, mechanism=Mechanism.ECDSA)
                else:
                    raise TokenError(
                        what="USB Key 不支持 SHA256withRSA / the token lacks SHA256-RSA-PKCS"
                    )
        # PKCS#11 returns ECDSA as r || s; CMS wants the DER ECDSA-Sig-Value.
        return bytes(encode_ecdsa_signature(signature)) if is_ec else bytes(signature)

    def _decrypt(self, ciphertext: bytes, scheme: RsaPadding) -> bytes:
        mechanism, param = _RSA_MECHANISMS[scheme]
        # python-pkcs11 mixes DecryptMixin/DeriveMixin into key objects at run time, by what
        # the key allows; its static PrivateKey type does not carry them.
        key = cast(pkcs11.DecryptMixin, self._enc.key)
        plain = key.decrypt(ciphertext, mechanism=mechanism, mechanism_param=param)
        if not isinstance(plain, bytes):  # only an iterable input decrypts to an iterator
            raise TokenError(
                what="USB Key 返回了意外的结果 / the token returned an unexpected result"
            )
        return plain

    def rsa_decrypt(self, ciphertext: bytes, scheme: RsaPadding) -> bytes:
        """Decrypt with the token's encryption key.

        Raises :class:`WrongKeyError` when the block does not open with this key and
        :class:`TokenError` when the token cannot do ``scheme`` at all (see :meth:`rsa_schemes`).
        """
        if not isinstance(self.encryption_cert.public_key(), rsa.RSAPublicKey):
            raise WrongKeyError("encryption key is not RSA")
        with self._lock:
            self._check_open()
            try:
                return self._decrypt(ciphertext, scheme)
            except _BAD_DATA as exc:
                raise WrongKeyError(f"token C_Decrypt: {type(exc).__name__}") from exc
            except _UNSUPPORTED as exc:
                raise TokenError(
                    f"{scheme.value}: {type(exc).__name__}",
                    what=f"此 USB Key 不支持 {scheme.value} 解密 / this token cannot decrypt "
                    f"{scheme.value}",
                ) from exc
            except pkcs11.PKCS11Error as exc:
                raise _token_error(exc, "解密 / decrypting") from exc

    def rsa_schemes(self) -> tuple[RsaPadding, ...]:
        """The paddings this token really decrypts, best first; empty for an EC key.

        Probed once: a random value is encrypted to the token's public key under each padding
        and the token asked to decrypt it. Measured on SoftHSM2 2.6.1 (Debian/Ubuntu package):
        OAEP with SHA-1 and PKCS#1 v1.5 work; OAEP with SHA-256 (hash and MGF1) is refused
        with CKR_ARGUMENTS_BAD, as SoftHSM 2.6 accepts only CKM_SHA_1 with CKG_MGF1_SHA1 in
        CK_RSA_PKCS_OAEP_PARAMS. So a SoftHSM2 token reports (OAEP_SHA1, PKCS1V15), and a bid
        sealed to its certificate must use OAEP-SHA-1 for it, whoever seals.
        """
        public = self.encryption_cert.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            return ()
        with self._lock:
            self._check_open()
            if self._schemes is None:
                found = []
                for scheme in RsaPadding:
                    probe = os.urandom(32)
                    ciphertext = public.encrypt(probe, scheme.cryptography_padding())
                    try:
                        works = self._decrypt(ciphertext, scheme) == probe
                    except (*_UNSUPPORTED, *_BAD_DATA):
                        works = False
                    except pkcs11.PKCS11Error as exc:
                        raise _token_error(exc, "检测 USB Key 能力 / probing the token") from exc
                    if works:
                        found.append(scheme)
                self._schemes = tuple(found)
            return self._schemes

    def ecdh(self, peer: ec.EllipticCurvePublicKey) -> bytes:
        own = self.encryption_cert.public_key()
        if not isinstance(own, ec.EllipticCurvePublicKey):
            raise WrongKeyError("encryption key is not EC")
        if peer.curve.name != own.curve.name:
            raise WrongKeyError("originator key on another curve")
        point = peer.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        size = (own.curve.key_size + 7) // 8
        with self._lock:
            self._check_open()
            try:
                # KDF NULL gives the raw x-coordinate, as cryptography's exchange() does; the
                # X9.63 KDF of CMS runs in software. The derived secret is a session object made
                # readable only so its value can be taken out, and destroyed right after.
                secret = cast(pkcs11.DeriveMixin, self._enc.key).derive_key(
                    pkcs11.KeyType.GENERIC_SECRET,
                    size * 8,
                    mechanism=Mechanism.ECDH1_DERIVE,
                    mechanism_param=(pkcs11.KDF.NULL, None, point),
                    template={
                        Attribute.TOKEN: False,
                        Attribute.SENSITIVE: False,
                        Attribute.EXTRACTABLE: True,
                    },
                )
                try:
                    return bytes(secret[Attribute.VALUE])
                finally:
                    secret.destroy()
            except _BAD_DATA as exc:
                raise WrongKeyError(f"token ECDH: {type(exc).__name__}") from exc
            except pkcs11.PKCS11Error as exc:
                raise _token_error(exc, "密钥协商 / key agreement") from exc

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        _close_quietly(self._session)
        _LOGINS.release(self._login_key)


def _close_quietly(session: pkcs11.Session) -> None:
    try:
        session.close()
    except pkcs11.PKCS11Error as exc:
        # Closing must not fail: a removed token has no session left to close.
        log.info("closing a token session failed: %s", type(exc).__name__)


# --- pkcs11: URIs (RFC 7512) ----------------------------------------------------------------

_PATH_ATTRS = {"token", "serial", "object", "id", "type", "manufacturer", "model"}
_QUERY_ATTRS = {"module-path", "pin-source", "pin-value"}


@dataclass(frozen=True)
class Pkcs11Uri:
    """The parts of an RFC 7512 ``pkcs11:`` URI that SealBid uses."""

    token: str | None = None
    """Token label (``token=``)."""
    serial: str | None = None
    """Token serial number (``serial=``)."""
    object: str | None = None
    """Label of the key pair(s) and certificate(s) to use (``object=``)."""
    id: bytes | None = None
    """CKA_ID of the key pair to use (``id=``, percent-encoded bytes)."""
    module_path: str | None = None
    """The PKCS#11 module to load (``module-path=``)."""
    pin_value: str | None = field(default=None, repr=False)
    """The PIN itself (``pin-value=``); prefer ``pin-source`` outside tests."""
    pin_source: str | None = None
    """A file holding the PIN (``pin-source=file:/path`` or a plain path)."""

    def read_pin(self) -> str | None:
        """The PIN from ``pin-value`` or the ``pin-source`` file, or None when neither is set."""
        if self.pin_value is not None:
            return self.pin_value
        if self.pin_source is None:
            return None
        source = self.pin_source
        if source.startswith("|"):
            raise UsageError(
                what="pin-source 不支持运行程序 / pin-source programs (|command) are not supported"
            )
        # url2pathname turns file:///C:/pin.txt into C:\pin.txt on Windows.
        path = Path(
            urllib.request.url2pathname(urllib.parse.urlsplit(source).path)
            if source.startswith("file:")
            else source
        )
        try:
            # utf-8-sig: Notepad's "UTF-8 with BOM" must not cost a PIN retry.
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
            raise UsageError(
                what=f"无法读取 PIN 文件 {path} / cannot read the PIN file {path}: {why}"
            ) from exc
        # Files written by `echo` end in a newline that is not part of the PIN.
        return text.rstrip("\r\n")


def _unquote(name: str, value: str) -> str:
    try:
        return urllib.parse.unquote(value, errors="strict")
    except UnicodeDecodeError as exc:
        raise UsageError(what=f"pkcs11 URI: {name} 不是 UTF-8 / {name} is not UTF-8") from exc


def parse_pkcs11_uri(uri: str) -> Pkcs11Uri:
    """Parse a ``pkcs11:`` URI (RFC 7512). Unknown or repeated attributes are refused.

    ``type``, ``manufacturer`` and ``model`` are accepted and ignored: SealBid always looks
    for certificate and private-key pairs, and picks the token by label or serial.
    """
    scheme, sep, rest = uri.partition(":")
    if not sep or scheme.lower() != "pkcs11":
        raise UsageError(what=f"不是 pkcs11: URI / not a pkcs11: URI: {uri[:40]!r}")
    path, _, query = rest.partition("?")
    found: dict[str, str] = {}
    raw_id: bytes | None = None
    for part, allowed, sep_char in ((path, _PATH_ATTRS, ";"), (query, _QUERY_ATTRS, "&")):
        for item in part.split(sep_char):
            if not item:
                continue
            name, eq, value = item.partition("=")
            name = name.lower()
            if not eq or name not in allowed:
                raise UsageError(
                    what=f"pkcs11 URI: 不支持的属性 {name!r} / unsupported attribute {name!r}"
                )
            if name in found:
                raise UsageError(what=f"pkcs11 URI: {name} 重复 / {name} given twice")
            found[name] = value
            if name == "id":
                raw_id = urllib.parse.unquote_to_bytes(value)
    text = {k: _unquote(k, v) for k, v in found.items() if k != "id"}
    if "pin-value" in text and "pin-source" in text:
        raise UsageError(
            what="pkcs11 URI: pin-value 与 pin-source 只能给一个 / give pin-value or pin-source"
        )
    return Pkcs11Uri(
        token=text.get("token"),
        serial=text.get("serial"),
        object=text.get("object"),
        id=raw_id,
        module_path=text.get("module-path"),
        pin_value=text.get("pin-value"),
        pin_source=text.get("pin-source"),
    )


def _merge(name: str, from_uri: Any, given: Any) -> Any:
    if from_uri is not None and given is not None and from_uri != given:
        raise UsageError(
            what=f"{name} 在 URI 与参数中不一致 / {name} differs between the URI and the options"
        )
    return from_uri if from_uri is not None else given


def open_token_identity(
    spec: str,
    *,
    module: str | Path | None = None,
    token_label: str | None = None,
    pin: str | None = None,
    pin_callback: PinCallback | None = None,
    key_label: str | None = None,
) -> TokenIdentity:
    """Open a token identity from what a user typed: a ``pkcs11:`` URI or a token label.

    ``spec`` is an RFC 7512 URI (``pkcs11:token=…;object=…?module-path=…&pin-source=…``) or
    else a token label ("" for "the only token"). Keyword arguments fill in what the URI leaves
    out; a value given both ways must agree.
    """
    if spec.lower().startswith("pkcs11:"):
        uri = parse_pkcs11_uri(spec)
    else:
        uri = Pkcs11Uri(token=spec or None)
    module_path = _merge("module-path", uri.module_path, str(module) if module else None)
    if module_path is None:
        raise UsageError(
            what="未指定 PKCS#11 模块 / no PKCS#11 module given (module-path= in the URI)"
        )
    return TokenIdentity.open(
        module=module_path,
        token_label=_merge("token", uri.token, token_label),
        token_serial=uri.serial,
        pin=_merge("pin", uri.read_pin(), pin),
        pin_callback=pin_callback,
        key_label=_merge("object", uri.object, key_label),
        key_id=uri.id,
    )


# --- making keys on a token (sandbox) ------------------------------------------------------


@dataclass(frozen=True)
class TokenCertificates:
    """What :func:`generate_on_token` stored on the token."""

    signing_cert: x509.Certificate
    """Certificate of the signing pair (also the encryption one when not dual)."""
    encryption_cert: x509.Certificate
    """Certificate of the encryption pair."""
    ca_cert: x509.Certificate
    """The issuing sandbox CA, also stored on the token."""
    label: str
    """CKA_LABEL of every key and certificate of this identity (``object=`` in a URI)."""


def _capabilities(usage: Usage, is_ec: bool) -> MechanismFlag:
    flags = MechanismFlag(0)
    if usage in (Usage.SIGN, Usage.BOTH):
        flags |= MechanismFlag.SIGN | MechanismFlag.VERIFY
    if usage in (Usage.ENCRYPT, Usage.BOTH):
        if is_ec:
            flags |= MechanismFlag.DERIVE
        else:
            flags |= MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT
    return flags


def generate_on_token(
    *,
    module: str | Path,
    token_label: str | None,
    pin: str | None,
    ca: SandboxCA,
    role: Role,
    name: str,
    org_code: str | None,
    key_type: KeyType,
    dual: bool,
    now: datetime | None = None,
    days: int = 730,
    label: str | None = None,
    pin_callback: PinCallback | None = None,
) -> TokenCertificates:
    """Generate key pair(s) on a token and store sandbox-CA certificates for them next to them.

    With ``dual`` a signing pair and a separate encryption pair are made, as Chinese CAs issue
    them; otherwise one pair with a certificate for both uses. Keys are non-extractable and
    sensitive; every key and certificate gets CKA_LABEL ``label`` (default ``name``) and the
    pair's CKA_ID; the CA certificate is stored too unless already there. On failure the
    objects made so far are destroyed again.
    """
    if not name.strip():
        raise UsageError(what="名称不能为空 / the name must not be empty")
    if org_code is not None:
        org_code = validate_uscc(org_code)
    now = now or datetime.now(UTC)
    start, end = now - timedelta(minutes=5), now + timedelta(days=days)

    def certify(public: _PublicKey, usage: Usage) -> x509.Certificate:
        return ca.issue_certificate(
            public,
            role=role,
            name=name,
            org_code=org_code,
            usage=usage,
            not_before=start,
            not_after=end,
        )

    so = str(module)
    lib = load_module(so)
    token = _find_token(lib, token_label, None)
    login_key = _login(so, token, pin, pin_callback)
    try:
        with _translated("在 USB Key 上生成密钥 / generating keys on the token"):
            with token.open(rw=True) as session:
                maker = _Maker(session, key_type, label or name)
                try:
                    first = Usage.SIGN if dual else Usage.BOTH
                    sign_cert = maker.pair(first, certify)
                    enc_cert = maker.pair(Usage.ENCRYPT, certify) if dual else sign_cert
                    maker.ca_cert(ca.cert)
                except BaseException:
                    maker.undo()
                    raise
    finally:
        _LOGINS.release(login_key)
    return TokenCertificates(sign_cert, enc_cert, ca.cert, maker.label)


class _Maker:
    """Makes objects on a token and remembers them, so a failure half-way can remove them."""

    def __init__(self, session: pkcs11.Session, key_type: KeyType, label: str) -> None:
        self._session = session
        self._key_type = key_type
        self._created: list[pkcs11.Object] = []
        self.label = label

    def pair(
        self, usage: Usage, certify: Callable[[_PublicKey, Usage], x509.Certificate]
    ) -> x509.Certificate:
        """A key pair for ``usage`` and its certificate, stored under one CKA_ID."""
        kid, public = self._generate(usage)
        cert = certify(public, usage)
        self._store_cert(cert, kid, self.label)
        return cert

    def ca_cert(self, cert: x509.Certificate) -> None:
        der = cert.public_bytes(serialization.Encoding.DER)
        query = {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.VALUE: der}
        if list(self._session.get_objects(query)):
            return  # a second identity on the same token: the CA is there already
        names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        kid = x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
        self._store_cert(cert, kid, str(names[0].value) if names else "CA")

    def undo(self) -> None:
        for obj in reversed(self._created):
            try:
                obj.destroy()
            except pkcs11.PKCS11Error:
                log.warning("could not remove a half-made object from the token")

    def _generate(self, usage: Usage) -> tuple[bytes, _PublicKey]:
        is_ec = self._key_type is KeyType.P256
        options: dict[str, Any] = {
            "label": self.label,
            "id": os.urandom(20),  # replaced by the key identifier once the public key is known
            "store": True,
            "capabilities": _capabilities(usage, is_ec),
            "public_template": {Attribute.TOKEN: True, Attribute.PRIVATE: False},
            "private_template": {
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False,
            },
        }
        if is_ec:
            params = self._session.create_domain_parameters(
                pkcs11.KeyType.EC,
                {Attribute.EC_PARAMS: encode_named_curve_parameters(_P256_OID)},
                local=True,
            )
            pub, priv = params.generate_keypair(**options)
            der = encode_ec_public_key(pub)
        else:
            bits = _RSA_BITS[self._key_type]
            pub, priv = self._session.generate_keypair(pkcs11.KeyType.RSA, bits, **options)
            der = encode_rsa_public_key(pub)
        self._created.extend((pub, priv))
        public = serialization.load_der_public_key(der)
        if not isinstance(public, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            raise TokenError(what="USB Key 生成了未知类型的公钥 / the token made an unexpected key")
        # CKA_ID = SHA-1 of the public key, the subject key identifier the CA writes: the usual
        # convention (OpenSC, NSS), so other tools pair key and certificate the same way.
        kid = x509.SubjectKeyIdentifier.from_public_key(public).digest
        pub[Attribute.ID] = kid
        priv[Attribute.ID] = kid
        return kid, public

    def _store_cert(self, cert: x509.Certificate, kid: bytes, label: str) -> None:
        self._created.append(
            self._session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.PRIVATE: False,
                    Attribute.LABEL: label,
                    Attribute.ID: kid,
                    Attribute.SUBJECT: cert.subject.public_bytes(),
                    Attribute.ISSUER: cert.issuer.public_bytes(),
                    Attribute.SERIAL_NUMBER: asn1_core.Integer(cert.serial_number).dump(),
                    Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
                }
            )
        )
