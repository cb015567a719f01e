"""USB-token identities on a real SoftHSM2 token, with OpenSSL as the independent verifier."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from asn1crypto import cms as asn1_cms
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute, ObjectClass
from softhsm import SoftToken, add_token, create_token

from crypto.ca import KeyType, Role, SandboxCA
from crypto.cms import Recipient, build_recipients, unwrap_file_key, verify_detached
from crypto.errors import TokenError, TokenPinError, WrongKeyError
from crypto.identity import RsaPadding
from crypto.token import (
    Pkcs11Uri,
    TokenCertificates,
    TokenIdentity,
    generate_on_token,
    open_token_identity,
    parse_pkcs11_uri,
)
from sealbid.errors import CancelledError, SealBidError, UsageError

ORG_NAME = "合肥建工集团有限公司"
USCC = "91350100M000100Y43"
DATA = "投标文件清单 manifest v1\n".encode() * 100


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SoftToken:
    return create_token(tmp_path, monkeypatch, label="SealBid test")


@pytest.fixture
def ca(sandbox_ca: SandboxCA) -> SandboxCA:
    """The session's sandbox CA (tests/conftest.py) under a short name."""
    return sandbox_ca


def make(
    token: SoftToken,
    ca: SandboxCA,
    key_type: KeyType,
    *,
    dual: bool = True,
    name: str = ORG_NAME,
    org_code: str | None = USCC,
    now: datetime | None = None,
    label: str | None = None,
) -> TokenCertificates:
    return generate_on_token(
        module=token.module,
        token_label=token.label,
        pin=token.pin,
        ca=ca,
        role=Role.BIDDER,
        name=name,
        org_code=org_code,
        key_type=key_type,
        dual=dual,
        now=now,
        label=label,
    )


def open_identity(token: SoftToken, **kwargs: Any) -> TokenIdentity:
    kwargs.setdefault("pin", token.pin)
    return TokenIdentity.open(module=token.module, token_label=token.label, **kwargs)


@pytest.fixture
def rsa_identity(token: SoftToken, ca: SandboxCA) -> Iterator[TokenIdentity]:
    make(token, ca, KeyType.RSA2048)
    with open_identity(token) as identity:
        assert isinstance(identity, TokenIdentity)
        yield identity


@pytest.fixture
def ec_identity(token: SoftToken, ca: SandboxCA) -> Iterator[TokenIdentity]:
    make(token, ca, KeyType.P256)
    with open_identity(token) as identity:
        assert isinstance(identity, TokenIdentity)
        yield identity


def openssl() -> str:
    path = shutil.which("openssl")
    if path is None:
        pytest.skip("openssl is not installed; it is the independent verifier here")
    return path


def openssl_verify(tmp_path: Path, signature: bytes, data: bytes, ca: SandboxCA) -> int:
    (tmp_path / "sig.p7s").write_bytes(signature)
    (tmp_path / "data").write_bytes(data)
    (tmp_path / "ca.pem").write_bytes(ca.cert.public_bytes(serialization.Encoding.PEM))
    result = subprocess.run(
        [
            openssl(),
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "sig.p7s"),
            "-content",
            str(tmp_path / "data"),
            "-CAfile",
            str(tmp_path / "ca.pem"),
            "-out",
            os.devnull,
        ],
        capture_output=True,
        text=True,
    )
    return result.returncode


def token_objects(token: SoftToken, object_class: pkcs11.ObjectClass) -> list[dict[str, Any]]:
    """What the token itself holds, read in a separate login (no identity may be open)."""
    lib = pkcs11.lib(token.module)
    tok = lib.get_token(token_label=token.label)
    found = []
    with tok.open(user_pin=token.pin) as session:
        for obj in session.get_objects({pkcs11.Attribute.CLASS: object_class}):
            item = {"label": obj[pkcs11.Attribute.LABEL], "id": obj[pkcs11.Attribute.ID]}
            if object_class is pkcs11.ObjectClass.PRIVATE_KEY:
                item["sensitive"] = obj[pkcs11.Attribute.SENSITIVE]
                item["extractable"] = obj[pkcs11.Attribute.EXTRACTABLE]
                with pytest.raises(pkcs11.AttributeSensitive):
                    attr = (
                        pkcs11.Attribute.PRIVATE_EXPONENT
                        if obj.key_type is pkcs11.KeyType.RSA
                        else pkcs11.Attribute.VALUE
                    )
                    obj[attr]
            found.append(item)
    return found


