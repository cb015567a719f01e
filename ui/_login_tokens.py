"""USB tokens (PKCS#11) as the login dialog and the certificates page list them — without a PIN.

    candidates = module_candidates()               # installed modules found (a stat each)
    tokens = list_tokens("/usr/lib/softhsm/libsofthsm2.so")   # in a worker: loads the module
    for t in tokens:
        print(t.label, t.serial, t.locked, [c.info.common_name for c in t.certificates])

Certificates are public objects on a token, so they are read in a session without logging in:
a bidder sees which certificate a UKey holds (and until when it is valid) before typing the
PIN. Loading a PKCS#11 module talks to hardware and may block: only ever from a worker.
python-pkcs11's exceptions are translated here into :class:`crypto.errors.TokenError`, as
:mod:`crypto.token` does for everything after the login.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from crypto.errors import TokenError

from ._certinfo import CertInfo, IdentitySummary, cert_info

__all__ = [
    "MODULE_CANDIDATES",
    "TokenCert",
    "TokenInfo",
    "check_module",
    "list_tokens",
    "module_candidates",
    "token_summary",
    "token_uri",
]

log = logging.getLogger(__name__)

# Where PKCS#11 modules are usually installed: SoftHSM2 (tests, the sandbox token), OpenSC
# (smart cards, many UKeys) and the Chinese CA vendors' drivers that ship one.
_LINUX = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/opensc-pkcs11.so",
    "/usr/lib64/opensc-pkcs11.so",
)
_MAC = (
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/Library/OpenSC/lib/opensc-pkcs11.so",
    "/usr/local/lib/opensc-pkcs11.so",
)
_WINDOWS = (
    r"C:\SoftHSM2\lib\softhsm2-x64.dll",
    r"C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll",
    r"C:\Windows\System32\eps2003csp11.dll",  # Feitian ePass2003
    r"C:\Windows\System32\ShuttleCsp11_3003.dll",  # Feitian ePass3003
    r"C:\Windows\System32\WatchDataV5.dll",  # WatchData (握奇)
)
MODULE_CANDIDATES: tuple[str, ...] = (
    _WINDOWS if os.name == "nt" else _MAC if sys.platform == "darwin" else _LINUX
)


def module_candidates() -> list[str]:
    """The usual module paths that exist on this computer (one stat each: GUI thread is fine)."""
    seen: list[str] = []
    for path in MODULE_CANDIDATES:
        if path not in seen and Path(path).is_file():
            seen.append(path)
    return seen


@dataclass(frozen=True)
class TokenCert:
    """A certificate object on a token (public: read without the PIN)."""

    label: str
    """CKA_LABEL: pass it as ``key_label`` to pick this identity when a token holds several."""
    info: CertInfo
    is_ca: bool


@dataclass(frozen=True)
class TokenInfo:
    module: str
    slot_id: int
    label: str
    serial: str
    manufacturer: str
    model: str
    locked: bool
    """The user PIN is locked (too many wrong PINs): only the issuer can unlock it."""
    final_try: bool
    """One more wrong PIN locks it."""
    pin_pad: bool
    """The PIN is entered on the token's own keypad (protected authentication path)."""
    certificates: tuple[TokenCert, ...]
    problem: str = ""
    """Why the certificates could not be read (the token is listed anyway)."""

    @property
    def user_certificates(self) -> tuple[TokenCert, ...]:
        return tuple(c for c in self.certificates if not c.is_ca)


def token_uri(module: str, label: str, serial: str = "") -> str:
    """An RFC 7512 URI naming the token (no PIN): what the app shows as the identity's source."""
    import urllib.parse

    parts = [f"token={urllib.parse.quote(label, safe='')}"]
    if serial:
        parts.append(f"serial={urllib.parse.quote(serial, safe='')}")
    return f"pkcs11:{';'.join(parts)}?module-path={urllib.parse.quote(module, safe='/:')}"


def _signs(info: CertInfo) -> bool:
    return not info.key_usage or bool(
        {"digital_signature", "content_commitment"} & set(info.key_usage)
    )


def _encrypts(info: CertInfo) -> bool:
    return not info.key_usage or bool({"key_encipherment", "key_agreement"} & set(info.key_usage))