# --- signing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_type", "algorithm"),
    [(KeyType.RSA2048, "rsassa_pkcs1v15"), (KeyType.P256, "ecdsa")],
)
def test_token_signature_is_accepted_by_openssl_and_verify_detached(
    token: SoftToken, ca: SandboxCA, tmp_path: Path, key_type: KeyType, algorithm: str
) -> None:
    make(token, ca, key_type)
    now = datetime.now(UTC).replace(microsecond=0)
    with open_identity(token) as identity:
        signature = identity.sign_detached(DATA, signing_time=now)
        signer = verify_detached(signature, DATA, trust=[ca.cert], at=now)
        assert signer.cert == identity.signing_cert
        assert signer.trusted
        assert signer.signing_time == now
    si = asn1_cms.ContentInfo.load(signature)["content"]["signer_infos"][0]
    assert si["signature_algorithm"].signature_algo == algorithm
    assert si["digest_algorithm"]["algorithm"].native == "sha256"
    assert openssl_verify(tmp_path, signature, DATA, ca) == 0
    # The same check must fail on other content, or the line above proves nothing.
    assert openssl_verify(tmp_path, signature, DATA + b"x", ca) != 0


def test_signature_uses_the_signing_certificate_of_a_dual_token(
    rsa_identity: TokenIdentity, ca: SandboxCA
) -> None:
    now = datetime.now(UTC)
    signature = rsa_identity.sign_detached(b"bid", signing_time=now)
    signer = verify_detached(signature, b"bid", trust=[ca.cert], at=now)
    ku = signer.cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature
    assert not ku.key_encipherment
    assert signer.cert != rsa_identity.encryption_cert


# --- RSA key transport ----------------------------------------------------------------------


def test_rsa_schemes_are_measured_on_the_token(rsa_identity: TokenIdentity) -> None:
    schemes = rsa_identity.rsa_schemes()
    # SoftHSM2 2.6 decrypts OAEP with SHA-1 and PKCS#1 v1.5; every release since 2.0 does.
    assert RsaPadding.OAEP_SHA1 in schemes
    assert RsaPadding.PKCS1V15 in schemes
    assert schemes.index(RsaPadding.OAEP_SHA1) < schemes.index(RsaPadding.PKCS1V15)
    assert rsa_identity.rsa_schemes() is schemes  # probed once, then cached
    # Whether OAEP-SHA-256 is listed must agree with what the token really does with it.
    public = rsa_identity.encryption_cert.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    secret = os.urandom(32)
    block = public.encrypt(secret, RsaPadding.OAEP_SHA256.cryptography_padding())
    if RsaPadding.OAEP_SHA256 in schemes:
        assert rsa_identity.rsa_decrypt(block, RsaPadding.OAEP_SHA256) == secret
    else:
        with pytest.raises(TokenError) as info:
            rsa_identity.rsa_decrypt(block, RsaPadding.OAEP_SHA256)
        assert not isinstance(info.value, WrongKeyError)
        assert "oaep-sha256" in info.value.diagnostics("en_US")


@pytest.mark.parametrize("padding", list(RsaPadding))
def test_rsa_token_unwraps_a_cms_recipients_block(
    rsa_identity: TokenIdentity, padding: RsaPadding
) -> None:
    file_key = os.urandom(32)
    der = build_recipients(file_key, [Recipient(rsa_identity.encryption_cert, padding)])
    if padding in rsa_identity.rsa_schemes():
        assert unwrap_file_key(der, rsa_identity) == file_key
    else:
        with pytest.raises(TokenError):
            unwrap_file_key(der, rsa_identity)


def test_rsa_block_for_another_key_raises_wrong_key(rsa_identity: TokenIdentity) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for padding in rsa_identity.rsa_schemes():
        block = other.public_key().encrypt(os.urandom(32), padding.cryptography_padding())
        with pytest.raises(WrongKeyError):
            rsa_identity.rsa_decrypt(block, padding)
    with pytest.raises(WrongKeyError):
        rsa_identity.ecdh(ec.generate_private_key(ec.SECP256R1()).public_key())


# --- EC key agreement -----------------------------------------------------------------------


def test_token_ecdh_equals_cryptography(ec_identity: TokenIdentity) -> None:
    own = ec_identity.encryption_cert.public_key()
    assert isinstance(own, ec.EllipticCurvePublicKey)
    for _ in range(3):
        peer = ec.generate_private_key(ec.SECP256R1())
        expected = peer.exchange(ec.ECDH(), own)
        assert ec_identity.ecdh(peer.public_key()) == expected
    assert ec_identity.rsa_schemes() == ()


def test_ec_token_unwraps_a_cms_recipients_block(ec_identity: TokenIdentity) -> None:
    file_key = os.urandom(32)
    der = build_recipients(file_key, [Recipient(ec_identity.encryption_cert)])
    assert unwrap_file_key(der, ec_identity) == file_key


def test_ec_token_refuses_other_curves_and_rsa(ec_identity: TokenIdentity) -> None:
    with pytest.raises(WrongKeyError):
        ec_identity.ecdh(ec.generate_private_key(ec.SECP384R1()).public_key())
    with pytest.raises(WrongKeyError):
        ec_identity.rsa_decrypt(b"\x00" * 256, RsaPadding.OAEP_SHA1)


# --- dual and single certificates -----------------------------------------------------------


@pytest.mark.parametrize("key_type", [KeyType.RSA2048, KeyType.P256])
def test_dual_token_has_separate_pairs(token: SoftToken, ca: SandboxCA, key_type: KeyType) -> None:
    made = make(token, ca, key_type, dual=True)
    with open_identity(token) as identity:
        assert identity.signing_cert == made.signing_cert
        assert identity.encryption_cert == made.encryption_cert
        assert identity.signing_cert != identity.encryption_cert
        assert identity.chain == (ca.cert,)
    keys = token_objects(token, pkcs11.ObjectClass.PRIVATE_KEY)
    assert len(keys) == 2
    assert {k["id"] for k in keys} == {
        x509.SubjectKeyIdentifier.from_public_key(c.public_key()).digest
        for c in (made.signing_cert, made.encryption_cert)
    }
    # The private keys never leave the token.
    assert all(k["sensitive"] and not k["extractable"] for k in keys)


@pytest.mark.parametrize("key_type", [KeyType.RSA2048, KeyType.P256])
def test_single_certificate_token_signs_and_unwraps(
    token: SoftToken, ca: SandboxCA, key_type: KeyType
) -> None:
    made = make(token, ca, key_type, dual=False)
    assert made.signing_cert == made.encryption_cert
    file_key = os.urandom(32)
    now = datetime.now(UTC)
    with open_identity(token) as identity:
        assert identity.signing_cert == identity.encryption_cert == made.signing_cert
        schemes = identity.rsa_schemes()
        padding = schemes[0] if schemes else RsaPadding.OAEP_SHA256
        der = build_recipients(file_key, [Recipient(identity.encryption_cert, padding)])
        assert unwrap_file_key(der, identity) == file_key
        signature = identity.sign_detached(b"bid", signing_time=now)
    assert verify_detached(signature, b"bid", trust=[ca.cert], at=now).cert == made.signing_cert
    assert len(token_objects(token, pkcs11.ObjectClass.PRIVATE_KEY)) == 1