def token_summary(token: TokenInfo, key_label: str | None = None) -> IdentitySummary:
    """The identity a login to ``token`` would most likely give (as crypto.token chooses:
    the newest certificates; with ``key_label``, that identity's)."""
    certs = [c for c in token.user_certificates if key_label is None or c.label == key_label]
    infos = sorted((c.info for c in certs), key=lambda i: i.not_before, reverse=True)
    sign = next((i for i in infos if _signs(i)), None)
    enc = next((i for i in infos if _encrypts(i) and i is not sign), None)
    if enc is None and sign is not None and _encrypts(sign):
        enc = sign
    single = sign is not None and enc is not None and enc.sha256 == sign.sha256
    label = (sign.organisation or sign.common_name) if sign is not None else token.label
    return IdentitySummary(
        kind="token",
        source=token_uri(token.module, token.label, token.serial),
        label=label or token.label,
        signing=sign,
        encryption=None if single else enc,
        single=single,
    )


def _load(module: str):  # type: ignore[no-untyped-def]
    """The module, after the checks that give a user the clearer message (none chosen, the
    driver not installed); loading itself is crypto's."""
    from crypto.token import load_module

    if not module:
        raise TokenError(what="未选择 PKCS#11 模块 / no PKCS#11 module chosen")
    if not Path(module).is_file():
        raise TokenError(
            what=f"找不到 PKCS#11 模块 {module}（请安装 USB Key 驱动）"
            f" / the PKCS#11 module {module} does not exist (install the token's driver)"
        )
    return load_module(module)


def check_module(module: str) -> tuple[str, int]:
    """Load ``module``; return its description and how many initialised tokens it sees."""
    lib = _load(module)
    description = f"{lib.manufacturer_id} {lib.library_description}".strip()
    return description, len(list_tokens(module))


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return text.strip()


def _certificates(token: object) -> tuple[tuple[TokenCert, ...], str]:
    import pkcs11
    from pkcs11 import Attribute, ObjectClass

    from crypto.identity import is_ca

    out: list[TokenCert] = []
    try:
        with token.open() as session:  # type: ignore[attr-defined]
            query = {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
            }
            for obj in session.get_objects(query):
                try:
                    cert = x509.load_der_x509_certificate(bytes(obj[Attribute.VALUE]))
                except ValueError:
                    log.info("skipping a certificate object that is not valid DER")
                    continue
                try:
                    label = str(obj[Attribute.LABEL])
                except (pkcs11.PKCS11Error, UnicodeDecodeError):
                    label = ""
                out.append(TokenCert(label=label, info=cert_info(cert), is_ca=is_ca(cert)))
    except pkcs11.PKCS11Error as exc:
        return tuple(out), type(exc).__name__
    return tuple(out), ""


def list_tokens(module: str) -> list[TokenInfo]:
    """The initialised tokens ``module`` sees, each with its certificates (no login)."""
    import pkcs11
    from pkcs11 import TokenFlag
    from pkcs11 import exceptions as p11e

    lib = _load(module)
    try:
        slots = lib.get_slots(token_present=True)
    except pkcs11.PKCS11Error as exc:
        raise TokenError(
            f"C_GetSlotList: {type(exc).__name__}",
            what="无法列出 USB Key / cannot list the tokens",
        ) from exc
    tokens: list[TokenInfo] = []
    for slot in slots:
        try:
            token = slot.get_token()
            flags = token.flags
        except (p11e.TokenNotPresent, p11e.TokenNotRecognised, p11e.DeviceRemoved):
            continue  # pulled out between the slot list and this call
        except pkcs11.PKCS11Error as exc:
            log.info("skipping slot %s: %s", slot.slot_id, type(exc).__name__)
            continue
        # SoftHSM2 always shows one free slot with an empty token: not a token to log in to.
        if not flags & TokenFlag.TOKEN_INITIALIZED:
            continue
        certs, problem = _certificates(token)
        tokens.append(
            TokenInfo(
                module=module,
                slot_id=int(slot.slot_id),
                label=_text(token.label),
                serial=_text(token.serial),
                manufacturer=_text(token.manufacturer_id),
                model=_text(token.model),
                locked=bool(flags & TokenFlag.USER_PIN_LOCKED),
                final_try=bool(flags & TokenFlag.USER_PIN_FINAL_TRY),
                pin_pad=bool(flags & TokenFlag.PROTECTED_AUTHENTICATION_PATH),
                certificates=certs,
                problem=problem,
            )
        )
    return tokens