def test_several_identities_on_one_token_are_chosen_by_label_or_age(
    token: SoftToken, ca: SandboxCA
) -> None:
    old = make(token, ca, KeyType.P256, now=datetime.now(UTC) - timedelta(days=30), label="old")
    new = make(token, ca, KeyType.P256, label="new")
    with open_identity(token) as identity:
        assert identity.signing_cert == new.signing_cert
        assert identity.encryption_cert == new.encryption_cert
        assert identity.chain == (ca.cert,)  # the CA is stored once, not per identity
    with open_identity(token, key_label="old") as identity:
        assert identity.signing_cert == old.signing_cert
        assert identity.encryption_cert == old.encryption_cert
    with pytest.raises(TokenError, match="no certificate"):
        open_identity(token, key_label="missing")


# --- Chinese names --------------------------------------------------------------------------


def test_chinese_token_label_and_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ca: SandboxCA
) -> None:
    token = create_token(tmp_path, monkeypatch, label="投标密钥")
    made = make(token, ca, KeyType.RSA2048, name=ORG_NAME, org_code=USCC)
    assert made.label == ORG_NAME
    labels = {o["label"] for o in token_objects(token, pkcs11.ObjectClass.PRIVATE_KEY)}
    assert labels == {ORG_NAME}
    certs = {o["label"] for o in token_objects(token, pkcs11.ObjectClass.CERTIFICATE)}
    assert ORG_NAME in certs
    with open_identity(token, key_label=ORG_NAME) as identity:
        assert identity.token_label == "投标密钥"
        subject = identity.signing_cert.subject
        assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORG_NAME
        assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == USCC
    uri = (
        "pkcs11:token=%E6%8A%95%E6%A0%87%E5%AF%86%E9%92%A5;object="
        + "%E5%90%88%E8%82%A5%E5%BB%BA%E5%B7%A5%E9%9B%86%E5%9B%A2%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8"
        + f"?module-path={token.module}&pin-value={token.pin}"
    )
    with open_token_identity(uri) as identity:
        assert identity.encryption_cert == made.encryption_cert


# --- PIN and errors -------------------------------------------------------------------------


def test_wrong_pin_raises_token_pin_error(rsa_identity: TokenIdentity, token: SoftToken) -> None:
    rsa_identity.close()
    with pytest.raises(TokenPinError) as info:
        open_identity(token, pin="000000")
    assert info.value.code == "token.pin"
    assert isinstance(info.value.__cause__, pkcs11.PinIncorrect)
    # A failed login leaves nothing behind: the right PIN still works.
    with open_identity(token) as identity:
        assert identity.rsa_schemes()


def test_pin_callback_is_asked_with_the_token_label(token: SoftToken, ca: SandboxCA) -> None:
    make(token, ca, KeyType.P256)
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return token.pin

    with open_identity(token, pin=None, pin_callback=ask):
        pass
    assert len(prompts) == 1
    assert token.label in prompts[0]
    assert "PIN" in prompts[0]


def test_cancelled_pin_prompt_propagates_as_cancelled(token: SoftToken, ca: SandboxCA) -> None:
    make(token, ca, KeyType.P256)

    def cancel(prompt: str) -> str:
        raise CancelledError()

    with pytest.raises(CancelledError):
        open_identity(token, pin=None, pin_callback=cancel)
    with open_identity(token):  # the aborted attempt left no half-login
        pass


def test_no_pin_and_no_callback_is_a_clear_error(token: SoftToken, ca: SandboxCA) -> None:
    make(token, ca, KeyType.P256)
    with pytest.raises(UsageError, match="PIN"):
        open_identity(token, pin=None)


def test_missing_token_raises_token_error(token: SoftToken) -> None:
    with pytest.raises(TokenError) as info:
        TokenIdentity.open(module=token.module, token_label="no such token", pin="123456")
    assert not isinstance(info.value, TokenPinError)
    message = info.value.diagnostics("en_US")
    assert "no such token" in message
    assert token.label in message  # says which tokens are there


def test_missing_module_raises_token_error(tmp_path: Path) -> None:
    module = tmp_path / "libnothere.so"
    with pytest.raises(TokenError) as info:
        TokenIdentity.open(module=module, pin="123456")
    assert str(module) in info.value.diagnostics("zh_CN")
    assert isinstance(info.value.__cause__, pkcs11.PKCS11Error)


def test_token_without_keys_raises_token_error(token: SoftToken) -> None:
    with pytest.raises(TokenError, match="no certificate"):
        open_identity(token)


def test_several_tokens_need_a_label(token: SoftToken, ca: SandboxCA) -> None:
    second = add_token(token.conf, label="second")
    make(token, ca, KeyType.P256)
    make(second, ca, KeyType.P256, name="第二家公司")
    with pytest.raises(TokenError, match="several tokens"):
        TokenIdentity.open(module=token.module, pin=token.pin)
    with open_identity(second) as identity:
        assert "第二家公司" in identity.signing_cert.subject.rfc4514_string()


def test_two_identities_share_one_login(token: SoftToken, ca: SandboxCA) -> None:
    make(token, ca, KeyType.P256)
    first = open_identity(token)

    def must_not_ask(prompt: str) -> str:
        raise AssertionError("already logged in; no PIN prompt expected")

    second = open_identity(token, pin=None, pin_callback=must_not_ask)
    first.close()
    # Closing one identity must not log the other out.
    now = datetime.now(UTC)
    signature = second.sign_detached(b"bid", signing_time=now)
    assert verify_detached(signature, b"bid", trust=[ca.cert], at=now).trusted
    second.close()
    # With both closed the token is logged out again, so a wrong PIN is checked.
    with pytest.raises(TokenPinError):
        open_identity(token, pin="000000")


def test_close_is_idempotent_and_final(ec_identity: TokenIdentity) -> None:
    ec_identity.close()
    ec_identity.close()
    with pytest.raises(TokenError, match="closed"):
        ec_identity.sign_detached(b"x", signing_time=datetime.now(UTC))


def test_failed_generation_leaves_no_objects(token: SoftToken, ca: SandboxCA) -> None:
    class BrokenCA(SandboxCA):
        def issue_certificate(self, *args: Any, **kwargs: Any) -> x509.Certificate:
            raise TokenError(what="injected fault")

    broken = BrokenCA(ca.cert, ca._key)
    with pytest.raises(TokenError, match="injected fault"):
        make(token, broken, KeyType.P256)
    assert token_objects(token, pkcs11.ObjectClass.PRIVATE_KEY) == []
    assert token_objects(token, pkcs11.ObjectClass.CERTIFICATE) == []


def test_generation_refuses_bad_input(token: SoftToken, ca: SandboxCA) -> None:
    with pytest.raises(UsageError):
        make(token, ca, KeyType.P256, name="  ")
    with pytest.raises(SealBidError, match="91350100M000100Y4X"):
        make(token, ca, KeyType.P256, org_code="91350100M000100Y4X")
    assert token_objects(token, pkcs11.ObjectClass.PRIVATE_KEY) == []


# --- pkcs11: URIs ---------------------------------------------------------------------------


def test_parse_full_uri() -> None:
    uri = parse_pkcs11_uri(
        "pkcs11:token=My%20Key;object=bid;id=%01%A0%ff;type=private;serial=abc"
        "?module-path=/usr/lib/x.so&pin-value=12%2634"
    )
    assert uri == Pkcs11Uri(
        token="My Key",
        serial="abc",
        object="bid",
        id=b"\x01\xa0\xff",
        module_path="/usr/lib/x.so",
        pin_value="12&34",
    )
    assert uri.read_pin() == "12&34"


@pytest.mark.parametrize(
    "bad",
    [
        "https://example.com",
        "pkcs11:token=a;token=b",
        "pkcs11:slot-id=3",
        "pkcs11:token=a?module-name=softhsm2",
        "pkcs11:token=a?pin-value=1&pin-source=/tmp/pin",
        "pkcs11:token=%FF",
        "pkcs11:token",
    ],
)
def test_parse_refuses_bad_uris(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_pkcs11_uri(bad)


def test_pin_source_file(tmp_path: Path) -> None:
    pin_file = tmp_path / "pin 文件.txt"
    pin_file.write_text("654321\n", encoding="utf-8")
    as_uri = parse_pkcs11_uri(f"pkcs11:token=t?pin-source={pin_file.as_uri()}")
    assert as_uri.read_pin() == "654321"
    as_path = parse_pkcs11_uri(f"pkcs11:token=t?pin-source={pin_file}")
    assert as_path.read_pin() == "654321"
    with pytest.raises(UsageError, match="PIN file"):
        parse_pkcs11_uri(f"pkcs11:token=t?pin-source={tmp_path / 'missing'}").read_pin()
    with pytest.raises(UsageError):
        parse_pkcs11_uri("pkcs11:token=t?pin-source=|/bin/echo%201234").read_pin()


def test_open_token_identity_from_uri_with_pin_file(
    token: SoftToken, ca: SandboxCA, tmp_path: Path
) -> None:
    single = make(token, ca, KeyType.RSA2048, dual=False, label="single")
    dual = make(token, ca, KeyType.P256, label="dual")
    pin_file = tmp_path / "pin"
    pin_file.write_text(token.pin + "\n", encoding="utf-8")
    base = f"pkcs11:token={token.label.replace(' ', '%20')}"
    query = f"?module-path={token.module}&pin-source=file:{pin_file}"
    with open_token_identity(base + ";object=dual" + query) as identity:
        assert identity.signing_cert == dual.signing_cert
        assert identity.encryption_cert == dual.encryption_cert
    kid = x509.SubjectKeyIdentifier.from_public_key(single.signing_cert.public_key()).digest
    encoded = "".join(f"%{b:02x}" for b in kid)
    with open_token_identity(base + f";id={encoded}" + query) as identity:
        assert identity.signing_cert == identity.encryption_cert == single.signing_cert
    # A plain label plus options works too; URI and options must agree.
    with open_token_identity(
        token.label, module=token.module, pin=token.pin, key_label="single"
    ) as identity:
        assert identity.signing_cert == single.signing_cert
    with pytest.raises(UsageError):
        open_token_identity(base + query, token_label="other")
    with pytest.raises(UsageError, match="module"):
        open_token_identity(base, pin=token.pin)
    wrong = tmp_path / "wrong"
    wrong.write_text("000000", encoding="utf-8")
    with pytest.raises(TokenPinError):
        open_token_identity(f"{base}?module-path={token.module}&pin-source={wrong}")


def test_an_sm2_certificate_on_the_token_does_not_hide_the_usable_identity(
    token: SoftToken, ca: SandboxCA
) -> None:
    """Chinese UKeys often carry SM2 certificates beside RSA/P-256 ones; format v1 skips them."""
    make(token, ca, KeyType.P256)
    with open_identity(token) as identity:
        good = identity.signing_cert
    # The same certificate with its curve OID swapped for SM2's (1.2.156.10197.1.301).
    der = good.public_bytes(serialization.Encoding.DER).replace(
        bytes.fromhex("06082a8648ce3d030107"), bytes.fromhex("06082a811ccf5501822d")
    )
    lib = pkcs11.lib(token.module)
    with lib.get_token(token_label=token.label).open(rw=True, user_pin=token.pin) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "SM2 签名证书",
                Attribute.ID: b"\x01",
                Attribute.VALUE: der,
                Attribute.SUBJECT: good.subject.public_bytes(),
                Attribute.ISSUER: good.issuer.public_bytes(),
                Attribute.SERIAL_NUMBER: b"\x02\x01\x05",
            }
        )
    with open_identity(token) as identity:
        assert identity.signing_cert == good


def test_pin_source_file_with_a_bom_gives_the_bare_pin(tmp_path: Path) -> None:
    pin_file = tmp_path / "pin.txt"
    pin_file.write_bytes("\ufeff654321\r\n".encode())
    assert parse_pkcs11_uri(f"pkcs11:token=t?pin-source={pin_file}").read_pin() == "654321"
    assert "654321" not in repr(parse_pkcs11_uri("pkcs11:token=t?pin-value=654321"))
